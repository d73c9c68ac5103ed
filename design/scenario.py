"""The scenario format (workload + injected faults): shape checks with paths, and defaults.

Fixed keys come from DESIGN.md; added keys are documented in README.md ("Scenario keys").
"""
from __future__ import annotations

from typing import Any

import math

DEFAULT_UNTIL_S = 3600
MAX_EVENTS = 5_000_000
MAX_TIME_S = 10 * 365 * 86400   # every simulated time (until_s, start_s, at_s, outages) is at most ten years
MAX_HOPS = 1_000_000            # a scenario may lower the hop cap, or raise it this far: a CLI run of a cycle
                                # then ends in seconds (a fan-out cycle runs ~100,000 hops/s)
_TOP = {"seed", "until_s", "workload", "inject", "replays", "redrives", "max_hops", "name", "description"}
_WORKLOAD = {"source", "count", "rate_per_s", "payloads", "attributes", "start_s", "message_group_field"}
_INJECT = {"duplicate_probability", "edges", "nodes"}
_EDGE_INJECT = {"duplicate_probability", "latency_s", "jitter_s"}
_NODE_INJECT = {"failure_probability", "outages", "latency_s", "throttle_concurrency",
                "crash_after_side_effect_probability", "error", "poison", "callback_delay_s",
                "callback_lost_probability", "duration_s"}
_REPLAY = {"bus", "at_s", "from_s", "to_s"}
_REDRIVE = {"queue", "at_s", "to"}


