"""The properties panel's rules, without widgets: which props an edge of a kind may carry, how a typed value
is read back from a widget, and JSON fields (EventBridge patterns, SNS filter policies, mappings) checked.
"""
from __future__ import annotations

import json

from design.connections import EDGE_PROPS
from design.props import BOOL, ENUM, FLOAT, INT, PATTERN, STR, Prop
from matching import PatternError, compile_filter_policy, validate_pattern

_STREAM = ["batch_size", "batching_window_s", "report_batch_item_failures", "retry_attempts", "max_event_age_s",
           "bisect_on_error", "parallelization_factor"]
EDGE_PROPS_BY_KIND = {
    "subscription": ["filter_policy", "filter_policy_scope", "dead_letter"],
    "rule_target": ["rule", "pattern", "retry_attempts", "max_event_age_s", "dead_letter", "input_transform"],
    "schedule_target": ["retry_attempts", "max_event_age_s", "dead_letter", "input_transform"],
    "pipe_target": ["input_transform"],
    "event_source": ["batch_size", "batching_window_s", "report_batch_item_failures", "maximum_concurrency"]
    + _STREAM[3:],
    "stream": _STREAM,
    "integration": ["route", "message_group_field"],
    "sync": ["route"],
    "publish": ["message_group_field"],
    "notification": [],
}


def edge_props_for(kind: str | None, current: dict) -> list[Prop]:
    """The edge props worth showing for `kind`, plus any the edge already carries."""
    names = list(EDGE_PROPS_BY_KIND.get(kind or "", []))
    names += [k for k in current if k not in names and k in EDGE_PROPS]
    return [EDGE_PROPS[n] for n in names]


def describe_prop(prop: Prop) -> str:
    """Help text for a widget: what it is, its range, its default, where the number comes from."""
    parts = [prop.help] if prop.help else []
    if prop.minimum is not None or prop.maximum is not None:
        parts.append(f"range {_num(prop.minimum)} – {_num(prop.maximum)}")
    if prop.default is not None:
        parts.append(f"default {prop.default}")
    if prop.source:
        parts.append(f"source: {prop.source}")
    if prop.illustrative:
        parts.append("illustrative: AWS publishes no figure")
    if prop.export_only:
        parts.append(f"exported, not simulated: {prop.export_only}")
    return "; ".join(parts)


def prop_label(prop: Prop) -> str:
    """A widget's label: the name, † when AWS publishes no figure, and a plain warning when the simulator
    does not model the property (it only goes into the exported template)."""
    return prop.name + (" †" if prop.illustrative else "") + (" (exported, not simulated)" if prop.export_only else "")


def _num(value) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def json_text(value) -> str:
    return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)


def parse_json_field(text: str, prop: Prop, scope: str | None = None) -> tuple[object, list[str]]:
    """(value, problems) from a JSON text area. Empty text means unset. Patterns are checked by the simulator's
    own matchers: an EventBridge pattern by `validate_pattern`, an SNS filter policy for its scope."""
    text = (text or "").strip()
    if not text:
        return None, []
    from design.documents import DocumentError, parse
    try:
        value = parse(text, "json", name=prop.name)
    except DocumentError as exc:
        return None, [str(exc) if str(exc).startswith(prop.name) else f"{prop.name}: {exc}"]
    if not isinstance(value, dict):
        return None, [f"{prop.name}: must be a JSON object {{...}}"]
    if prop.kind == PATTERN:
        if prop.name == "filter_policy":
            try:
                compile_filter_policy(value, scope or "MessageAttributes")
            except PatternError as exc:
                return None, [f"{prop.name}: {p}" for p in exc.problems]
        else:
            problems = validate_pattern(value)
            if problems:
                return None, [f"{prop.name}: {p}" for p in problems]
    return value, []


def clean_value(prop: Prop, value):
    """A widget's value as the design stores it: None (unset) for blanks and for the default."""
    if value in ("", "(none)"):
        return None
    if prop.kind == INT and value is not None:
        value = int(value)
    elif prop.kind == FLOAT and value is not None:
        value = float(value)
        if value.is_integer() and isinstance(prop.default, int):
            value = int(value)
    if prop.kind in (BOOL, ENUM, INT, FLOAT, STR) and value == prop.default:
        return None
    return value


# Scenario form helpers (the per-node rows come from design.scenario.node_fault_rows).
EDGE_FAULT_FIELDS = ("duplicate_probability", "latency_s", "jitter_s")


def default_scenario(design) -> dict:
    """The design's own scenario, else ten events from its first client (or first node without inputs)."""
    if design.scenario:
        return design.scenario
    fed = {e.target for e in design.edges}
    sources = [n.id for n in design.nodes if n.type == "client"] or \
        [n.id for n in design.nodes if n.id not in fed] or [n.id for n in design.nodes]
    return {"seed": 1, "until_s": 300, "workload": [{"source": sources[0], "count": 10, "rate_per_s": 1}]} \
        if sources else {"seed": 1, "until_s": 300}


def edge_fault_rows(scenario: dict, edge_keys: list[str]) -> list[dict]:
    edges = ((scenario.get("inject") or {}).get("edges") or {})
    return [{"connection": key, **{f: (edges.get(key) or {}).get(f) for f in EDGE_FAULT_FIELDS}}
            for key in edge_keys]


def with_edge_faults(scenario: dict, rows: list[dict]) -> dict:
    """`scenario` (changed in place and returned) with its per-edge injections replaced by `rows`."""
    inject = scenario.setdefault("inject", {}) or {}
    scenario["inject"] = inject
    edges = {}
    for row in rows:
        spec = {k: v for k, v in (inject.get("edges") or {}).get(row["connection"], {}).items()
                if k not in EDGE_FAULT_FIELDS}
        for field in EDGE_FAULT_FIELDS:
            value = row.get(field)
            if value is not None and value == value:
                spec[field] = float(value)
        if spec:
            edges[row["connection"]] = spec
    if edges:
        inject["edges"] = edges
    else:
        inject.pop("edges", None)
    return scenario
