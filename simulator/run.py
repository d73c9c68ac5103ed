"""Build the service models for a design, apply a scenario, run the clock, and collect the Run."""
from __future__ import annotations

from dataclasses import dataclass, field

from design.model import Design
from design.connections import infer_kind
from design.edge_kinds import AT_LEAST_ONCE_KINDS, DELIVERY_KINDS_ASYNC, FAILURE_PATH_KINDS
from design.registry import BY_NAME, TYPES
from design.scenario import DEFAULT_UNTIL_S, scenario_problems
from matching import PatternError, compile_filter_policy, compile_pattern
from simulator.metrics import conservation, totals
from simulator.runtime import DEFAULT_HOPS_PER_EVENT, DEFAULT_MAX_HOPS_FLOOR, Faults, Link, Runtime
from simulator.services import load_models
from simulator.services.alarm import AlarmModel
from simulator.services.bus import BusModel, ScheduleModel
from simulator.services.clients import ClientModel
from simulator.services.lambda_fn import LambdaModel
from simulator.services.queue import QueueModel

MODELS = load_models()   # type name → model class, each registered by @model_for where it is defined

SERIES_POINTS = 120


class ScenarioError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Run:
    seed: int
    until_s: float
    stopped_by: str
    nodes: dict
    totals: dict
    conservation: dict
    findings: list
    edges: dict
    clients: dict
    alarms: dict
    breakers: dict
    series: dict
    hops: int
    trace: list | None = None
    trace_truncated: bool = False
    node_types: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    # What the cost model reads beyond the counters (node props, injected latency, payload sizes).
    design: object = field(default=None, repr=False, compare=False)
    scenario: dict | None = field(default=None, repr=False, compare=False)

    @property
    def nothing_entered(self) -> bool:
        return not any(n["received"] for n in self.nodes.values()) and not any(
            c["sent"] for c in self.clients.values())

    def to_json(self) -> dict:
        return {"seed": self.seed, "until_s": self.until_s, "stopped_by": self.stopped_by, "hops": self.hops,
                "notes": self.notes,
                "totals": self.totals, "nodes": self.nodes, "conservation": self.conservation,
                "findings": self.findings, "edges": self.edges, "clients": self.clients, "alarms": self.alarms,
                "breakers": self.breakers, "cost": self.cost()}

    def cost(self, **options) -> dict | None:
        """The run's bill (simulator.cost; DESIGN.md `cost`): list prices, us-east-1, no free tier unless asked."""
        if self.design is None:
            return None
        from simulator.cost import price_run
        return price_run(self, **options).to_json()


def simulate(design: Design, scenario: dict | None = None, seed: int | None = None, trace: bool = False,
             progress=None) -> Run:
    """Run `design` under `scenario` (default: the design's own, else a single event from each client)."""
    scenario = scenario if scenario is not None else (design.scenario or {})
    node_ids = {n.id for n in design.nodes}
    problems = scenario_problems(scenario, node_ids, {e.key for e in design.edges})
    if problems:
        raise ScenarioError(problems)
    seed = int(seed if seed is not None else scenario.get("seed", 0))
    until = float(scenario.get("until_s", DEFAULT_UNTIL_S))
    rt = Runtime(seed, until, trace, int(scenario.get("max_hops") or default_max_hops(scenario, design)))
    inject = scenario.get("inject") or {}
    workload = scenario.get("workload")
    notes: list[str] = []
    if workload is None:
        workload, inferred = entry_points(design)
        if inferred:
            notes.append("No workload given: one event entered at each inferred entry point ("
                         + ", ".join(inferred) + ").")
        unread = _entry_candidates(design)[1]
        if unread:
            notes.append("Not used as entry points, since nothing in the design reads what enters them ("
                         + ", ".join(unread) + ").")
    refused = [w["source"] for w in workload if design.node(w["source"]).type in _NOT_AN_ENTRY]
    if refused:
        raise ScenarioError([f"workload: {nid!r} is a {design.node(nid).type}: nothing outside the design can "
                             "send into it" for nid in refused])
    sources = {w["source"] for w in workload}
    rt.has_workload = sources.__contains__
    _build(design, rt, inject)
    _schedule_workload(rt, workload)
    for spec in scenario.get("replays", []) or []:
        bus = rt.models[spec["bus"]]
        if isinstance(bus, BusModel):
            rt.env.at(float(spec.get("at_s", until)), lambda _a, bus=bus, spec=spec: bus.replay(spec))
    for spec in scenario.get("redrives", []) or []:
        queue = rt.models[spec["queue"]]
        if isinstance(queue, QueueModel):
            rt.env.at(float(spec.get("at_s", until)), lambda _a, q=queue, spec=spec: _redrive(rt, q, spec))
        else:
            rt.finding("SIM-REDRIVE", "scenario.redrives", f"{spec['queue']!r} is not a queue; nothing redriven")
    series = _Sampler(rt)
    steps = 20 if progress else 1
    for i in range(1, steps + 1):
        rt.env.run(until * i / steps)
        if rt.env.stopped_by in ("max_hops",):
            break
        if progress:
            progress(i / steps)
    if rt.env.stopped_by == "max_hops":
        rt.finding("SIM-HOP-LIMIT", "scenario.max_hops", f"stopped after {rt.max_hops:,} hops at "
                   f"t={rt.env.now:.1f} s: a cycle or an endless retry keeps the design busy")
    if rt.env.stopped_by == "max_hops":
        notes.append(f"The run stopped at the hop cap ({rt.max_hops:,} hops) at t={rt.env.now:.1f} s.")
    if rt.trace_truncated:
        notes.append(f"The trace keeps the first {rt.trace_cap:,} hops only; the counts cover the whole run.")
    if not rt.events_created:
        notes.append("No event entered the design: nothing was sent, so every count is zero.")
    run = _collect(rt, design, series, notes)
    run.design, run.scenario = design, scenario
    return run


