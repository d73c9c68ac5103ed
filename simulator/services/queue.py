"""Amazon SQS (standard and FIFO) and the Lambda event source mapping that polls it.

Numbers and the pages they come from (tests/conformance/sqs*/ and esm-sqs/ quote each one):
- Visibility timeout (30 s default): a received message that is not deleted before its visibility
  timeout expires becomes visible again and can be received again, whether the consumer failed or is
  still working (SQS ReceiveMessage, VisibilityTimeout). A receive beyond `maxReceiveCount` moves the
  message to the DLQ (sqs-dead-letter-queues).
- Retention (4 days default): "Amazon SQS automatically deletes messages left in a queue longer than the
  retention period" (API_DeleteMessage) — every queue, DLQs and queues nobody reads included. A standard
  queue's DLQ keeps the original enqueue timestamp; a FIFO queue's DLQ resets it
  (setting-up-dead-letter-queue-retention). ApproximateAgeOfOldestMessage counts from the move.
- Standard queues: at-least-once, "messages may occasionally arrive out of order" (standard-queues).
- FIFO: order per message group; a group with a message in flight is locked, so a failed message keeps
  its group blocked until it is deleted or moved to the DLQ — "the function attempts all retries on the
  affected messages before Lambda receives additional messages from the same group"
  (services-sqs-scaling). Sends are deduplicated for 5 minutes by the deduplication id (here the event
  id) or, with content-based deduplication, a SHA-256 of the body (FIFO-key-terms).
- Event source mapping (services-sqs-scaling, services-sqs-parameters): batch size 10 by default (FIFO
  at most 10); a batch is invoked when it is full (batch size, or the 6 MB synchronous payload limit) or
  when the batching window ends (no window on FIFO). Five concurrent batches at first, up to 300 more per
  minute while messages are still available, at most 1,000; `MaximumConcurrency` (2–1,000) caps it.
  The mapping does not know the function's reserved concurrency: a throttled receive returns the
  message after the visibility timeout with its receive count raised (services-sqs-errorhandling,
  operatorguide/sqs-retries), so a low reservation and a low `maxReceiveCount` send messages to the DLQ.
  With `ReportBatchItemFailures` only the failed items return; on FIFO the function stops at the first
  failure and returns it and the rest (services-sqs-errorhandling).
Choices AWS does not publish are marked † where they are made.
"""
from __future__ import annotations

import hashlib
import json
from collections import deque
from heapq import heappop, heappush
from itertools import count
from typing import Any

from simulator.messages import Message
from simulator.runtime import NO_FAULTS, Link
from simulator.services.base import Model, model_for
from simulator.services.lambda_fn import BATCH, BATCH_PARTIAL, BATCH_PARTIAL_FIFO, LambdaModel

VISIBLE, IN_FLIGHT, DELETED = 0, 1, 2
FIFO_DEDUP_WINDOW_S = 300.0
# Best-effort ordering: the share of sends, made while others wait in the queue, that overtake the message
# sent just before them. AWS publishes no rate: illustrative †, kept small. Off for the "perfect network"
# (a mapping whose duplicate_probability is 0), like the natural duplicates.
REORDER_PROBABILITY = 0.01
SCALE_START = 5                      # "starts processing five batches at a time"
SCALE_PER_MINUTE = 300               # "by up to 300 more instances per minute" (spread evenly: one per 0.2 s †)
SCALE_MAX = 1000                     # "The maximum number of batches ... simultaneously is 1,000"
PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024  # "up to the payload limit for synchronous invocation (6 MB)"; body bytes only †
THROTTLE_BACKOFF_S = 1.0             # the poller's wait after a throttle (the curve is not published †)
THROTTLE_ERROR = "TooManyRequestsException"
_INF = float("inf")


def _body_bytes(msg: Message) -> int:
    return len(json.dumps(msg.core.body, default=str, separators=(",", ":")).encode())


