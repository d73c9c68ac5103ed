"""Stores: DynamoDB tables (conditional writes, an optional stream) and Data Firehose.

A write is a side effect. With `conditional_writes` the table refuses a second write for the same
event id (`attribute_not_exists(pk)` → ConditionalCheckFailedException, semantics.md §7); the writer
treats that as "already done", so it is answered as success and counted as deduplicated.
DynamoDB Streams keep each change once, in order per item, for 24 hours.
"""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import Model
from simulator.services.streams import StreamLog, store_balance

DDB_STREAM_RETENTION_S = 24 * 3600.0


class TableModel(Model):
    accepts_puts = True

    def setup(self) -> None:
        p = self.node.prop
        self.conditional = bool(p("conditional_writes"))
        links = self.links("stream")
        self.log = StreamLog(self, links, 1, DDB_STREAM_RETENTION_S) if links and p("stream") else None
        if links and not p("stream"):
            self.rt.finding("SIM-NO-STREAM", f"nodes[{self.id}].props.stream", f"{self.node.title} has stream "
                            "consumers but `stream` is off: they receive nothing")

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        s = self.stats
        if self.conditional and msg.core.done & self.bit:
            s.deduplicated += 1
            self.rt.record(msg, link.source.id, self.id, "condition_failed", "item exists: not written again")
            if reply:
                reply(False, "ConditionalCheckFailedException", None)
            return
        self.side_effect(msg)
        s.processed += 1
        self.rt.record(msg, link.source.id, self.id, "written")
        if reply:
            reply(True, None, None)
        if self.log is not None:
            body = msg.core.body
            key = str(body.get("id", body.get("pk", msg.core.id))) if isinstance(body, dict) else str(msg.core.id)
            change = self.rt.derive(msg, {"eventName": "INSERT", "dynamodb": {"NewImage": body}})
            self.log.append(key, change)

    def balance(self) -> list[str]:
        return store_balance(self, self.log)


class FirehoseModel(Model):
    """Buffers records and delivers one object per buffer interval to its destinations."""
    accepts_puts = True

    def setup(self) -> None:
        self.interval = max(1.0, float(self.node.prop("buffer_interval_s")))
        self.buffer: list = []
        self.destinations = self.links("delivery")
        self.flush_scheduled = False

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        self.buffer.append(msg)
        if reply:
            reply(True, None, None)
        if not self.flush_scheduled:
            self.flush_scheduled = True
            self.env.schedule(self.interval, self._flush)

    def invoke(self, msgs, done, mode, link=None, ctx=None) -> None:
        """Firehose reading a Kinesis stream: records join the buffer."""
        for m in msgs:
            self.receive(link, m, None)
        done(ctx, [], None, None)

    def _flush(self, _arg) -> None:
        self.flush_scheduled = False
        batch, self.buffer = self.buffer, []
        self.stats.processed += len(batch)
        if batch:
            for dest in self.destinations:
                obj = self.rt.derive(batch[0], {"records": len(batch)})
                self.rt.deliver(dest, obj)

    def balance(self) -> list[str]:
        s = self.stats
        s.in_flight = len(self.buffer)
        if s.received != s.processed + s.reported + s.in_flight:
            return [f"{self.id}: received {s.received}, processed {s.processed} + reported {s.reported} + "
                    f"buffered {s.in_flight}"]
        return []
