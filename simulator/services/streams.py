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
from simulator.services.base import Model

RETRY_BACKOFF_CAP_S = 60.0   # Lambda's stream retry backoff is not published: doubling from 1 s, capped †


def shard_of(key: str, shards: int) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big") % shards


class Lane:
    __slots__ = ("records", "busy", "attempts", "limit", "retry_scheduled")

    def __init__(self):
        self.records: deque = deque()
        self.busy = False
        self.attempts = 0
        self.limit = 0
        self.retry_scheduled = False


class StreamReader:
    """One consumer's event source mapping over a stream: in order per shard (per key when parallel)."""

    def __init__(self, owner: Model, link, shards: int, retention_s: float):
        self.owner = owner
        self.link = link
        self.consumer = link.target
        props = link.props
        self.batch_size = int(props.get("batch_size") or 100)
        self.retries = props.get("retry_attempts")
        self.retries = -1 if self.retries is None else int(self.retries)
        age = props.get("max_event_age_s")
        self.max_age = retention_s if age in (None, -1) else min(float(age), retention_s)
        self.bisect = bool(props.get("bisect_on_error"))
        self.partial = bool(props.get("report_batch_item_failures"))
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
        while lane.records and env.now - lane.records[0].born > self.max_age:
            self._discard(lane, [lane.records.popleft()], "record_expired")
        if not lane.records:
            return
        size = min(self.batch_size, lane.limit or self.batch_size, len(lane.records))
        batch = [lane.records[i] for i in range(size)]
        for m in batch:
            m.attempt = lane.attempts + 1
            m.hop_from = self.owner.id
        lane.busy = True
        self.owner.rt.hops += len(batch)
        self.link.delivered += len(batch)
        self.consumer.invoke(batch, self._done, "batch_partial" if self.partial else "batch", self.link, (lane, batch))

    def _done(self, ctx, failed: list, _error=None, _output=None) -> None:
        lane, batch = ctx
        lane.busy = False
        if not failed:
            for _ in batch:
                lane.records.popleft()
            self.consumed += len(batch)
            lane.attempts = 0
            lane.limit = 0
            self.kick(lane)
            return
        first = 0
        if self.partial:
            # Checkpoint at the lowest failed record: everything before it is done.
            first = min(batch.index(m) for m in failed)
            for _ in range(first):
                lane.records.popleft()
            self.consumed += first
            if first:
                lane.attempts = 0
        lane.attempts += 1
        if self.retries != -1 and lane.attempts > self.retries:
            size = min(len(batch) - first, len(lane.records))
            gone = [lane.records.popleft() for _ in range(size)]
            self._discard(lane, gone, "retries_exhausted")
            lane.attempts = 0
            lane.limit = 0
            self.kick(lane)
            return
        if self.bisect and len(batch) > 1:
            lane.limit = max(1, len(batch) // 2)
        lane.retry_scheduled = True
        wait = min(RETRY_BACKOFF_CAP_S, 2.0 ** (lane.attempts - 1))
        self.owner.env.schedule(wait, self._retry, lane)

    def _retry(self, lane: Lane) -> None:
        lane.retry_scheduled = False
        self.kick(lane)

    def _discard(self, lane: Lane, msgs: list, reason: str) -> None:
        owner = self.owner
        self.discarded += len(msgs)
        on_failure = getattr(self.consumer, "on_failure", None)   # the mapping's on-failure destination
        for m in msgs:
            if on_failure is not None:
                owner.stats.dead_lettered += 1
                owner.rt.record(m, owner.id, on_failure.target.id, "dead_lettered", reason)
                info = {"requestContext": {"condition": reason}, "record": m.core.body}
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
