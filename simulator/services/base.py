"""What every service model shares: identity, counters, faults, outgoing links, the ledger check.

Protocol between models (all calls happen at the simulated instant they describe):
- `receive(link, msg, reply)`: a delivery arriving over `link`. `reply(ok, error, output)` is called
  exactly once when the sender is owed an answer (None when nobody waits).
- `balance()`: ledger problems at the end of a run, each naming this node; the models scan their own
  state for what is still in flight rather than trusting counters.
"""
from __future__ import annotations

from typing import Any, ClassVar

from design.adapters import Adapters
from simulator.messages import Message
from simulator.metrics import NodeStats
from simulator.runtime import NO_FAULTS, Faults, Link, Runtime

try:
    from mypy_extensions import mypyc_attr
except ImportError:          # pure Python without mypy installed: the decorator only matters to mypyc
    def mypyc_attr(*_args: Any, **_kwargs: Any) -> Any:  # type: ignore[misc]
        return lambda cls: cls


# The model class of each service type: `@model_for("sqs_queue")` on the class; simulator.services.load_models
# imports every model module and checks that each registry type has one.
MODELS = Adapters("simulator model")
model_for = MODELS.register


@mypyc_attr(allow_interpreted_subclasses=True)
class Model:
    # Compiled (mypyc) or not, a model module that is not compiled may subclass this.
    accepts_puts: ClassVar[bool] = False   # a managed store/router that answers a put at once (queue, topic, bus, ...)

    def __init__(self, rt: Runtime, node: Any, index: int, faults: Faults | None) -> None:
        self.rt = rt
        self.env = rt.env
        self.node = node
        self.id = node.id
        self.index = index
        self.bit = 1 << index
        self.stats = NodeStats()
        self.faults = faults or NO_FAULTS
        self.out: list[Link] = []
        self.inbound: list[Link] = []

    def links(self, *kinds: str) -> list[Link]:
        return [link for link in self.out if link.kind in kinds]

    def link(self, kind: str) -> Link | None:
        found = self.links(kind)
        return found[0] if found else None

    def setup(self) -> None:
        """Called once all links exist: read props, precompute what the hot path needs."""

    def start(self) -> None:
        """Called once before the run: schedule anything the model does by itself."""

    # the default for a node that only receives and succeeds (a sink) ---------------------
    def receive(self, link: Any, msg: Message, reply: Any) -> None:
        if self.refuse(link, msg, reply):
            return
        s = self.stats
        self.side_effect(msg)
        s.processed += 1
        self.rt.record(msg, link.source.id, self.id, "processed")
        if reply:
            reply(True, None, msg.core.body)

    def put(self, link: Link, msg: Message) -> str | None:
        """A delivery whose answer is needed at once: the error, or None. Models that answer inside
        `receive` get this for free; the queue overrides it because it sits on the hot path."""
        answer: list[Any] = []
        self.receive(link, msg, lambda ok, error, _out: answer.append(None if ok else (error or "Error")))
        return answer[0] if answer else None

    def refuse(self, link: Any, msg: Message, reply: Any) -> bool:
        """Count the put; refuse it (outage) with an error to the sender. True when refused."""
        s = self.stats
        s.received += 1
        if msg.copy:
            s.duplicates_delivered += 1
        if self.faults is NO_FAULTS:
            return False            # nothing injected here: every put is accepted
        error = self.fault_error(msg)
        if error:
            s.failed += 1
            s.reported += 1
            self.rt.record(msg, link.source.id if link else self.id, self.id, "rejected", error)
            if reply:
                reply(False, error, None)
            return True
        return False

    def fault_error(self, msg: Message) -> str | None:
        f = self.faults
        if f is NO_FAULTS:
            return None
        if f.outages and f.in_outage(self.env.now):
            return "ServiceUnavailable" if self.accepts_puts else f.error
        if f.poison is not None and f.poison.matches(msg.core.body):
            return f.error
        if f.failure_probability and self.rt.rng.random() < f.failure_probability:
            return f.error
        return None

    key_path: tuple[str, ...] = ()      # business idempotency key (a path into the payload), when set
    business_keys: dict[str, float] | None = None

    def side_effect(self, msg: Message, idempotent: bool = False, expiry: float = 0.0) -> bool:
        """Perform this node's side effect for msg; False when an idempotent node skipped a repeat."""
        core = msg.core
        bit = self.bit
        if idempotent and self.key_path and self._seen_business_key(core.body, expiry):
            self.stats.deduplicated += 1
            return False
        if core.done & bit:
            if idempotent and (core.done_at is None or self.env.now - core.done_at.get(self.index, 0) <= expiry):
                self.stats.deduplicated += 1
                return False
            self.stats.duplicate_side_effects += 1
        core.done |= bit
        if idempotent:
            if core.done_at is None:
                core.done_at = {}
            core.done_at[self.index] = self.env.now
        return True

    def _seen_business_key(self, body: Any, expiry: float) -> bool:
        """Powertools-style record keyed by a payload field: a new event with the same key is a repeat.
        A payload without the key is never a repeat (Powertools would raise; here it is processed)."""
        value = body
        for part in self.key_path:
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        key = repr(value)
        now = self.env.now
        store = self.business_keys
        if store is None:
            store = self.business_keys = {}
        seen = store.get(key)
        if seen is not None and now - seen <= expiry:
            return True
        store[key] = now
        return False

    def in_flight(self) -> int:
        return 0

    def balance(self) -> list[str]:
        s = self.stats
        s.in_flight = self.in_flight()
        settled = s.processed + s.reported + s.returned + s.dead_lettered + s.dropped + s.filtered + s.in_flight \
            + self.resolved_by_retry() + self.settled_extra()
        if settled != s.received:
            return [f"{self.id}: received {s.received}, settled {settled} ({self.ledger_text()})"]
        return []

    def resolved_by_retry(self) -> int:
        """Failed attempts settled by a later attempt this node itself made (its own retries)."""
        return 0

    def settled_extra(self) -> int:
        return 0

    def ledger_text(self) -> str:
        s = self.stats
        return (f"processed {s.processed}, reported {s.reported}, returned {s.returned}, dead-lettered "
                f"{s.dead_lettered}, dropped {s.dropped}, filtered {s.filtered}, in flight {s.in_flight}, "
                f"retried {self.resolved_by_retry()}, other {self.settled_extra()}")

