"""What push-based routers share (SNS topics in sns.py, S3 notifications in s3.py, EventBridge buses and
Scheduler in bus.py): accepting a message, then one copy per route with the service's retry schedule.

A router accepts a message (its own ledger: processed when at least one route took it, filtered
when none did, deduplicated when a FIFO topic had already seen it, reported when it refused the
put) and then owns one *copy* per route, delivered with that service's retry schedule until it
lands, is dead-lettered, or is dropped with a reason (the copy ledger). Function errors are not the
router's business: Lambda accepts the event asynchronously and applies its own retry policy
(semantics.md, corrections), so a Lambda target never fails a delivery here.

Counting: each retry attempt counts once in `retried`, at the node the attempt reaches (the node
whose `received` it also is), like every other model does for the attempts it receives.
"""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import Model, mypyc_attr
from simulator.services.clients import ExternalModel

# Models that count `retried` themselves from `msg.attempt` when an attempt reaches them.
_COUNT_OWN_RETRIES = (ExternalModel,)


@mypyc_attr(allow_interpreted_subclasses=True)   # S3 and EventBridge routers subclass it
class Router(Model):
    accepts_puts = True

    def setup(self) -> None:
        self.copies = 0
        self.copies_delivered = 0
        self.retrying: set = set()
        self.own_retries = 0
        self.pending_copies = 0     # copies scheduled but not yet sent (S3's delay, a held FIFO copy, ...)
        self.tracks = False         # True when `settled` must hear of every copy that lands

    # the copy ledger -------------------------------------------------------------------
    def send_copy(self, link, msg: Message, dead_letter=None) -> None:
        self.copies += 1
        msg.born = self.env.now
        msg.retry_delays = None   # made on the first failure and carried by the copy
        if link.instant and not self.tracks:
            msg.attempt = 1     # the hot path: a first attempt that the target answers at once
            error = self.rt.put(link, msg)
            if error is None:
                self.copies_delivered += 1
            else:
                self._failed(link, msg, dead_letter, error)
            return
        msg.attempt = 0
        self._try(link, msg, dead_letter)

    def retry_schedule(self, link):
        return iter(())

    def max_age(self, link) -> float:
        return float("inf")

    def _try(self, link, msg: Message, dead_letter) -> None:
        msg.attempt += 1
        if msg.attempt > 1 and not isinstance(link.target, _COUNT_OWN_RETRIES):
            link.target.stats.retried += 1
        if link.instant:
            # The target answers inside `receive` (a put, or Lambda's 202): no closure per copy.
            error = self.rt.put(link, msg)
            if error is None:
                self.copies_delivered += 1
                if self.tracks:
                    self.settled(link, msg)
            else:
                self._failed(link, msg, dead_letter, error)
            return

        def answered(ok, error, output, link=link, msg=msg, dl=dead_letter):
            if ok:
                self.copies_delivered += 1
                if self.tracks:
                    self.settled(link, msg)
                return
            self._failed(link, msg, dl, error)
        self.rt.deliver(link, msg, answered)

    def _failed(self, link, msg: Message, dead_letter, error) -> None:
        if msg.retry_delays is None:
            msg.retry_delays = self.retry_schedule(link)
        wait = next(msg.retry_delays, None)
        if wait is not None and self.env.now + wait - msg.born <= self.max_age(link):
            self.retrying.add(msg)
            self.env.schedule(wait, self._retry, (link, msg, dead_letter))
            return
        reason = "retries_exhausted" if wait is None else "max_event_age"
        self.give_up(link, msg, dead_letter, reason)

    def _retry(self, args) -> None:
        link, msg, dead_letter = args
        self.retrying.discard(msg)
        self.own_retries += 1
        self._try(link, msg, dead_letter)

    def give_up(self, link, msg: Message, dead_letter, reason: str) -> None:
        if dead_letter is not None:
            self.stats.dead_lettered += 1
            self.rt.record(msg, self.id, dead_letter.target.id, "dead_lettered", f"{link.key}: {reason}")
            self.rt.deliver(dead_letter, msg.fresh())
        else:
            self.stats.drop(reason)
            self.rt.record(msg, self.id, link.target.id, "dropped", reason)
        if self.tracks:
            self.settled(link, msg)

    def settled(self, link, msg: Message) -> None:
        """A copy's story on `link` ended (delivered, dead-lettered or dropped)."""

    def in_flight(self) -> int:
        return 0

    def balance(self) -> list[str]:
        s = self.stats
        s.in_flight = len(self.retrying)
        problems = []
        if s.received != s.processed + s.filtered + s.reported + s.deduplicated:
            problems.append(f"{self.id}: received {s.received}, processed {s.processed} + filtered {s.filtered} + "
                            f"reported {s.reported} + deduplicated {s.deduplicated}")
        landed = self.copies_delivered + s.dead_lettered + s.dropped + len(self.retrying) + self.pending_copies
        s.in_flight += self.pending_copies
        if landed != self.copies:
            problems.append(f"{self.id}: {self.copies} copies sent, {self.copies_delivered} delivered + "
                            f"{s.dead_lettered} dead-lettered + {s.dropped} dropped + {len(self.retrying)} retrying "
                            f"+ {self.pending_copies} pending")
        return problems