# What nothing outside a design can call directly (a pipe polls its source; an alarm watches a metric).
_NOT_AN_ENTRY = frozenset(t.name for t in TYPES if not t.outside_can_send)
# Services that, fed by nothing in the design, are where events come in (DESIGN.md, "How a run reads this");
# the registry's `entry_point` (a state machine nothing starts: StartExecution from outside), each with the
# boolean prop that must be on (`entry_point_when`: a table is one while it has a stream, which carries the write).
_ENTRY_TYPES: dict[str, str | None] = {t.name: t.entry_point_when for t in TYPES if t.entry_point}
_RUNS_ITSELF = frozenset(t.name for t in TYPES if t.is_consumer)   # a state machine acts on what it is given
_NOT_READING = FAILURE_PATH_KINDS | {"metric"}


def _entry_candidates(design: Design) -> tuple[list[str], list[str]]:
    """(entry points, unread ones left out). Candidates are the entry types nothing in the design feeds. One
    whose events go nowhere (no edge out but failure paths and alarm metrics, and not a state machine) is left
    out when another candidate or a schedule with a target puts events where something reads them; when none
    does, every candidate is used, so that something enters."""
    fed = {e.target for e in design.edges if design.kind_of(e) != "metric"}
    reads: dict[str, bool] = {}
    for e in design.edges:
        if design.kind_of(e) not in _NOT_READING:
            reads[e.source] = True
    candidates = [n for n in design.nodes if n.type in _ENTRY_TYPES and n.id not in fed and
                  (_ENTRY_TYPES[n.type] is None or bool(n.prop(_ENTRY_TYPES[n.type])))]
    used = [n.id for n in candidates if n.id in reads or n.type in _RUNS_ITSELF]
    scheduled = any(n.type == "schedule" and n.id in reads for n in design.nodes)
    if not used and not scheduled:
        return [n.id for n in candidates], []
    return used, [n.id for n in candidates if n.id not in used]


def entry_points(design: Design) -> tuple[list[dict], list[str]]:
    """The workload of a scenario that gives none: one event from each client; without clients, one event
    into each API, bucket, queue, topic, bus, stream, table with a stream and state machine that nothing in the
    design feeds and whose events something reads (see _entry_candidates). Schedules fire by their own timing
    either way. Returns the workload and the ids used."""
    clients = [n.id for n in design.nodes if n.type == "client"]
    if clients:
        return [{"source": nid, "count": 1} for nid in clients], []
    ids = _entry_candidates(design)[0]
    return [{"source": nid, "count": 1} for nid in ids], ids


def default_max_hops(scenario: dict, design: Design) -> int:
    """The hop cap when the scenario sets none: DEFAULT_HOPS_PER_EVENT per workload event, at least the floor
    (schedules and inferred entry points are covered by the floor)."""
    events = sum(int(w.get("count", 1)) for w in scenario.get("workload") or [] if isinstance(w, dict))
    return max(DEFAULT_MAX_HOPS_FLOOR, DEFAULT_HOPS_PER_EVENT * events)


def _redrive(rt: Runtime, queue, spec: dict) -> None:
    problem = queue.redrive(spec)
    if problem:
        rt.finding("SIM-REDRIVE", "scenario.redrives", problem)


