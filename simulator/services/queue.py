"""Amazon SQS (standard and FIFO) and the Lambda event source mapping that polls it.

Numbers (reference/semantics.md §1–2): visibility timeout 30 s default; a failed batch reappears
when the visibility timeout of its receive expires; a receive beyond `maxReceiveCount` moves the
message to the DLQ; batch size 10 by default (FIFO at most 10); with `ReportBatchItemFailures`
only the failed items return. FIFO: order per message group, a group with messages in flight is
locked, sends are deduplicated for 5 minutes by the event id (or the body hash with content-based
deduplication). A throttled invocation's receive still counts toward `maxReceiveCount`.
"""
from __future__ import annotations

import hashlib
import json
from collections import deque

from simulator.messages import Message
from simulator.runtime import NO_FAULTS
from simulator.services.base import Model

VISIBLE, IN_FLIGHT, DELETED = 0, 1, 2
FIFO_DEDUP_WINDOW_S = 300.0


class QueueModel(Model):
    accepts_puts = True

    def setup(self) -> None:
        p = self.node.prop
        self.fifo = bool(p("fifo"))
        self.vt = float(p("visibility_timeout_s"))
        self.max_receives = p("max_receive_count")
        self.retention = float(p("retention_s"))
        self.content_dedup = bool(p("content_based_dedup"))
        self.dlq = self.link("dead_letter")
        self.consumers = [ESM(self, link) for link in self.links("event_source")]
        self.visible: deque = deque()                # standard queue
        self.groups: dict[str, deque] = {}           # FIFO: message group → messages in order
        self.group_busy: dict[str, int] = {}         # FIFO: in-flight count per group (locks it)
        self.inflight: set = set()
        self.dedup_seen: dict = {}
        self.dedup_order: deque = deque()
        self.depth_samples: list = []
        self.group_field = None
        for link in self.inbound:
            self.group_field = self.group_field or link.props.get("message_group_field")
        if self.max_receives is not None and self.dlq is None:
            self.rt.finding("SIM-NO-DLQ-TARGET", f"nodes[{self.id}]", f"{self.node.title} sets max_receive_count "
                            "but has no dead_letter edge: messages are retried until retention expires")
            self.max_receives = None

    def start(self) -> None:
        for esm in self.consumers:
            # A consumer that works longer than the visibility timeout sees its messages reappear mid-run.
            esm.outlives = getattr(esm.consumer, "duration", 0) > self.vt

    # sends --------------------------------------------------------------------------------
    def receive(self, link, msg: Message, reply) -> None:
        error = self.put(link, msg)
        if reply:
            reply(error is None, error, None)

    def put(self, link, msg: Message) -> str | None:
        s = self.stats
        s.received += 1
        if msg.copy:
            s.duplicates_delivered += 1
        if self.faults is not NO_FAULTS and (error := self.fault_error(msg)):
            s.failed += 1
            s.reported += 1
            self.rt.record(msg, link.source.id, self.id, "rejected", error)
            return error
        now = self.env.now
        if self.fifo and self._is_duplicate_send(msg, now):
            s.deduplicated += 1
            self.rt.record(msg, link.source.id, self.id, "deduplicated", "FIFO 5-minute window")
            return None
        msg.born = now
        msg.receives = 0
        msg.state = VISIBLE
        if self.rt.trace is not None:
            self.rt.record(msg, link.source.id, self.id, "enqueued")
        consumers = self.consumers
        if self.fifo:
            self._enqueue(msg, front=False)
        elif len(consumers) == 1 and not self.visible:
            esm = consumers[0]
            if esm.running < esm.cap and not esm.poll_scheduled and not esm.window:
                # Nothing was waiting and the poller is idle: this message is received at once.
                batch = []
                self._receive_one(msg, now, batch)
                if batch:
                    esm.dispatch(batch)
                return None
            self.visible.append(msg)
        else:
            self.visible.append(msg)
        for esm in consumers:
            if esm.running < esm.cap and not esm.poll_scheduled:
                esm.kick()
        return None

    def _is_duplicate_send(self, msg: Message, now: float) -> bool:
        if self.content_dedup:
            key = hashlib.sha256(json.dumps(msg.core.body, sort_keys=True, default=str).encode()).hexdigest()
        else:
            key = msg.core.id       # the producer's deduplication id: the event id (copies share it)
        order, seen = self.dedup_order, self.dedup_seen
        while order and order[0][0] <= now - FIFO_DEDUP_WINDOW_S:
            t, k = order.popleft()
            if seen.get(k) == t:
                del seen[k]
        if key in seen:
            return True
        seen[key] = now
        order.append((now, key))
        return False

    def _group(self, msg: Message) -> str:
        core = msg.core
        if core.group is None:
            field = self.group_field
            body = core.body
            core.group = str(body.get(field)) if field and isinstance(body, dict) and field in body else "default"
        return core.group

    def _enqueue(self, msg: Message, front: bool) -> None:
        if not self.fifo:
            self.visible.append(msg)
            return
        q = self.groups.setdefault(self._group(msg), deque())
        (q.appendleft if front else q.append)(msg)

    # receives -----------------------------------------------------------------------------
    def take(self, limit: int) -> list:
        """Receive up to `limit` visible messages (one group for FIFO); redrive the over-received."""
        now = self.env.now
        batch: list = []
        if not self.fifo:
            source = self.visible
            while source and len(batch) < limit:
                msg = source.popleft()
                if msg.state != VISIBLE:
                    continue
                self._receive_one(msg, now, batch)
            return batch
        for group, q in self.groups.items():
            if self.group_busy.get(group) or not q:
                continue
            while q and len(batch) < limit:
                self._receive_one(q.popleft(), now, batch)
            if batch:
                self.group_busy[group] = self.group_busy.get(group, 0) + len(batch)
                break
        return batch

    def _receive_one(self, msg: Message, now: float, batch: list) -> None:
        if now - msg.born >= self.retention:
            msg.state = DELETED
            self.stats.drop("retention_expired")
            self.rt.record(msg, self.id, self.id, "dropped", "retention_expired")
            return
        msg.receives += 1
        if self.max_receives is not None and msg.receives > self.max_receives:
            msg.state = DELETED
            self.stats.dead_lettered += 1
            self.rt.record(msg, self.id, self.dlq.target.id, "dead_lettered",
                           f"receive {msg.receives} > maxReceiveCount {self.max_receives}")
            moved = msg.fresh()
            self.rt.deliver(self.dlq, moved)
            return
        msg.state = IN_FLIGHT
        msg.receipt += 1
        msg.attempt = msg.receives
        msg.visible_at = now + self.vt
        self.inflight.add(msg)
        batch.append(msg)

    def settle(self, batch: list, failed: list, early_reappear: bool) -> None:
        """The consumer's answer: delete what succeeded; failed messages reappear after the timeout."""
        s = self.stats
        if not failed and not self.fifo:
            for msg in batch:
                if msg.state != DELETED:
                    msg.state = DELETED
                    self.inflight.discard(msg)
                    s.processed += 1
            return
        failed_ids = {id(m) for m in failed}
        for msg in batch:
            if self.fifo:
                self.group_busy[msg.core.group] -= 1
            if id(msg) in failed_ids:
                if msg.state == IN_FLIGHT and not early_reappear:
                    self.env.at(max(msg.visible_at, self.env.now), self._reappear, (msg, msg.receipt))
                continue
            if msg.state != DELETED:
                msg.state = DELETED
                self.inflight.discard(msg)
                s.processed += 1

    def reappear_while_running(self, batch: list) -> None:
        """The consumer outlives the visibility timeout: the messages become visible again mid-run."""
        for msg in batch:
            self.env.at(msg.visible_at, self._reappear, (msg, msg.receipt))

    def _reappear(self, args) -> None:
        msg, receipt = args
        if msg.state != IN_FLIGHT or msg.receipt != receipt:
            return
        msg.state = VISIBLE
        self.inflight.discard(msg)
        self.rt.record(msg, self.id, self.id, "visible_again", f"visibility timeout {self.vt:g} s")
        self._enqueue(msg, front=self.fifo)
        for esm in self.consumers:
            esm.kick()

    # end of run ------------------------------------------------------------------------
    def depth(self) -> int:
        if self.fifo:
            return sum(1 for q in self.groups.values() for m in q if m.state == VISIBLE) + len(self.inflight)
        return sum(1 for m in self.visible if m.state == VISIBLE) + len(self.inflight)

    def in_flight(self) -> int:
        return self.depth()

    def settled_extra(self) -> int:
        return self.stats.deduplicated + self.redriven

    redriven = 0

    def redrive(self, spec: dict) -> str | None:
        """Move every visible message back to a source queue (SQS's DLQ redrive: by default to the queue
        the messages came from). Each moved message is a new send there, with its receive count reset."""
        target_id = spec.get("to")
        if target_id is None:
            sources = [link.source for link in self.inbound if link.kind == "dead_letter"]
            if len(sources) != 1:
                return f"{self.id}: redrive needs `to` (it is the DLQ of {len(sources)} queues)"
            target_id = sources[0].id
        target = self.rt.models[target_id]
        if not isinstance(target, QueueModel):
            return f"{self.id}: redrive target {target_id!r} is not a queue"
        link = self.rt.dead_letter_link(self, target_id)
        link.kind = "redrive"
        moving = [m for m in (self.visible if not self.fifo else [m for q in self.groups.values() for m in q])
                  if m.state == VISIBLE]
        for msg in moving:
            msg.state = DELETED
            self.redriven += 1
            self.rt.record(msg, self.id, target_id, "redriven")
            self.rt.deliver(link, msg.fresh())
        self.visible = deque(m for m in self.visible if m.state == VISIBLE)
        for q in self.groups.values():
            kept = [m for m in q if m.state == VISIBLE]
            q.clear()
            q.extend(kept)
        return None

    def oldest(self) -> float | None:
        """When the oldest message still in the queue was sent (ApproximateAgeOfOldestMessage)."""
        pools = [self.visible] if not self.fifo else list(self.groups.values())
        born = [m.born for pool in pools for m in pool if m.state == VISIBLE] + [m.born for m in self.inflight]
        return min(born, default=None)


