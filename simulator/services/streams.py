"""Kinesis Data Streams and DynamoDB Streams, read by Lambda event source mappings (or pipes).

Numbers (semantics.md §1, §6, §7): batch size 100 by default; `MaximumRetryAttempts` −1 (until the
record expires) or 0–10,000; `MaximumRecordAgeInSeconds` −1 or 60–604,800; batches from a shard run
in order and a failing batch blocks its shard until it succeeds, expires or uses up its retries;
`BisectBatchOnFunctionError` splits a failing batch in two; with partial batch responses Lambda
checkpoints at the lowest failed record and retries from there; `ParallelizationFactor` 1–10 keeps
order per partition key. The shard is picked by an MD5 hash of the partition key. Retention 24 h.
"""
from __future__ import annotations

import hashlib
from collections import deque

from simulator.messages import Message
from simulator.services.base import Model, model_for
from simulator.services.lambda_fn import BATCH, BATCH_PARTIAL

RETRY_BACKOFF_CAP_S = 60.0   # Lambda's stream retry backoff is not published: doubling from 1 s, capped †
_BACKOFF_DOUBLINGS = 6       # 2 ** 6 = 64 s > the cap: the exponent never grows past this (no overflow)
THROTTLE_ERROR = "TooManyRequestsException"


def shard_of(key: str, shards: int) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big") % shards


def backoff(failures: int) -> float:
    """Wait before retrying a failed batch after `failures` consecutive failures (†: unpublished curve)."""
    if failures > _BACKOFF_DOUBLINGS:
        return RETRY_BACKOFF_CAP_S
    return min(RETRY_BACKOFF_CAP_S, 2.0 ** max(0, failures - 1))


class Lane:
    """One shard (or, with a parallelization factor, one key range of a shard): records in order."""
    __slots__ = ("records", "busy", "retries", "fails", "halves", "retry_scheduled", "window_until", "window_id",
                 "failing")

    def __init__(self):
        self.records: deque = deque()
        self.busy = False
        self.retries = 0            # retries of the batch at the head that count toward MaximumRetryAttempts
        self.fails = 0              # consecutive failed attempts (drives the backoff)
        self.halves: list = []      # bisection: sizes of the sub-batches still to run (a stack, next on top)
        self.retry_scheduled = False
        self.window_until = None    # end of the open batching window, when one is open
        self.window_id = 0
        self.failing = False        # the head batch failed: its retry does not wait for a window