def _faults(rt: Runtime, spec: dict | None) -> Faults | None:
    if not spec:
        return None
    poison = None
    if spec.get("poison"):
        try:
            poison = compile_pattern(spec["poison"])
        except PatternError as exc:
            raise ScenarioError([f"inject.nodes.poison: {p}" for p in exc.problems]) from None
    return Faults(failure_probability=float(spec.get("failure_probability", 0.0)),
                  outages=tuple((float(a), float(b)) for a, b in spec.get("outages", [])),
                  latency_s=float(spec.get("latency_s", 0.0)), throttle_concurrency=spec.get("throttle_concurrency"),
                  crash_after_side_effect_probability=float(spec.get("crash_after_side_effect_probability", 0.0)),
                  error=str(spec.get("error", "InjectedFailure")), error_given="error" in spec, poison=poison,
                  callback_delay_s=spec.get("callback_delay_s"),
                  callback_lost_probability=float(spec.get("callback_lost_probability", 0.0)),
                  duration_s=spec.get("duration_s"))


def _build(design: Design, rt: Runtime, inject: dict) -> None:
    node_faults = inject.get("nodes") or {}
    edge_faults = inject.get("edges") or {}
    global_dup = inject.get("duplicate_probability")
    for index, node in enumerate(design.nodes):
        model = MODELS[node.type](rt, node, index, _faults(rt, node_faults.get(node.id)))
        rt.models[node.id] = model
        rt.stats[node.id] = model.stats
    for edge in design.edges:
        source, target = rt.models[edge.source], rt.models[edge.target]
        kind = design.kind_of(edge)
        spec = edge_faults.get(edge.key) or {}
        dup = spec.get("duplicate_probability", global_dup)
        if dup is None:
            dup = _natural_rate(source.node, kind)
        link = Link(edge.key, source, target, kind, edge.props, float(dup), float(spec.get("latency_s", 0.0)),
                    float(spec.get("jitter_s", 0.0)), _matcher(rt, edge, kind))
        source.out.append(link)
        target.inbound.append(link)
    rt.dead_letter_link = lambda model, node_id: _dead_letter_link(rt, model, node_id)
    for model in rt.models.values():
        for link in model.out:
            link.instant = not (link.latency_s or link.jitter_s) and (
                link.target.accepts_puts or (isinstance(link.target, LambdaModel) and link.kind in DELIVERY_KINDS_ASYNC))
    for model in rt.models.values():
        model.setup()
    for model in rt.models.values():
        model.start()


def _natural_rate(node, kind: str) -> float:
    """Illustrative at-least-once rates (AWS publishes none; see the registry)."""
    if kind not in AT_LEAST_ONCE_KINDS or node.prop("fifo"):
        return 0.0
    return BY_NAME[node.type].natural_duplicate_rate


def _matcher(rt: Runtime, edge, kind: str):
    policy = edge.props.get("filter_policy")
    if kind != "subscription" or not policy:
        return None
    try:
        return compile_filter_policy(policy, edge.props.get("filter_policy_scope") or "MessageAttributes")
    except PatternError as exc:
        rt.finding("SIM-BAD-FILTER", f"edges[{edge.key}].props.filter_policy",
                   f"invalid filter policy ({'; '.join(exc.problems)[:200]}); it matches nothing (fails closed)")
        return _NEVER


class _Never:
    def matches(self, _event) -> bool:
        return False


_NEVER = _Never()


def _dead_letter_link(rt: Runtime, model, node_id: str) -> Link:
    target = rt.models[node_id]
    return Link(f"{model.id}->{node_id}", model, target, "dead_letter", {}, 0.0)


def _schedule_workload(rt: Runtime, workload: list) -> None:
    for entry in workload:
        count = int(entry.get("count", 1))
        if count <= 0:
            continue
        emitter = _Emitter(rt, entry, count)
        rt.env.at(float(entry.get("start_s", 0.0)), emitter.emit)


OUTSIDE = "(producer)"   # trace name of a producer outside the design


class _Outside:
    """Stands for the producer outside the design that calls an entry service (no counters of its own)."""
    id = OUTSIDE
    node = None


def _outside_link(rt: Runtime, model) -> Link:
    kind = infer_kind("client", model.node.type) or "publish"
    return Link(f"{OUTSIDE}->{model.id}", _Outside(), model, kind, {}, 0.0)