class QueueModel(Model):
    accepts_puts = True

    def setup(self) -> None:
        p = self.node.prop
        self.fifo = bool(p("fifo"))
        self.vt = float(p("visibility_timeout_s"))
        self.max_receives = p("max_receive_count")
        self.retention = float(p("retention_s"))
        self.content_dedup = bool(p("content_based_dedup"))
        self.dlq: Any = self.link("dead_letter")
        self.consumers = [ESM(self, link) for link in self.links("event_source")]
        self.single = self.consumers[0] if len(self.consumers) == 1 else None   # the common case, one mapping
        self.visible: deque = deque()                # standard: visible messages (stale entries skipped)
        self.n_visible = 0                           # how many messages are visible right now
        self.groups: dict[Any, deque] = {}           # FIFO: group → its live messages in order (visible or in flight)
        self.group_busy: dict[Any, int] = {}         # FIFO: in-flight count per group (a busy group is locked)
        self.ready: deque = deque()                  # FIFO: groups that may have a visible head and no lock
        self.ready_set: set = set()
        self.inflight: set = set()
        self.dedup_seen: dict = {}
        self.dedup_order: deque = deque()
        # Retention: live messages in order of their enqueue time (so of their deadline), compacted now and
        # then; messages that arrive with an older enqueue time (a standard queue's DLQ) wait in a heap.
        self.ledger: deque = deque()
        self.ledger_cap = 1024
        self.late: list = []
        self.late_enq: dict = {}
        self._late_seq = count()
        self.expiry_at: float | None = None
        self.sized = any(esm.sized for esm in self.consumers)
        self.visible_bytes = 0
        self.reorder_p = 0.0
        self.group_field: Any = None
        for link in self.inbound:
            self.group_field = self.group_field or link.props.get("message_group_field")
        if self.max_receives is not None and self.dlq is None:
            self.rt.finding("SIM-NO-DLQ-TARGET", f"nodes[{self.id}]", f"{self.node.title} sets max_receive_count "
                            "but has no dead_letter edge: messages are retried until retention expires")
            self.max_receives = None

    def start(self) -> None:
        for esm in self.consumers:
            esm.start()
        if not self.fifo and any(esm.dup_p for esm in self.consumers):
            self.reorder_p = REORDER_PROBABILITY

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
        fifo = self.fifo
        if fifo and self._is_duplicate_send(msg, now):
            s.deduplicated += 1
            self.rt.record(msg, link.source.id, self.id, "deduplicated", "FIFO 5-minute window")
            return None
        carried = msg.receives == -1       # moved here from a standard queue: keeps its enqueue timestamp
        enqueued = msg.born
        msg.born = now                     # the age metric counts from the arrival here
        msg.receives = 0
        msg.state = VISIBLE
        if self.rt.trace is not None:
            self.rt.record(msg, link.source.id, self.id, "enqueued")
        if carried and not fifo and enqueued < now:
            if not self._track_late(msg, enqueued, now):
                return None
        else:
            ledger = self.ledger
            ledger.append(msg)
            if len(ledger) > self.ledger_cap:
                self._compact()
            if self.expiry_at is None:
                self._arm(now + self.retention)
        if fifo:
            self._enqueue_fifo(msg)
        elif self.n_visible:
            self._append_visible(msg)
        else:
            esm = self.single
            if esm is not None and esm.running < esm.cap and not esm.poll_scheduled and not esm.window:
                # Nothing was waiting and a poller is free: this message is received at once.
                batch: list[Message] = []
                self._receive_one(msg, now, batch)
                if batch:
                    esm.dispatch(batch)
                return None
            self._append_visible(msg)
        for esm in self.consumers:
            if esm.running < esm.cap or esm.poll_scheduled or esm.grow_anchor is None:
                esm.kick()              # (skipped when every batch is busy and scaling up is already under way)
        return None

    def _append_visible(self, msg: Message, sent: bool = True) -> None:
        visible = self.visible
        if sent and self.reorder_p and self.n_visible and self.rt.rng.random() < self.reorder_p:
            # Best-effort ordering: this message overtakes the one sent just before it (†, see above).
            last = visible.pop()
            visible.append(msg)
            visible.append(last)
            self.rt.record(msg, self.id, self.id, "reordered", "standard queue: best-effort ordering")
        else:
            visible.append(msg)
        self.n_visible += 1
        if self.sized:
            self.visible_bytes += _body_bytes(msg)

    def _is_duplicate_send(self, msg: Message, now: float) -> bool:
        key: Any
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

    def _enqueue_fifo(self, msg: Message) -> None:
        g = self._group(msg)
        q = self.groups.get(g)
        if q is None:
            q = self.groups[g] = deque()
        q.append(msg)
        self.n_visible += 1
        if not self.group_busy.get(g) and g not in self.ready_set:
            self.ready_set.add(g)
            self.ready.append(g)

    # retention ----------------------------------------------------------------------------
    def _track_late(self, msg: Message, enqueued: float, now: float) -> bool:
        """A message whose enqueue time is older than now (standard DLQ): its own deadline. False if it
        has already expired (then it is dropped on arrival)."""
        deadline = enqueued + self.retention
        if deadline <= now:
            msg.state = DELETED
            self.stats.drop("retention_expired")
            self.rt.record(msg, self.id, self.id, "dropped", "retention_expired")
            return False
        self.late_enq[msg] = enqueued
        heappush(self.late, (deadline, next(self._late_seq), msg))
        self._arm(deadline)
        return True

    def _arm(self, deadline: float) -> None:
        if self.expiry_at is None or deadline < self.expiry_at:
            self.expiry_at = deadline
            self.env.at(deadline, self._expire_due, deadline)

    def _expire_due(self, token: float) -> None:
        if token != self.expiry_at:
            return                      # superseded by a sooner deadline
        self.expiry_at = None
        now, r = self.env.now, self.retention
        ledger = self.ledger
        while ledger:
            m = ledger[0]
            if m.state == DELETED:
                ledger.popleft()
            elif m.born + r <= now:
                ledger.popleft()
                self._expire(m)
            else:
                break
        late = self.late
        while late and late[0][0] <= now:
            m = heappop(late)[2]
            if m.state != DELETED:
                self._expire(m)
        nxt = min(ledger[0].born + r if ledger else _INF, late[0][0] if late else _INF)
        if nxt != _INF:
            self._arm(nxt)
        if self.fifo:
            for esm in self.consumers:
                esm.kick()

    def _expire(self, m: Message) -> None:
        state = m.state
        m.state = DELETED
        if state == VISIBLE:
            self._left_visible(m)
            if self.fifo:
                self._group_free(m.core.group)
        elif state == IN_FLIGHT:
            self._leave_flight(m)
        self.late_enq.pop(m, None)
        self.stats.drop("retention_expired")
        self.rt.record(m, self.id, self.id, "dropped", "retention_expired")

    def _compact(self) -> None:
        self.ledger = deque(m for m in self.ledger if m.state != DELETED)
        self.ledger_cap = 2 * len(self.ledger) + 1024

    # receives -----------------------------------------------------------------------------
    def has_visible(self) -> bool:
        return bool(self.n_visible) and (not self.fifo or bool(self.ready))

    def take(self, limit: int, sized: bool = False) -> list:
        """Receive up to `limit` visible messages (one group for FIFO); redrive the over-received."""
        now = self.env.now
        batch: list = []
        if not self.fifo:
            source = self.visible
            if not self.sized:
                # No batch here can reach the payload limit: count by messages only.
                receive_one = self._receive_one
                while source and len(batch) < limit:
                    msg = source.popleft()
                    if msg.state != VISIBLE:
                        continue
                    self.n_visible -= 1
                    receive_one(msg, now, batch)
                return batch
            size = 0
            while source and len(batch) < limit:
                msg = source.popleft()
                if msg.state != VISIBLE:
                    continue
                b = _body_bytes(msg)
                if sized and batch and size + b > PAYLOAD_LIMIT_BYTES:
                    source.appendleft(msg)      # the batch is full by payload: this one waits
                    break
                size += b
                self.visible_bytes -= b
                self.n_visible -= 1
                self._receive_one(msg, now, batch)
            return batch
        ready, busy = self.ready, self.group_busy
        while ready and not batch:
            g = ready.popleft()
            self.ready_set.discard(g)
            q = self.groups.get(g)
            if not q or busy.get(g):
                continue
            i = 0
            while i < len(q) and len(batch) < limit:
                m = q[i]
                i += 1
                if m.state == DELETED:
                    continue
                if m.state != VISIBLE:
                    break
                self.n_visible -= 1
                self._receive_one(m, now, batch)
            while q and q[0].state == DELETED:
                q.popleft()
            if not q:
                del self.groups[g]
            if batch:
                busy[g] = len(batch)
        return batch

    def _receive_one(self, msg: Message, now: float, batch: list) -> None:
        late = self.late_enq
        enqueued = late.get(msg, msg.born) if late else msg.born
        if now - enqueued >= self.retention:
            msg.state = DELETED
            self.late_enq.pop(msg, None)
            self.stats.drop("retention_expired")
            self.rt.record(msg, self.id, self.id, "dropped", "retention_expired")
            return
        receives = msg.receives = msg.receives + 1
        if self.max_receives is not None and receives > self.max_receives:
            msg.state = DELETED
            self.late_enq.pop(msg, None)
            self.stats.dead_lettered += 1
            self.rt.record(msg, self.id, self.dlq.target.id, "dead_lettered",
                           f"receive {msg.receives} > maxReceiveCount {self.max_receives}")
            moved = msg.fresh()
            if not self.fifo:
                # A standard queue's DLQ keeps the original enqueue timestamp; a FIFO one resets it.
                moved.born = enqueued
                moved.receives = -1
            self.rt.deliver(self.dlq, moved)
            return
        msg.state = IN_FLIGHT
        msg.receipt += 1
        msg.attempt = receives
        msg.visible_at = now + self.vt
        self.inflight.add(msg)
        batch.append(msg)

    def _left_visible(self, msg: Message) -> None:
        self.n_visible -= 1
        if self.sized and not self.fifo:
            self.visible_bytes -= _body_bytes(msg)

    def _leave_flight(self, msg: Message) -> None:
        self.inflight.discard(msg)
        if self.fifo:
            g = msg.core.group
            left = self.group_busy[g] - 1
            if left:
                self.group_busy[g] = left
            else:
                del self.group_busy[g]
                self._group_free(g)

    def _group_free(self, g: Any) -> None:
        """A FIFO group may be unlocked: drop deleted messages at its head; ready it if the head is visible."""
        q = self.groups.get(g)
        if q is None:
            return
        while q and q[0].state == DELETED:
            q.popleft()
        if not q:
            del self.groups[g]
        elif q[0].state == VISIBLE and not self.group_busy.get(g) and g not in self.ready_set:
            self.ready_set.add(g)
            self.ready.append(g)

    def _delete(self, msg: Message) -> None:
        """DeleteMessage. SQS deletes a message even while another receive holds it, so a consumer that
        finishes after the visibility timeout still deletes it (API_DeleteMessage)."""
        state = msg.state
        if state == DELETED:
            return
        msg.state = DELETED
        if state == IN_FLIGHT:
            self._leave_flight(msg)
        else:
            self._left_visible(msg)
            if self.fifo:
                self._group_free(msg.core.group)
        if self.late_enq:
            self.late_enq.pop(msg, None)
        self.stats.processed += 1

    def settle(self, batch: list, failed, receipts=None) -> None:
        """The consumer's answer: delete what succeeded; failed messages reappear after the visibility
        timeout (`receipts` set: a visibility timer was armed at dispatch and owns the reappearance)."""
        if not failed and not self.fifo:
            inflight, s = self.inflight, self.stats
            for msg in batch:
                if msg.state == IN_FLIGHT:
                    msg.state = DELETED
                    inflight.discard(msg)
                    s.processed += 1
                elif msg.state == VISIBLE:
                    self._delete(msg)
            if self.late_enq:
                for msg in batch:
                    self.late_enq.pop(msg, None)
            return
        failed_ids = {id(m) for m in failed}
        if self.fifo and failed:
            # FIFO: nothing after the first failure may be processed ahead of it — it returns too.
            first = next(i for i, m in enumerate(batch) if id(m) in failed_ids)
            failed_ids.update(id(m) for m in batch[first:])
        back = []
        for msg in batch:
            if id(msg) in failed_ids:
                if receipts is None and msg.state == IN_FLIGHT:
                    back.append(msg)
                continue
            self._delete(msg)
        if back:
            t = max(back[0].visible_at, self.env.now)
            self.env.at(t, self._reappear, (back, tuple(m.receipt for m in back)))

    def _reappear(self, args) -> None:
        msgs, receipts = args
        again = False
        trace = self.rt.trace is not None
        for msg, receipt in zip(msgs, receipts):
            if msg.state != IN_FLIGHT or msg.receipt != receipt:
                continue
            again = True
            msg.state = VISIBLE
            if trace:
                self.rt.record(msg, self.id, self.id, "visible_again", f"visibility timeout {self.vt:g} s")
            if self.fifo:
                self.n_visible += 1          # it kept its place at the head of its group
                self._leave_flight(msg)
            else:
                self.inflight.discard(msg)
                self._append_visible(msg, sent=False)
        if again:
            for esm in self.consumers:
                esm.kick()

    # end of run ------------------------------------------------------------------------
    def depth(self) -> int:
        return self.n_visible + len(self.inflight)

    def in_flight(self) -> int:
        return self.depth()

    def settled_extra(self) -> int:
        return self.stats.deduplicated + self.redriven

    redriven = 0

    def _visible_messages(self) -> list:
        if not self.fifo:
            return [m for m in self.visible if m.state == VISIBLE]
        return [m for q in self.groups.values() for m in q if m.state == VISIBLE]

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
        for msg in self._visible_messages():
            msg.state = DELETED
            self._left_visible(msg)
            self.late_enq.pop(msg, None)
            self.redriven += 1
            self.rt.record(msg, self.id, target_id, "redriven")
            self.rt.deliver(link, msg.fresh())
        self.visible = deque(m for m in self.visible if m.state == VISIBLE)
        for g in list(self.groups):
            self._group_free(g)
        return None

    def oldest(self) -> float | None:
        """When the oldest message still in the queue arrived here (ApproximateAgeOfOldestMessage)."""
        born = [m.born for m in self._visible_messages()] + [m.born for m in self.inflight]
        return min(born, default=None)