class StreamReader:
    """One consumer's event source mapping over a stream: in order per shard (per key when parallel).

    Error handling (kinesis-on-failure-destination / services-dynamodb-errors): a function error is
    retried until the records expire, exceed MaximumRecordAgeInSeconds, or use up MaximumRetryAttempts;
    a throttle ("before invocation") is retried until the records expire or exceed the maximum age and
    never counts toward the retry quota; with BisectBatchOnFunctionError a failed batch is split in two
    and "splitting batches doesn't consume the retry quota" — only a failing batch of one record counts.
    Batching window (MaximumBatchingWindowInSeconds): Lambda keeps gathering records until the batch is
    full or the window expires; the next window begins when the previous invocation completes. The 6 MB
    payload limit is not modelled: the simulator does not size records.
    """

    def __init__(self, owner: Model, link, shards: int, retention_s: float):
        self.owner = owner
        self.link = link
        self.consumer = link.target
        props = link.props
        node = self.consumer.node
        if node.type == "pipe":
            # A pipe's source batch size is the pipe's own setting (SourceParameters.*.BatchSize).
            self.batch_size = int(node.prop("batch_size") or 1)
        else:
            self.batch_size = int(props.get("batch_size") or 100)
        self.window = float(props.get("batching_window_s") or 0.0)
        self.retries = props.get("retry_attempts")
        self.retries = -1 if self.retries is None else int(self.retries)
        age = props.get("max_event_age_s")
        self.retention = retention_s
        self.max_age = retention_s if age in (None, -1) else min(float(age), retention_s)
        self.expiry_reason = "record_expired" if self.max_age >= retention_s else "max_record_age"
        self.bisect = bool(props.get("bisect_on_error"))
        self.partial = bool(props.get("report_batch_item_failures"))
        self.mode = BATCH_PARTIAL if self.partial else BATCH
        self.factor = int(props.get("parallelization_factor") or 1)
        self.lanes = [Lane() for _ in range(shards * self.factor)]
        self.enqueued = 0
        self.consumed = 0
        self.discarded = 0

    def add(self, shard: int, key: str, msg: Message) -> None:
        lane = self.lanes[shard * self.factor + (shard_of(key, self.factor) if self.factor > 1 else 0)]
        lane.records.append(msg)
        self.enqueued += 1
        self.kick(lane)

    def kick(self, lane: Lane) -> None:
        if lane.busy or lane.retry_scheduled or not lane.records:
            return
        env = self.owner.env
        now = env.now
        records = lane.records
        if now - records[0].born >= self.max_age:
            while records and now - records[0].born >= self.max_age:
                self._discard([records.popleft()], self.expiry_reason)
            self._reset(lane)         # the head batch changed: a new batch, a fresh retry quota
            if not records:
                return
        size = min(self.batch_size, len(records))
        if lane.halves:
            size = min(size, lane.halves[-1])
        elif self.window and not lane.failing and size < self.batch_size:
            # Keep gathering until the batch is full or the window expires.
            if lane.window_until is None:
                lane.window_until = now + self.window
                lane.window_id += 1
                env.schedule(self.window, self._window_end, (lane, lane.window_id))
                return
            if now < lane.window_until:
                return
        lane.window_until = None
        batch = [records[i] for i in range(size)]
        oid = self.owner.id
        for m in batch:
            m.receives += 1             # how many times this record has been delivered
            m.attempt = m.receives
            m.hop_from = oid
        lane.busy = True
        self.owner.rt.hops += size
        self.link.delivered += size
        self.consumer.invoke(batch, self._done, self.mode, self.link, (lane, batch))

    def _window_end(self, arg) -> None:
        lane, window_id = arg
        if lane.window_id == window_id and lane.window_until is not None:
            self.kick(lane)

    def _reset(self, lane: Lane) -> None:
        lane.retries = 0
        lane.fails = 0
        lane.halves.clear()
        lane.failing = False

    def _done(self, ctx, failed: list, error=None, _output=None) -> None:
        lane, batch = ctx
        lane.busy = False
        records = lane.records
        if not failed:
            for _ in batch:
                records.popleft()
            self.consumed += len(batch)
            if lane.halves:
                lane.halves.pop()       # this half is done; the next one (if any) runs next
                lane.retries = 0
                lane.fails = 0
                lane.failing = bool(lane.halves)
            else:
                self._reset(lane)
            self.kick(lane)
            return
        first = 0
        if self.partial and error != THROTTLE_ERROR:
            # Checkpoint at the lowest failed sequence number: everything before it is done.
            failed_ids = {id(m) for m in failed}
            first = next(i for i, m in enumerate(batch) if id(m) in failed_ids)
            for _ in range(first):
                records.popleft()
            self.consumed += first
            if first:
                self._reset(lane)       # progress: the retry starts a new batch at the checkpoint
        rest = len(batch) - first
        lane.failing = True
        lane.fails += 1
        if error == THROTTLE_ERROR:
            pass                        # before invocation: retried until expiry, never counts as a retry
        elif self.bisect and rest > 1:
            # Split in two; the split does not consume the retry quota.
            if lane.halves:
                lane.halves.pop()
            half = rest // 2
            lane.halves.append(rest - half)
            lane.halves.append(half)
        else:
            lane.retries += 1
            if self.retries != -1 and lane.retries > self.retries:
                gone = [records.popleft() for _ in range(min(rest, len(records)))]
                self._discard(gone, "retries_exhausted")
                if lane.halves:
                    lane.halves.pop()
                lane.retries = 0
                lane.fails = 0
                lane.failing = bool(lane.halves)
                self.kick(lane)
                return
        wait = backoff(lane.fails)
        if records:
            # Do not wait past the moment the head record expires: it is discarded then.
            wait = max(0.0, min(wait, records[0].born + self.max_age - self.owner.env.now))
        lane.retry_scheduled = True
        self.owner.env.schedule(wait, self._retry, lane)

    def _retry(self, lane: Lane) -> None:
        lane.retry_scheduled = False
        self.kick(lane)

    def _discard(self, msgs: list, reason: str) -> None:
        owner = self.owner
        self.discarded += len(msgs)
        # The mapping's on-failure destination (a function's on_failure edge, a pipe's dead_letter edge).
        on_failure = getattr(self.consumer, "on_failure", None)
        for m in msgs:
            if on_failure is not None:
                owner.stats.dead_lettered += 1
                owner.rt.record(m, owner.id, on_failure.target.id, "dead_lettered", reason)
                # AWS sends batch metadata (shard, sequence range) to an SQS/SNS destination; the simulator
                # sends one record per discarded record, with the record, so a class can see which †.
                info = {"requestContext": {"condition": reason, "approximateInvokeCount": m.receives},
                        "record": m.core.body}
                owner.rt.deliver(on_failure, owner.rt.derive(m, info))
            else:
                owner.stats.drop(reason)
                owner.rt.record(m, owner.id, self.consumer.id, "dropped", reason)

    def pending(self) -> int:
        return sum(len(lane.records) for lane in self.lanes)


