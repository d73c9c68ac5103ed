"""Push-based routers: SNS topics, EventBridge buses, S3 notifications, EventBridge Scheduler.

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

import hashlib
import json
from collections import deque

from simulator.messages import Message
from simulator.services.base import Model, model_for
from simulator.services.edges import ExternalModel

SNS_FIFO_DEDUP_WINDOW_S = 300.0     # "5 minute minimum deduplication interval" (Publish API)
# Models that count `retried` themselves from `msg.attempt` when an attempt reaches them.
_COUNT_OWN_RETRIES = (ExternalModel,)


def sns_delays(target_type: str):
    """SNS delivery retry waits (sns-message-delivery-retries.html). AWS-managed endpoints (SQS, Lambda):
    3 immediate, 2 at 1 s, 10 backing off exponentially from 1 to 20 s, then 100,000 at 20 s — the table's
    "100,015 times, over 23 days" counts the first delivery as the first of the immediate phase, so the
    waits after the first attempt are 0, 0, 1, 1, then 10 geometric steps 1 → 20 s †(the exact backoff
    shape is not published), then 20 s. HTTP/S endpoints by default 3 retries 20 s apart. AWS applies
    jitter but publishes none, so none is applied here †."""
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
        self.pending_copies = 0     # copies scheduled but not yet sent (S3's delay, a held FIFO copy, ...)
        self.tracks = False         # True when `settled` must hear of every copy that lands

    # the copy ledger -------------------------------------------------------------------
    def send_copy(self, link, msg: Message, dead_letter=None) -> None:
        self.copies += 1
        msg.born = self.env.now
        msg.dedup = None        # the retry-delay iterator, made on the first failure and carried by the copy
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


@model_for("sns_topic")
class TopicModel(Router):
    """SNS. A FIFO topic (fifo-message-grouping.html, fifo-message-delivery.html, sns-fifo-topics.html)
    delivers only to SQS queues (FIFO or standard); the group id reaches FIFO queues only; messages of a
    group are delivered to each subscription one by one, in order (a copy that is being retried holds the
    later copies of its group on that subscription †: the mechanism is ours, the order is documented);
    a repeated deduplication id (the event id, or a SHA-256 of the body with content-based dedup) within
    5 minutes is accepted and not delivered."""

    def setup(self) -> None:
        super().setup()
        p = self.node.prop
        self.fifo = self.tracks = bool(p("fifo"))
        self.content_dedup = bool(p("content_based_dedup"))     # read when the registry offers it
        self.group_field = None
        self.dedup_seen: dict = {}
        self.dedup_order: deque = deque()
        self.lanes: dict = {}        # (subscription key, group) → deque of held copies; present = busy
        self.draining = None
        self.subs = []
        for link in self.links("subscription"):
            dl_id = link.props.get("dead_letter")
            dead_letter = self.rt.dead_letter_link(self, dl_id) if dl_id else None
            target = link.target.node
            if self.fifo and target.type != "sqs_queue":
                self.rt.finding("SIM-SNS-FIFO-SUBSCRIBER", f"edges[{link.key}]", f"{self.node.title} is a FIFO "
                                f"topic: it delivers only to SQS queues, so {target.title} ({target.type}) cannot "
                                "subscribe and gets nothing; subscribe an SQS queue and let it trigger the function")
                continue
            if not self.fifo and target.type == "sqs_queue" and target.prop("fifo"):
                self.rt.finding("SIM-SNS-FIFO-QUEUE", f"edges[{link.key}]", f"{target.title} is a FIFO queue: only "
                                "an SNS FIFO topic can deliver to it; it gets nothing from this standard topic")
                continue
            if self.fifo and dead_letter is not None and not dead_letter.target.node.prop("fifo"):
                self.rt.finding("SIM-SNS-FIFO-DLQ", f"edges[{link.key}].props.dead_letter", "a subscription of a "
                                "FIFO topic needs a FIFO dead-letter queue")
            self.subs.append((link, dead_letter))
        if self.fifo:
            for link in self.inbound:
                self.group_field = self.group_field or link.props.get("message_group_field")
        # A standard topic whose subscriptions have no filter policy sends every message to every one of them.
        self.fan_all = not self.fifo and all(sub.matcher is None for sub, _dl in self.subs)
        self.fan_detail = f"{len(self.subs)} subscription(s)"
        # ... and when every subscriber answers a put at once (SQS, Lambda's 202), each copy takes the
        # `send_copy` → `Runtime.put` path, which `_fan_out_puts` does inline (one call per copy, not three).
        self.fan_puts = self.fan_all and all(sub.instant for sub, _dl in self.subs)

    def retry_schedule(self, link):
        return sns_delays(link.target.node.type)

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        if reply:
            reply(True, None, None)
        if self.fan_all:
            # Every subscription takes it (what the general path below does when nothing filters).
            self.stats.processed += 1
            if self.rt.trace is not None:
                self.rt.record(msg, msg.hop_from, self.id, "fanned_out", self.fan_detail)
            if self.fan_puts:
                self._fan_out_puts(msg)
                return
            send = self.send_copy
            for sub, dead_letter in self.subs:
                send(sub, msg.fresh(), dead_letter)
            return
        if self.fifo and self._fifo_accept(msg):
            return
        body, attrs = msg.core.body, msg.core.attributes
        chosen = []
        for sub, dead_letter in self.subs:
            matcher = sub.matcher
            if matcher is not None:
                subject = body if sub.props.get("filter_policy_scope") == "MessageBody" else (attrs or {})
                if not matcher.matches(subject):
                    sub.filtered += 1
                    continue
            chosen.append((sub, dead_letter))
        # The topic's own hop is recorded before its copies travel, so a copy's fate follows it in the trace.
        if chosen or not self.subs:
            self.stats.processed += 1
            self.rt.record(msg, msg.hop_from, self.id, "fanned_out", f"{len(chosen)} subscription(s)")
        else:
            self.stats.filtered += 1
            self.rt.record(msg, msg.hop_from, self.id, "filtered", "no filter policy matched")
        send = self._fifo_send if self.fifo else self.send_copy
        for sub, dead_letter in chosen:
            send(sub, msg.fresh(), dead_letter)

    def _fan_out_puts(self, msg: Message) -> None:
        """`send_copy(sub, msg.fresh(), dead_letter)` for every subscription whose target answers at once,
        with `Runtime.put` inlined: the same counters, the same random draws in the same order."""
        rt, env = self.rt, self.env
        rng = rt.rng
        core, copy, now, sid = msg.core, msg.copy, env.now, self.id
        for sub, dead_letter in self.subs:
            m = Message(core, copy)     # a fresh copy: dedup None, attempt counters reset
            self.copies += 1
            m.born = now
            m.attempt = 1
            rt.hops += 1
            if rt.hops > rt.max_hops:
                env.stop_requested = "max_hops"
            sub.delivered += 1
            m.hop_from = sid
            p = sub.duplicate_probability
            twin = m.duplicate() if p and rng.random() < p else None
            error = sub.target.put(sub, m)
            if twin is not None:
                rt.hops += 1
                env.schedule(rng.random() * 0.05, rt._arrive, (sub, twin, None))
            if error is None:
                self.copies_delivered += 1
            else:
                self._failed(sub, m, dead_letter, error)

    # FIFO topics -----------------------------------------------------------------------
    def _fifo_accept(self, msg: Message) -> bool:
        """Deduplicate; give the message its group. True when it was a duplicate (accepted, not delivered)."""
        core, now = msg.core, self.env.now
        if self.content_dedup:
            key = hashlib.sha256(json.dumps(core.body, sort_keys=True, default=str).encode()).hexdigest()
        else:
            key = core.id       # the publisher's MessageDeduplicationId: the event id (copies share it)
        order, seen = self.dedup_order, self.dedup_seen
        while order and order[0][0] <= now - SNS_FIFO_DEDUP_WINDOW_S:
            t, k = order.popleft()
            if seen.get(k) == t:
                del seen[k]
        if key in seen:
            self.stats.deduplicated += 1
            self.rt.record(msg, msg.hop_from, self.id, "deduplicated", "FIFO topic: 5-minute deduplication")
            return True
        seen[key] = now
        order.append((now, key))
        if core.group is None:
            body = core.body
            field = self.group_field
            if field and isinstance(body, dict) and field in body:
                core.group = str(body[field])
            else:
                # AWS refuses a FIFO publish without MessageGroupId; here it joins one group instead.
                self.rt.finding("SIM-SNS-FIFO-GROUP", f"nodes[{self.id}]", f"{self.node.title} is a FIFO topic but "
                                "publishes carry no message group (set message_group_field on the workload or "
                                "the incoming edge): AWS would refuse them; here they share one group")
                core.group = "default"
        return False

    def _fifo_send(self, link, msg: Message, dead_letter) -> None:
        lane = (link.key, msg.core.group)
        held = self.lanes.get(lane)
        if held is not None:
            self.copies += 1
            self.pending_copies += 1
            held.append((link, msg, dead_letter))
            return
        self.lanes[lane] = deque()
        self.send_copy(link, msg, dead_letter)

    def settled(self, link, msg: Message) -> None:
        # Every copy a FIFO topic sends owns its lane (held copies wait in it), so each landing frees one.
        # Drained in a loop, not by recursion: a long outage can hold thousands of copies in one lane.
        lane = (link.key, msg.core.group)
        if self.draining is not None:
            self.draining.append(lane)
            return
        self.draining = [lane]
        while self.draining:
            lane = self.draining.pop()
            held = self.lanes.get(lane)
            if not held:
                self.lanes.pop(lane, None)
                continue
            nxt_link, nxt, dead_letter = held.popleft()
            self.copies -= 1            # send_copy counts it again
            self.pending_copies -= 1
            self.send_copy(nxt_link, nxt, dead_letter)
        self.draining = None


@model_for("s3_bucket")
class BucketModel(Router):
    """S3: a put is the side effect; notifications follow at least once, unordered, within seconds.

    Edges out of a bucket are `notification`s (design/connections.py). One to an `event_bus` stands for
    S3's EventBridge integration: it delivers only when the bucket's `eventbridge_notifications` is on
    (EventBridge.html: S3 then sends every object event to EventBridge, in addition to any notification
    configuration). S3 cannot notify an SNS FIFO topic or an SQS FIFO queue (EventNotifications.html)."""

    def setup(self) -> None:
        super().setup()
        self.notify = []
        eventbridge = bool(self.node.prop("eventbridge_notifications"))
        for link in self.links("notification"):
            target = link.target.node
            if target.type == "event_bus" and not eventbridge:
                self.rt.finding("SIM-S3-EVENTBRIDGE-OFF", f"nodes[{self.id}].props.eventbridge_notifications",
                                f"{self.node.title} is connected to {target.title} but eventbridge_notifications "
                                "is off: S3 sends it nothing")
                continue
            if target.type in ("sns_topic", "sqs_queue") and target.prop("fifo"):
                self.rt.finding("SIM-S3-FIFO", f"edges[{link.key}]", f"S3 cannot send event notifications to a "
                                f"FIFO {'topic' if target.type == 'sns_topic' else 'queue'}: {target.title} gets "
                                "nothing")
                continue
            self.notify.append(link)

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
                payload = {"source": "aws.s3", "detail-type": "Object Created", "resources": [f"arn:aws:s3:::{name}"],
                           "detail": {"version": "0", "bucket": {"name": name}, "object": {"key": key, "size": size},
                                      "reason": "PutObject"}}
            else:
                payload = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {
                    "bucket": {"name": name}, "object": {"key": key, "size": size}}}]}
            note = self.rt.derive(msg, payload)
            note.core.done = 0
            # "usually within seconds": a delay of 0.5–2 s, illustrative †; separate delays reorder them.
            self.copies += 1
            self.pending_copies += 1
            self.env.schedule(0.5 + 1.5 * self.rt.rng.random(), self._notify, (target, note))

    def _notify(self, args) -> None:
        target, note = args
        self.copies -= 1          # send_copy counts it again
        self.pending_copies -= 1
        self.send_copy(target, note, None)