class ESM:
    """Lambda's event source mapping on one queue: pollers that receive batches and invoke the consumer."""

    def __init__(self, queue: QueueModel, link: Link) -> None:
        self.queue = queue
        self.rt = queue.rt
        self.link = link
        self.consumer: Any = link.target
        # The common consumer, called directly (a pipe also polls queues).
        self.function: LambdaModel | None = link.target if isinstance(link.target, LambdaModel) else None
        props = link.props
        self.batch_size = int(props.get("batch_size") or 10)
        if queue.fifo:
            self.batch_size = min(self.batch_size, 10)
        self.window = float(props.get("batching_window_s") or 0.0)
        if queue.fifo and self.window:
            queue.rt.finding("SIM-FIFO-WINDOW", f"edges[{link.key}].props.batching_window_s",
                             "a batching window is not supported for FIFO queues: it is ignored")
            self.window = 0.0
        self.partial = bool(props.get("report_batch_item_failures"))
        # On FIFO the handler stops at the first failure and reports it and the rest (AWS's advice); the
        # Lambda model reads BATCH as "the batch throws at the failed item".
        self.mode = (BATCH_PARTIAL_FIFO if queue.fifo else BATCH_PARTIAL) if self.partial else BATCH
        limit = props.get("maximum_concurrency")
        self.limit = min(int(limit), SCALE_MAX) if limit else SCALE_MAX
        # Lambda's pollers scale from five batches; a pipe reading the queue is not documented to (†).
        self.scales = getattr(self.consumer.node, "type", None) == "lambda"
        self.start_cap = min(SCALE_START, self.limit) if self.scales else self.limit
        self.cap = self.start_cap
        self.running = 0
        self.poll_scheduled = False     # a batching window or a throttle backoff is pending
        self.window_open = False
        self.window_token = 0
        self.backoff = False
        self.grow_anchor: float | None = None   # when the current scale-up began (messages waiting, all batches busy)
        self.grow_steps = 0
        self.sized = bool(self.window) or self.batch_size > 10   # can a batch reach the payload limit?
        self.dup_p = link.duplicate_probability
        self.vt_timer = True            # set in start(), once the consumer's timeout is known
        self._done_cb = self._done      # bound once, not per batch

    def start(self) -> None:
        # An invocation can still be running at the visibility timeout only if the function's timeout
        # (which bounds every invocation, slow synchronous calls included) reaches it.
        timeout = getattr(self.consumer, "timeout", None)
        self.vt_timer = timeout is None or float(timeout) >= self.queue.vt

    # polling -----------------------------------------------------------------------------
    def _full(self) -> bool:
        q = self.queue
        return q.n_visible >= self.batch_size or (self.sized and q.visible_bytes >= PAYLOAD_LIMIT_BYTES)

    def kick(self) -> None:
        if self.poll_scheduled:
            if self.window_open and self.running < self.cap and self._full():
                # The batch is full before the window ends: invoke it now.
                self.window_token += 1
                self.window_open = self.poll_scheduled = False
                self.poll(partial_ok=False)
            return
        if self.running >= self.cap:
            if self.queue.has_visible():
                self._wait()
            return
        if self.window and not self._full():
            if not self.queue.n_visible:
                return
            self.poll_scheduled = self.window_open = True
            self.window_token += 1
            self.queue.env.schedule(self.window, self._window_end, self.window_token)
            return
        self.poll(partial_ok=not self.window)

    def _window_end(self, token) -> None:
        if token != self.window_token:
            return
        self.window_open = self.poll_scheduled = False
        self.poll()

    def poll(self, partial_ok: bool = True) -> None:
        """Receive and invoke batches while a batch is allowed; with a batching window and `partial_ok`
        False only full batches go now, and the rest opens a new window."""
        q = self.queue
        while self.running < self.cap and not self.backoff:
            if not partial_ok and not self._full():
                self.kick()
                return
            batch = q.take(self.batch_size, self.sized)
            if not batch:
                return
            self.dispatch(batch)
        if not self.backoff and q.n_visible and (not q.fifo or q.ready):     # q.has_visible()
            self._wait()

    # scaling -----------------------------------------------------------------------------
    def _wait(self) -> None:
        """Messages are waiting and every allowed batch is busy: add one batch per 1/300 minute."""
        if not self.scales or self.cap >= self.limit or self.grow_anchor is not None:
            return
        self.grow_anchor = self.queue.env.now
        self.grow_steps = 0
        self._schedule_step()

    def _schedule_step(self) -> None:
        self.grow_steps += 1
        anchor = self.grow_anchor
        assert anchor is not None       # set by _wait before the first step
        at = anchor + self.grow_steps * 60.0 / SCALE_PER_MINUTE
        self.queue.env.at(at, self._step, self.grow_anchor)

    def _step(self, anchor) -> None:
        if anchor != self.grow_anchor:
            return
        q = self.queue
        if not q.has_visible() or self.cap >= self.limit or self.running < self.cap:
            self.grow_anchor = None            # no message is waiting for a batch: stop scaling up
            return
        self.cap += 1
        self._schedule_step()
        if not self.poll_scheduled:
            self.poll(partial_ok=not self.window)

    # invoking ----------------------------------------------------------------------------
    def dispatch(self, batch: list) -> None:
        """Hand a received batch to the consumer."""
        rt = self.rt
        n = len(batch)
        rt.hops += n
        self.link.delivered += n
        qid = self.queue.id
        for m in batch:
            m.hop_from = qid
        self.running += 1
        ctx: Any = batch
        if self.vt_timer:
            # The invocation may outlive the visibility timeout: the messages then become visible again.
            q = self.queue
            receipts = tuple(m.receipt for m in batch)
            ctx = (batch, receipts)
            q.env.at(batch[0].visible_at, q._reappear, ctx)
        consumer = self.consumer
        function = self.function
        if function is not None:
            function.invoke(batch, self._done_cb, self.mode, self.link, ctx)
        else:
            consumer.invoke(batch, self._done_cb, self.mode, self.link, ctx)
        p = self.dup_p
        if p and rt.rng.random() < p:
            # SQS delivered one message of the batch a second time (at-least-once).
            twin = batch[0].duplicate()
            twin.attempt = batch[0].attempt
            rt.hops += 1
            consumer.invoke([twin], _ignore, BATCH, self.link)

    def _done(self, ctx, failed, error, _output=None) -> None:
        self.running -= 1
        q = self.queue
        if self.vt_timer:
            q.settle(ctx[0], failed, ctx[1])
        elif not failed and not q.fifo:
            # The whole batch succeeded on a standard queue: `settle`'s first branch, without the call.
            inflight, s = q.inflight, q.stats
            for msg in ctx:
                if msg.state == IN_FLIGHT:
                    msg.state = DELETED
                    inflight.discard(msg)
                    s.processed += 1
                elif msg.state == VISIBLE:
                    q._delete(msg)
            if q.late_enq:
                for msg in ctx:
                    q.late_enq.pop(msg, None)
        else:
            q.settle(ctx, failed)
        if error == THROTTLE_ERROR:
            # Throttled: Lambda lowers the mapping's concurrency and backs off before the next receive.
            self.cap = max(1, min(self.cap, self.running))
            self.grow_anchor = None
            if not self.backoff:
                self.backoff = self.poll_scheduled = True
                self.window_open = False
                self.window_token += 1
                q.env.schedule(THROTTLE_BACKOFF_S, self._backoff_end)
            return
        if q.n_visible:
            if not self.poll_scheduled and not self.window and self.running < self.cap:
                self.poll()             # what `kick` does in this state, one call sooner
            else:
                self.kick()
        elif not self.running and self.cap != self.start_cap:
            # Traffic has stopped: back to five concurrent batches (when exactly is not published †).
            self.cap = self.start_cap
            self.grow_anchor = None

    def _backoff_end(self, _arg) -> None:
        self.backoff = self.poll_scheduled = False
        self.kick()


def _ignore(_ctx, _failed, _error, _output) -> None:
    """A duplicate delivery's answer: the original copy in the queue owns the message's fate."""


# Registered here rather than with `@model_for` on the class: mypyc compiles a class with a decorator as a
# plain Python class (no native attributes), and this module is compiled (simulator/_compiled.py).
model_for("sqs_queue")(QueueModel)
