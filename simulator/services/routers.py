"""Push-based routers: SNS topics, EventBridge buses, S3 notifications, EventBridge Scheduler.

A router accepts a message (its own ledger: processed when at least one route took it, filtered
when none did, reported when it refused the put) and then owns one *copy* per route, delivered
with that service's retry schedule until it lands, is dead-lettered, or is dropped with a reason
(the copy ledger). Function errors are not the router's business: Lambda accepts the event
asynchronously and applies its own retry policy (semantics.md, corrections).
"""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import Model


def sns_delays(target_type: str):
    """SNS delivery retry waits (semantics.md §3): AWS-managed endpoints get an immediate phase of 3
    tries, 2 at 1 s, 10 backing off from 1 to 20 s, then 100,000 at 20 s: 100,015 attempts over ~23
    days, the first delivery being the first of the immediate phase (how semantics.md counts them).
    HTTP/S endpoints by default 3 retries 20 s apart. Jitter is not published, so none is applied †."""
    if target_type == "external":
        yield from (20.0, 20.0, 20.0)
        return
    yield from (0.0, 0.0, 1.0, 1.0)
    for i in range(10):
        yield 20.0 ** (i / 9)
    for _ in range(100_000):
        yield 20.0


class Router(Model):
    accepts_puts = True

    def setup(self) -> None:
        self.copies = 0
        self.copies_delivered = 0
        self.retrying: set = set()
        self.own_retries = 0
        self.pending_copies = 0     # copies scheduled but not yet sent (S3's notification delay)

    # the copy ledger -------------------------------------------------------------------
    def send_copy(self, link, msg: Message, dead_letter=None) -> None:
        self.copies += 1
        msg.born = self.env.now
        msg.dedup = None        # the retry-delay iterator, made on the first failure and carried by the copy
        if link.instant:
            msg.attempt = 1
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
        if msg.attempt > 1:
            link.target.stats.retried += 1
        if link.instant:
            # The target answers inside `receive` (a put, or Lambda's 202): no closure per copy.
            error = self.rt.put(link, msg)
            if error is None:
                self.copies_delivered += 1
            else:
                self._failed(link, msg, dead_letter, error)
            return

        def answered(ok, error, output, link=link, msg=msg, dl=dead_letter):
            if ok:
                self.copies_delivered += 1
                return
            self._failed(link, msg, dl, error)
        self.rt.deliver(link, msg, answered)

    def _failed(self, link, msg: Message, dead_letter, error) -> None:
        if msg.dedup is None:
            msg.dedup = self.retry_schedule(link)
        wait = next(msg.dedup, None)
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
                            f"{s.dead_lettered} dead-lettered + {s.dropped} dropped + {len(self.retrying)} retrying")
        return problems


class TopicModel(Router):
    def setup(self) -> None:
        super().setup()
        self.subs = []
        for link in self.links("subscription"):
            dl_id = link.props.get("dead_letter")
            self.subs.append((link, self.rt.dead_letter_link(self, dl_id) if dl_id else None))

    def retry_schedule(self, link):
        return sns_delays(link.target.node.type)

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        if reply:
            reply(True, None, None)
        body, attrs = msg.core.body, msg.core.attributes
        routed = 0
        for sub, dead_letter in self.subs:
            matcher = sub.matcher
            if matcher is not None:
                subject = body if sub.props.get("filter_policy_scope") == "MessageBody" else (attrs or {})
                if not matcher.matches(subject):
                    sub.filtered += 1
                    continue
            routed += 1
            self.send_copy(sub, msg.fresh(), dead_letter)
        if routed or not self.subs:
            self.stats.processed += 1
            self.rt.record(msg, msg.hop_from, self.id, "fanned_out", f"{routed} subscription(s)")
        else:
            self.stats.filtered += 1
            self.rt.record(msg, msg.hop_from, self.id, "filtered", "no filter policy matched")


class BucketModel(Router):
    """S3: a put is the side effect; notifications follow at least once, unordered, within seconds."""

    def setup(self) -> None:
        super().setup()
        self.notify = self.links("notification")

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        self.side_effect(msg)
        self.stats.processed += 1
        self.rt.record(msg, msg.hop_from, self.id, "stored")
        if reply:
            reply(True, None, None)
        body = msg.core.body if isinstance(msg.core.body, dict) else {"value": msg.core.body}
        obj = body.get("object") if isinstance(body.get("object"), dict) else {}
        key = str(body.get("key") or obj.get("key") or f"object-{msg.core.id}")
        size = body.get("size", obj.get("size", 0))
        name = self.node.prop("bucket_name") or self.id
        for target in self.notify:
            if target.target.node.type == "event_bus":
                # What S3 sends to EventBridge (source aws.s3, detail-type "Object Created").
                payload = {"source": "aws.s3", "detail-type": "Object Created", "detail": {
                    "version": "0", "bucket": {"name": name}, "object": {"key": key, "size": size},
                    "reason": "PutObject"}}
            else:
                payload = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {
                    "bucket": {"name": name}, "object": {"key": key, "size": size}}}]}
            note = self.rt.derive(msg, payload)
            note.core.done = 0
            # "usually within seconds": a delay of 0.5–2 s, illustrative; separate delays reorder them.
            self.copies += 1
            self.pending_copies += 1
            self.env.schedule(0.5 + 1.5 * self.rt.rng.random(), self._notify, (target, note))

    def _notify(self, args) -> None:
        target, note = args
        self.copies -= 1          # send_copy counts it again
        self.pending_copies -= 1
        self.send_copy(target, note, None)
