"""The runtime a run's service models share: clock, seeded randomness, links, faults, trace.

Work that can be done once per design (resolving edges, compiling filters, looking up faults)
is done here at build time, so the per-hop path only reads attributes.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from simulator.engine import Environment
from simulator.messages import EventCore, Message
from simulator.metrics import NodeStats

if TYPE_CHECKING:
    from simulator.services.base import Model

# Without `max_hops` a run may take this many hops per event that enters, and at least the floor: a design with
# a cycle stops in seconds (about 3 s at the floor here) with a finding, while a big workload is never cut short.
DEFAULT_MAX_HOPS_FLOOR = 1_000_000
DEFAULT_HOPS_PER_EVENT = 200


@dataclass
class Faults:
    """Injected faults for one node (scenario `inject.nodes.<id>`)."""
    failure_probability: float = 0.0
    outages: tuple[tuple[float, float], ...] = ()
    latency_s: float = 0.0
    throttle_concurrency: int | None = None
    crash_after_side_effect_probability: float = 0.0
    error: str = "InjectedFailure"
    error_given: bool = False        # the scenario named the error (it then overrides a node's error_name)
    poison: Any = None               # compiled event pattern: matching events always fail here
    callback_delay_s: Any = None     # seconds as the scenario gives them (an int stays an int)
    callback_lost_probability: float = 0.0
    duration_s: Any = None

    def in_outage(self, now: float) -> bool:
        for start, end in self.outages:
            if start <= now < end:
                return True
        return False


NO_FAULTS = Faults()


class Link:
    """A resolved edge: both models, its kind, props, and its delivery settings. (A plain class, not a
    dataclass, so that compiled code knows `target` is a Model; equality is identity, as before.)"""
    __slots__ = ("key", "source", "target", "kind", "props", "duplicate_probability", "latency_s", "jitter_s",
                 "matcher", "instant", "delivered", "filtered", "extra")

    def __init__(self, key: str, source: Any, target: Model, kind: str, props: dict,
                 duplicate_probability: float = 0.0, latency_s: float = 0.0, jitter_s: float = 0.0,
                 matcher: Any = None, instant: bool = False, delivered: int = 0, filtered: int = 0,
                 extra: dict | None = None) -> None:
        self.key = key
        self.source: Any = source    # a model, or run.py's stand-in for a producer outside the design
        self.target = target
        self.kind = kind
        self.props = props
        self.duplicate_probability = duplicate_probability
        self.latency_s = latency_s
        self.jitter_s = jitter_s
        self.matcher: Any = matcher  # compiled filter policy / event pattern, when the edge has one
        self.instant = instant       # the target answers within `receive` (set when models are built)
        self.delivered = delivered
        self.filtered = filtered
        self.extra: dict = {} if extra is None else extra

    def __repr__(self) -> str:
        return (f"Link(key={self.key!r}, kind={self.kind!r}, props={self.props!r}, "
                f"duplicate_probability={self.duplicate_probability!r})")


def _no_workload(_node_id: str) -> bool:
    return False


class Runtime:
    def __init__(self, seed: int, until_s: float, trace: bool, max_hops: int, trace_cap: int = 200_000) -> None:
        self.env = Environment()
        self.seed = seed
        self.rng = random.Random(seed)
        self.until = until_s
        self.trace: list[Any] | None = [] if trace else None
        self.trace_cap = trace_cap
        self.trace_truncated = False
        self.max_hops = max_hops
        self.hops = 0
        self.models: dict[str, Any] = {}
        self.stats: dict[str, NodeStats] = {}
        self.findings: list[dict] = []
        self._next_event = 0
        self._next_trace = 0
        # Lambda's account-wide concurrency (one account and Region per run): the pool that functions
        # without reserved concurrency share, built by the first Lambda model's setup (lambda_fn.py).
        self.lambda_account: Any = None
        # Set by run.py before the models are set up: does a workload entry drive this node; the dead-letter
        # link from a model to a node id.
        self.has_workload: Callable[[str], bool] = _no_workload
        self.dead_letter_link: Any = None

    # events ------------------------------------------------------------------------------
    def new_event(self, body: Any, attributes: Any = None, trace: int | None = None,
                  group: str | None = None) -> Message:
        self._next_event += 1
        if trace is None:
            self._next_trace += 1
            trace = self._next_trace
        core = EventCore(self._next_event, trace, body, attributes, self.env.now, group, self._next_event)
        return Message(core)

    def derive(self, parent: Message, body: Any) -> Message:
        """A new event (new id) caused by `parent`: same trace id (the event relay rule)."""
        core = parent.core
        return self.new_event(body, core.attributes, core.trace, core.group)

    @property
    def events_created(self) -> int:
        """Events that entered the run (workload, schedules, and those derived from them)."""
        return self._next_event

    # delivery ----------------------------------------------------------------------------
    def deliver(self, link: Link, msg: Message, reply: Any = None) -> None:
        """Send a copy along a link: injected duplicates and latency apply here."""
        self.hops += 1
        if self.hops > self.max_hops:
            self.env.stop_requested = "max_hops"   # finish this event, then stop: no half-done hop
        link.delivered += 1
        msg.hop_from = link.source.id
        p = link.duplicate_probability
        twin = msg.duplicate() if p and self.rng.random() < p else None
        delay = link.latency_s
        if link.jitter_s:
            delay += self.rng.random() * link.jitter_s
        if delay:
            self.env.schedule(delay, self._arrive, (link, msg, reply))
        else:
            link.target.receive(link, msg, reply)
        if twin is not None:
            self.hops += 1
            # A duplicate arrives a moment after the original; nobody waits for its answer.
            self.env.schedule(delay + self.rng.random() * 0.05, self._arrive, (link, twin, None))

    def put(self, link: Link, msg: Message) -> str | None:
        """`deliver` for a link whose target answers at once (`link.instant`): the error, or None.
        Same bookkeeping and the same random draws as `deliver`, without a reply callback."""
        self.hops += 1
        if self.hops > self.max_hops:
            self.env.stop_requested = "max_hops"
        link.delivered += 1
        msg.hop_from = link.source.id
        p = link.duplicate_probability
        twin = msg.duplicate() if p and self.rng.random() < p else None
        error = link.target.put(link, msg)
        if twin is not None:
            self.hops += 1
            self.env.schedule(self.rng.random() * 0.05, self._arrive, (link, twin, None))
        return error

    def _arrive(self, args: Any) -> None:
        link, msg, reply = args
        link.target.receive(link, msg, reply)

    # records -----------------------------------------------------------------------------
    def record(self, msg: Message, source: str, target: str, outcome: str, detail: Any = "") -> None:
        if self.trace is None:
            return
        if len(self.trace) >= self.trace_cap:
            self.trace_truncated = True
            return
        self.trace.append((round(self.env.now, 6), msg.core.id, msg.core.trace, source, target, msg.attempt,
                           outcome, detail, msg.copy))

    def finding(self, finding_id: str, path: str, message: str) -> None:
        if not any(f["id"] == finding_id and f["path"] == path for f in self.findings):
            self.findings.append({"id": finding_id, "path": path, "message": message})
