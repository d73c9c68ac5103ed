"""Events and the copies of them that travel.

An `EventCore` is one event (one id); a `Message` is one copy of it travelling through the
design. Duplicates share the core, so "has this node already succeeded on this event id" is a
bit in the core, and memory is released when the last copy is gone (flat in metrics-only mode).
"""
from __future__ import annotations

from typing import Any


class EventCore:
    __slots__ = ("id", "trace", "body", "attributes", "created", "done", "done_at", "group", "seq", "lineage")

    def __init__(self, event_id: int, trace: int, body: Any, attributes: Any, created: float,
                 group: str | None = None, seq: int = 0) -> None:
        self.id = event_id
        self.trace = trace
        self.body: Any = body
        self.attributes: Any = attributes
        self.created = created
        self.done = 0          # bitmask: nodes (by index) that already performed this event's side effect
        self.done_at: dict[int, float] | None = None   # {node index: time} for idempotency-store expiry, when needed
        self.group: str | None = group     # FIFO message group, when one applies
        self.seq = seq         # order of creation (sequence number for ordering checks)
        self.lineage = 0       # Lambda invocations in this event's chain through SQS, SNS, S3 and Lambda


class Message:
    """One copy in transit. `copy` marks an extra (duplicate) copy; `attempt` counts attempts at the
    current hop; `receives` is SQS's ReceiveCount (a stream's delivery count); `born` is when it entered its
    current buffer."""
    __slots__ = ("core", "copy", "attempt", "receives", "born", "hop_from", "visible_at", "retry_delays", "error",
                 "receipt", "state", "async_errors", "async_throttles")
    # Lambda's asynchronous invocation, set when a copy enters a function's internal queue (LambdaModel.receive)
    # and read only after that: function errors so far (retries taken) and throttles so far (the backoff's
    # exponent). Not set in __init__, so copies that never meet an async invocation do not pay for them.
    async_errors: int
    async_throttles: int

    def __init__(self, core: EventCore, copy: bool = False) -> None:
        self.core = core
        self.copy = copy
        self.attempt = 0
        self.receives = 0
        self.born = 0.0
        self.hop_from = ""
        self.visible_at = 0.0
        self.retry_delays: Any = None   # a router's retry-delay iterator (made on the first failure)
        self.error: Any = None
        self.receipt = 0       # SQS: which receive this copy is on (stale timers compare it)
        self.state = 0         # SQS: 0 visible, 1 in flight, 2 deleted

    def duplicate(self) -> "Message":
        twin = Message(self.core, True)
        twin.hop_from = self.hop_from
        return twin

    def fresh(self) -> "Message":
        """Same event, same copy-ness, attempt counters reset (for the next hop)."""
        nxt = Message(self.core, self.copy)
        nxt.hop_from = self.hop_from
        return nxt