class _Emitter:
    """Emits one workload entry's events lazily: only the next one is ever on the heap."""

    def __init__(self, rt: Runtime, entry: dict, count: int):
        self.rt = rt
        self.model = rt.models[entry["source"]]
        self.count = count
        self.sent = 0
        self.gap = 1.0 / float(entry.get("rate_per_s", 1.0))
        self.payloads = entry.get("payloads") or [{}]
        self.attributes = entry.get("attributes")
        self.group_field = entry.get("message_group_field")
        self.link = None if isinstance(self.model, (ClientModel, ScheduleModel)) else _outside_link(rt, self.model)
        self.is_client = isinstance(self.model, ClientModel)
        self.is_schedule = isinstance(self.model, ScheduleModel)
        self.emit_cb = self.emit          # bound once, not per event

    def emit(self, _arg=None) -> None:
        i = self.sent
        self.sent += 1
        payloads = self.payloads
        body = dict(payloads[i % len(payloads)])
        attrs = dict(self.attributes[i % len(self.attributes)]) if self.attributes else None
        group = str(body.get(self.group_field)) if self.group_field and self.group_field in body else None
        rt = self.rt
        msg = rt.new_event(body, attrs, group=group)
        model = self.model
        if self.is_client:
            model.emit(msg)
        elif self.is_schedule:
            model.receive(None, msg, None)
        else:
            # A producer outside the design calls this service (SendMessage, Publish, PutEvents, Invoke,
            # PutRecord, PutObject, StartExecution): the event enters here, never along its out-edges.
            msg.attempt = 1
            rt.record(msg, OUTSIDE, model.id, "sent")
            rt.deliver(self.link, msg, None)
        if self.sent < self.count:
            rt.env.schedule(self.gap, self.emit_cb)


class _Sampler:
    """Queue depth and age of the oldest message over time, sampled on a fixed grid."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self.queues = {nid: m for nid, m in rt.models.items() if isinstance(m, QueueModel)}
        self.watch = {nid: m for nid, m in rt.models.items() if not isinstance(m, ClientModel)}
        self.step = rt.until / SERIES_POINTS
        self.data: dict = {"t": [], "depth": {q: [] for q in self.queues}, "age": {q: [] for q in self.queues},
                           "processed": {n: [] for n in self.watch}, "failed": {n: [] for n in self.watch}}
        rt.env.at(0.0, self.sample, None)

    def sample(self, _arg) -> None:
        rt = self.rt
        now = rt.env.now
        self.data["t"].append(round(now, 3))
        for qid, q in self.queues.items():
            self.data["depth"][qid].append(q.depth())
            born = q.oldest()
            self.data["age"][qid].append(round(now - born, 3) if born is not None else 0.0)
        for nid, m in self.watch.items():
            self.data["processed"][nid].append(m.stats.processed)
            self.data["failed"][nid].append(m.stats.failed)
        if now + self.step <= rt.until + 1e-9:
            rt.env.schedule(self.step, self.sample)


# Edge kinds that carry what another service gave up on.
_GIVE_UP_KINDS = frozenset({"dead_letter", "on_failure"})


def _is_parking(model) -> bool:
    """A queue that only receives dead letters or failure records and has no consumer: what rests there
    is parked (DESIGN.md, "Run"), so a dead-lettered message is never also "in flight"."""
    return (isinstance(model, QueueModel) and bool(model.inbound) and not model.links("event_source")
            and all(link.kind in _GIVE_UP_KINDS for link in model.inbound))


def _collect(rt: Runtime, design: Design, series: _Sampler, notes: list[str]) -> Run:
    problems: list[str] = []
    for model in rt.models.values():
        problems += model.balance()
        if _is_parking(model):
            model.stats.parked, model.stats.in_flight = model.stats.in_flight, 0
    nodes = {nid: rt.stats[nid].as_dict() for nid in rt.models}
    edges = {link.key: {"delivered": link.delivered, "filtered": link.filtered}
             for m in rt.models.values() for link in m.out}
    clients = {nid: {"sent": m.sent, "answers": dict(sorted(m.answers.items()))}
               for nid, m in rt.models.items() if isinstance(m, ClientModel)}
    alarms = {nid: [list(t) for t in m.transitions] for nid, m in rt.models.items() if isinstance(m, AlarmModel)}
    breakers = {nid: [list(t) for t in m.breaker.transitions] for nid, m in rt.models.items()
                if isinstance(m, LambdaModel) and m.breaker is not None}
    return Run(seed=rt.seed, until_s=rt.until,
               stopped_by=rt.env.stopped_by or "until_s", nodes=nodes, totals=totals(rt.stats),
               conservation=conservation(rt.stats, problems), findings=rt.findings, edges=edges, clients=clients,
               alarms=alarms, breakers=breakers, series=series.data, hops=rt.hops, trace=rt.trace,
               trace_truncated=rt.trace_truncated, node_types={n.id: n.type for n in design.nodes}, notes=notes)