class ESM:
    """Lambda's event source mapping on one queue: polls batches while the consumer has capacity."""

    def __init__(self, queue: QueueModel, link):
        self.queue = queue
        self.link = link
        self.consumer = link.target
        props = link.props
        default_batch = 10
        self.batch_size = int(props.get("batch_size") or default_batch)
        if queue.fifo:
            self.batch_size = min(self.batch_size, 10)
        self.window = float(props.get("batching_window_s") or 0.0)
        self.partial = bool(props.get("report_batch_item_failures"))
        self.mode = "batch_partial" if self.partial else "batch"
        cap = int(props.get("maximum_concurrency") or 1000)
        reserved = getattr(self.consumer.node, "props", {}).get("reserved_concurrency")
        self.cap = min(cap, int(reserved)) if reserved is not None else cap
        self.running = 0
        self.poll_scheduled = False
        self.dup_p = link.duplicate_probability
        self.outlives = False   # set in QueueModel.start, once every consumer's duration is known

    def kick(self) -> None:
        if self.poll_scheduled or self.running >= self.cap:
            return
        if self.window and self._available() < self.batch_size:
            self.poll_scheduled = True
            self.queue.env.schedule(self.window, self._poll_later)
            return
        self.poll()

    def _available(self) -> int:
        q = self.queue
        return len(q.visible) if not q.fifo else sum(len(d) for d in q.groups.values())

    def _poll_later(self, _arg) -> None:
        self.poll_scheduled = False
        self.poll()

    def poll(self) -> None:
        q = self.queue
        while self.running < self.cap:
            batch = q.take(self.batch_size)
            if not batch:
                return
            self.dispatch(batch)

    def dispatch(self, batch: list) -> None:
        """Hand a received batch to the consumer."""
        q = self.queue
        rt = q.rt
        n = len(batch)
        rt.hops += n
        self.link.delivered += n
        qid = q.id
        for m in batch:
            m.hop_from = qid
        self.running += 1
        if self.outlives:
            q.reappear_while_running(batch)
        consumer = self.consumer
        consumer.invoke(batch, self._done, self.mode, self.link, batch)
        if self.dup_p:
            if rt.rng.random() < self.dup_p:
                # SQS delivered one message of the batch a second time (at-least-once).
                twin = batch[0].duplicate()
                twin.attempt = batch[0].attempt
                rt.hops += 1
                consumer.invoke([twin], _ignore, "batch", self.link)

    def _done(self, batch, failed, error, _output=None) -> None:
        self.running -= 1
        q = self.queue
        q.settle(batch, failed, self.outlives)
        if error == "TooManyRequestsException" and not self.poll_scheduled:
            # Throttled: the poller backs off before the next receive (the exact curve is not published †).
            self.poll_scheduled = True
            self.queue.env.schedule(1.0, self._poll_later)
            return
        if q.visible or q.fifo:
            self.kick()


def _ignore(_ctx, _failed, _error, _output) -> None:
    """A duplicate delivery's answer: the original copy in the queue owns the message's fate."""
