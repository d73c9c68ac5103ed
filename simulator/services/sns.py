"""Amazon SNS topics: fan-out to every subscription whose filter policy accepts the message, with SNS's
delivery retry schedule; FIFO topics deliver in order per message group and deduplicate for 5 minutes."""
from __future__ import annotations

import hashlib
import json
from collections import deque
from typing import Any

from simulator.messages import Message
from simulator.runtime import Link
from simulator.services.base import model_for
from simulator.services.router import Router

SNS_FIFO_DEDUP_WINDOW_S = 300.0     # "5 minute minimum deduplication interval" (Publish API)


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
        self.group_field: Any = None
        self.dedup_seen: dict = {}
        self.dedup_order: deque = deque()
        self.lanes: dict = {}        # (subscription key, group) → deque of held copies; present = busy
        self.draining: list[Any] | None = None
        self.subs: list[tuple[Link, Link | None]] = []
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
            send_copy = self.send_copy
            for sub, dead_letter in self.subs:
                send_copy(sub, msg.fresh(), dead_letter)
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
            m = Message(core, copy)     # a fresh copy: retry_delays None, attempt counters reset
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
        key: Any
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


# Registered here rather than with `@model_for` on the class: mypyc compiles a class with a decorator as a
# plain Python class (no native attributes), and this module is compiled (simulator/_compiled.py).
model_for("sns_topic")(TopicModel)