def _num(value, lo=None, hi=None, integer=False) -> str | None:
    """Why `value` is not a number in [lo, hi] (a whole one if `integer`), else None. Never converts a huge
    int to float (OverflowError) and refuses NaN and ±Infinity whatever the bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "must be a number"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if integer and isinstance(value, float) and not value.is_integer():
        return "must be a whole number"
    if lo is not None and value < lo:
        return f"must be ≥ {lo}"
    if hi is not None and value > hi:
        return f"must be ≤ {hi}"
    return None


def scenario_problems(doc: Any, node_ids: set[str] | None = None, edge_keys: set[str] | None = None) -> list[str]:
    """Every problem in a scenario document; ids are checked when the design's are given. A number that is
    not finite or is beyond ±(2**63 − 1), anywhere (payloads too), is one problem at its path."""
    from design.documents import number_paths
    if not isinstance(doc, dict):
        return ["must be a mapping"]
    from design.loader import without_repeats
    numbers = [f"{path}: {problem}" for path, problem in number_paths(doc)]
    return numbers + without_repeats(_shape_problems(doc, node_ids, edge_keys), numbers)


def _shape_problems(doc: dict, node_ids, edge_keys) -> list[str]:
    out = [f"{k}: unknown key" for k in doc if k not in _TOP]
    for key, lo, hi, integer in (("seed", 0, 2**63 - 1, True), ("until_s", 0.001, MAX_TIME_S, False),
                                 ("max_hops", 1, MAX_HOPS, True)):
        if key in doc and (msg := _num(doc[key], lo, hi, integer)):
            out.append(f"{key}: {msg}")
    workload = doc.get("workload", [])
    if not isinstance(workload, list):
        out.append("workload: must be a list")
        workload = []
    total = 0
    for i, w in enumerate(workload):
        where = f"workload[{i}]"
        if not isinstance(w, dict):
            out.append(f"{where}: must be a mapping")
            continue
        out += [f"{where}.{k}: unknown key" for k in w if k not in _WORKLOAD]
        if not isinstance(w.get("source"), str):
            out.append(f"{where}.source: must be a node id")
        elif node_ids is not None and w["source"] not in node_ids:
            out.append(f"{where}.source: unknown node {w['source']!r}")
        for key, lo, hi, integer in (("count", 0, MAX_EVENTS, True), ("rate_per_s", 1e-6, 1e7, False),
                                     ("start_s", 0, MAX_TIME_S, False)):
            if key in w and (msg := _num(w[key], lo, hi, integer)):
                out.append(f"{where}.{key}: {msg}")
        count = w.get("count", 1)
        total += count if isinstance(count, int) and 0 <= count <= MAX_EVENTS else 0   # a bad count is its own problem
        for key in ("payloads", "attributes"):
            if key in w and not (isinstance(w[key], list) and w[key] and all(isinstance(p, dict) for p in w[key])):
                out.append(f"{where}.{key}: must be a non-empty list of mappings")
    if total > MAX_EVENTS:
        out.append(f"workload: {total:,} events in all; the limit is {MAX_EVENTS:,}")
    out += _inject_problems(doc.get("inject", {}), node_ids, edge_keys)
    replays = doc.get("replays", [])
    if not isinstance(replays, list):
        out.append("replays: must be a list")
    else:
        for i, r in enumerate(replays):
            if not isinstance(r, dict):
                out.append(f"replays[{i}]: must be a mapping")
                continue
            out += [f"replays[{i}].{k}: unknown key" for k in r if k not in _REPLAY]
            if node_ids is not None and r.get("bus") not in node_ids:
                out.append(f"replays[{i}].bus: unknown node {r.get('bus')!r}")
            out += [f"replays[{i}].{k}: {m}" for k in ("at_s", "from_s", "to_s") if k in r
                    and (m := _num(r[k], 0, MAX_TIME_S))]
    out += _redrive_problems(doc.get("redrives", []), node_ids)
    return out


def _redrive_problems(redrives: Any, node_ids) -> list[str]:
    if not isinstance(redrives, list):
        return ["redrives: must be a list"]
    out = []
    for i, r in enumerate(redrives):
        if not isinstance(r, dict):
            out.append(f"redrives[{i}]: must be a mapping")
            continue
        out += [f"redrives[{i}].{k}: unknown key" for k in r if k not in _REDRIVE]
        for key in ("queue", "to"):
            if key in r and node_ids is not None and r[key] not in node_ids:
                out.append(f"redrives[{i}].{key}: unknown node {r[key]!r}")
        if "queue" not in r:
            out.append(f"redrives[{i}].queue: missing")
        if "at_s" in r and (m := _num(r["at_s"], 0, MAX_TIME_S)):
            out.append(f"redrives[{i}].at_s: {m}")
    return out


def _inject_problems(inject: Any, node_ids, edge_keys) -> list[str]:
    if inject is None:
        return []
    if not isinstance(inject, dict):
        return ["inject: must be a mapping"]
    out = [f"inject.{k}: unknown key" for k in inject if k not in _INJECT]
    if "duplicate_probability" in inject and (m := _num(inject["duplicate_probability"], 0, 1)):
        out.append(f"inject.duplicate_probability: {m}")
    for section, allowed, known in (("edges", _EDGE_INJECT, edge_keys), ("nodes", _NODE_INJECT, node_ids)):
        entries = inject.get(section, {}) or {}
        if not isinstance(entries, dict):
            out.append(f"inject.{section}: must be a mapping")
            continue
        for name, spec in entries.items():
            where = f'inject.{section}["{name}"]'
            if known is not None and name not in known:
                out.append(f"{where}: unknown {section[:-1]}")
            if not isinstance(spec, dict):
                out.append(f"{where}: must be a mapping")
                continue
            out += [f"{where}.{k}: unknown key" for k in spec if k not in allowed]
            for key in ("duplicate_probability", "failure_probability", "crash_after_side_effect_probability",
                        "callback_lost_probability"):
                if key in spec and (m := _num(spec[key], 0, 1)):
                    out.append(f"{where}.{key}: {m}")
            for key in ("latency_s", "jitter_s", "callback_delay_s", "duration_s"):
                if key in spec and (m := _num(spec[key], 0, 86400)):
                    out.append(f"{where}.{key}: {m}")
            if "throttle_concurrency" in spec and (m := _num(spec["throttle_concurrency"], 0, 100000, True)):
                out.append(f"{where}.throttle_concurrency: {m}")
            if "error" in spec and not isinstance(spec["error"], str):
                out.append(f"{where}.error: must be a string")
            if "poison" in spec and not isinstance(spec["poison"], dict):
                out.append(f"{where}.poison: must be an event pattern (a mapping)")
            outages = spec.get("outages", [])
            if not isinstance(outages, list) or not all(
                    isinstance(o, list) and len(o) == 2 and not _num(o[0], 0, MAX_TIME_S)
                    and not _num(o[1], 0, MAX_TIME_S) and o[0] < o[1]
                    for o in outages):
                out.append(f"{where}.outages: must be a list of [start_s, end_s] with start < end")
    return out


FAULT_FIELDS = ("failure_probability", "latency_s", "throttle_concurrency", "crash_after_side_effect_probability")


def node_fault_rows(scenario: dict, node_ids: list[str]) -> list[dict]:
    """One editable row per node with its injected faults (the simulator page's table)."""
    nodes = ((scenario.get("inject") or {}).get("nodes") or {})
    rows = []
    for nid in node_ids:
        spec = nodes.get(nid, {})
        outage = (spec.get("outages") or [[None, None]])[0]
        rows.append({"node": nid, "failure_probability": float(spec.get("failure_probability", 0.0)),
                     "outage_from_s": outage[0], "outage_to_s": outage[1],
                     "latency_s": float(spec.get("latency_s", 0.0)),
                     "throttle_concurrency": spec.get("throttle_concurrency"),
                     "crash_after_side_effect_probability": float(spec.get("crash_after_side_effect_probability", 0.0))})
    return rows


def with_overrides(base: dict, *, seed: int, until_s: float, count: int | None, rate_per_s: float | None,
                   duplicate_probability: float | None, fault_rows: list[dict]) -> dict:
    """A copy of `base` with the simulator page's settings applied. `duplicate_probability` None keeps each
    service's natural rate; fault rows replace the per-node faults (other keys of a node are kept)."""
    import copy
    scenario = copy.deepcopy(base or {})
    scenario["seed"] = int(seed)
    scenario["until_s"] = float(until_s)
    workload = scenario.get("workload") or []
    if workload and count is not None:
        workload[0]["count"] = int(count)
    if workload and rate_per_s:
        workload[0]["rate_per_s"] = float(rate_per_s)
    inject = scenario.setdefault("inject", {}) or {}
    scenario["inject"] = inject
    if duplicate_probability is None:
        inject.pop("duplicate_probability", None)
    else:
        inject["duplicate_probability"] = float(duplicate_probability)
    nodes = inject.setdefault("nodes", {}) or {}
    inject["nodes"] = nodes
    for row in fault_rows:
        spec = {k: v for k, v in nodes.get(row["node"], {}).items() if k not in FAULT_FIELDS + ("outages",)}
        for key in FAULT_FIELDS:
            value = row.get(key)
            if value not in (None, 0, 0.0) and value == value:
                spec[key] = int(value) if key == "throttle_concurrency" else float(value)
        start, end = row.get("outage_from_s"), row.get("outage_to_s")
        if start is not None and end is not None and start == start and end == end and float(end) > float(start):
            spec["outages"] = [[float(start), float(end)]]
        if spec:
            nodes[row["node"]] = spec
        else:
            nodes.pop(row["node"], None)
    return scenario
