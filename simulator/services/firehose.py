"""Data Firehose: buffers records and delivers one object per buffer interval to its destinations."""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import Model, model_for


@model_for("firehose")
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