class StreamLog:
    """The records of a stream and its readers (shared by Kinesis and DynamoDB Streams)."""

    def __init__(self, owner: Model, links, shards: int, retention_s: float):
        self.owner = owner
        self.shards = shards
        self.readers = [StreamReader(owner, link, shards, retention_s) for link in links]

    def append(self, key: str, msg: Message) -> None:
        shard = shard_of(key, self.shards) if self.shards > 1 else 0
        for reader in self.readers:
            copy = Message(msg.core, msg.copy)
            copy.born = self.owner.env.now
            reader.add(shard, key, copy)

    def problems(self) -> list[str]:
        out = []
        for r in self.readers:
            if r.enqueued != r.consumed + r.discarded + r.pending():
                out.append(f"{self.owner.id}→{r.consumer.id}: {r.enqueued} records, {r.consumed} consumed + "
                           f"{r.discarded} discarded + {r.pending()} pending")
        return out

    def pending(self) -> int:
        return sum(r.pending() for r in self.readers)


@model_for("kinesis_stream")
class KinesisModel(Model):
    accepts_puts = True

    def setup(self) -> None:
        p = self.node.prop
        self.key_field = p("partition_key")
        self.log = StreamLog(self, self.links("event_source"), int(p("shard_count")), float(p("retention_h")) * 3600)

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        s = self.stats
        s.processed += 1
        body = msg.core.body
        key = str(body.get(self.key_field)) if self.key_field and isinstance(body, dict) and self.key_field in body \
            else str(msg.core.id)
        self.rt.record(msg, link.source.id, self.id, "stored", f"partition key {key}")
        if reply:
            reply(True, None, None)
        self.log.append(key, msg)

    def balance(self) -> list[str]:
        return store_balance(self, self.log)


def store_balance(model: Model, log: StreamLog | None) -> list[str]:
    """A store's two ledgers: puts (processed, refused, or condition-checked) and, when it has a
    stream, the records each reader got (consumed, discarded, or pending)."""
    s = model.stats
    s.in_flight = log.pending() if log else 0
    problems = []
    if s.received != s.processed + s.reported + s.deduplicated:
        problems.append(f"{model.id}: received {s.received}, processed {s.processed} + reported {s.reported} + "
                        f"deduplicated {s.deduplicated}")
    return problems + (log.problems() if log else [])
