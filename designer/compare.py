"""Side by side: the same workload through two designs, compared on hops, latency, coupling and state.

Coupling is read from the design graph: a service *knows* another when it names it in its own
configuration or code — it calls, publishes or writes to it (an outgoing edge), or it polls it (an event
source mapping or a stream is configured on the consumer). A message broker that only carries events
(a topic, a bus, a queue) knows nobody's code; its subscriptions and rules are what it knows.
"""
from __future__ import annotations

import copy
import statistics

from design.edge_kinds import POLLED_KINDS, SIDE_KINDS
from design.model import Design
from design.registry import TYPES

STATE_KINDS = {t.name: t.holds_state for t in TYPES if t.holds_state}   # the registry's holds_state
POLLED = POLLED_KINDS
SIDE = SIDE_KINDS


def same_workload(design: Design, count: int, rate_per_s: float, seed: int, until_s: float) -> dict:
    """The design's own scenario with its first workload entry set to `count` events at `rate_per_s` (or one
    entry per client when it has none), so two designs see the same number of events at the same times."""
    scenario = copy.deepcopy(design.scenario or {})
    workload = scenario.get("workload") or [{"source": n.id} for n in design.nodes if n.type == "client"][:1]
    if workload:
        workload = [dict(workload[0], count=int(count), rate_per_s=float(rate_per_s))]
    scenario["workload"] = workload
    scenario["seed"] = int(seed)
    scenario["until_s"] = float(until_s)
    return scenario


def knows(design: Design) -> dict[str, list[str]]:
    """For each service (clients left out): the other services it names directly, in design order."""
    kinds = {e.key: design.kind_of(e) for e in design.edges}
    types = {n.id: n.type for n in design.nodes}
    out: dict[str, list[str]] = {n.id: [] for n in design.nodes if n.type != "client"}
    for edge in design.edges:
        kind = kinds[edge.key]
        if kind in SIDE:
            continue
        owner, other = (edge.target, edge.source) if kind in POLLED else (edge.source, edge.target)
        if owner in out and other != owner and types.get(other) != "client" and other not in out[owner]:
            out[owner].append(other)
    return out


def coupling(design: Design) -> dict:
    """Direct dependencies per service, their total, the most coupled service, and a table for the page."""
    deps = knows(design)
    titles = {n.id: n.title for n in design.nodes}
    rows = [{"service": titles[nid], "knows": len(names), "who": ", ".join(titles[n] for n in names) or "—"}
            for nid, names in deps.items()]
    rows.sort(key=lambda r: (-r["knows"], r["service"]))
    top = rows[0] if rows else {"service": "—", "knows": 0}
    return {"total": sum(len(v) for v in deps.values()), "max": top["knows"], "max_service": top["service"],
            "rows": rows}


def state_places(design: Design) -> list[dict]:
    """Where state lives: every node that holds data between events."""
    out = []
    for node in design.nodes:
        what = STATE_KINDS.get(node.type)
        if node.type == "event_bus" and node.prop("archive"):
            what = "archived events (for replay)"
        if what:
            out.append({"service": node.title, "type": node.type, "holds": what})
    return out


def trace_latency(run) -> dict:
    """End-to-end time per trace (first hop to last hop of everything one workload event caused)."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for row in run.trace or []:
        t, trace_id = row[0], row[2]
        first.setdefault(trace_id, t)
        last[trace_id] = t
    spans = sorted(last[k] - first[k] for k in last)
    if not spans:
        return {"traces": 0, "p50": None, "p95": None, "max": None, "mean": None}
    def pct(p: float) -> float:
        return round(spans[min(len(spans) - 1, int(p * (len(spans) - 1) + 0.5))], 3)
    return {"traces": len(spans), "p50": pct(0.5), "p95": pct(0.95), "max": round(spans[-1], 3),
            "mean": round(statistics.fmean(spans), 3)}


def summary(design: Design, run) -> dict:
    """One column of the comparison table."""
    lat = trace_latency(run)
    c = coupling(design)
    sent = sum(info["sent"] for info in run.clients.values()) or None
    return {
        "services": len(design.nodes),
        "connections": len(design.edges),
        "hops": run.hops,
        "hops per event": round(run.hops / sent, 1) if sent else None,
        "end-to-end p50 (s)": lat["p50"],
        "end-to-end p95 (s)": lat["p95"],
        "processed": run.totals["processed"],
        "failed attempts": run.totals["failed"],
        "dead-lettered": run.totals["dead_lettered"],
        "dropped": run.totals["dropped"],
        "direct dependencies (total)": c["total"],
        "most coupled service": f"{c['max_service']} ({c['max']})",
        "places holding state": len(state_places(design)),
    }
