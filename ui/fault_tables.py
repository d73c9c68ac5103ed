"""The fault tables of the designer and the simulator page: one row per service (per connection), named the
way the palette and the canvas name it ("Send confirmation · Lambda function", "Order events → Analytics
queue"), with the id kept in the row (hidden) as its key. When two services would read the same, the name
carries the id too, so no row is ambiguous. Every column has its type, so a click on a cell and typing edits it,
even in a column that is empty in every row (an untyped empty column does not take typing)."""
from __future__ import annotations

import streamlit as st

from design.registry import BY_NAME
from design.scenario import node_fault_rows
from designer.forms import edge_fault_rows

_P = {"min_value": 0.0, "max_value": 1.0, "step": 0.01, "format": "%.2f"}
NODE_COLUMNS = {
    "service": st.column_config.TextColumn("Service", pinned=True, help="The service's label and type"),
    "failure_probability": st.column_config.NumberColumn("Failure probability", help="0 to 1, per attempt", **_P),
    "outage_from_s": st.column_config.NumberColumn("Outage from (s)", min_value=0.0, format="%g",
                                                   help="Simulated seconds; empty: no outage"),
    "outage_to_s": st.column_config.NumberColumn("Outage to (s)", min_value=0.0, format="%g"),
    "latency_s": st.column_config.NumberColumn("Added latency (s)", min_value=0.0, format="%g"),
    "throttle_concurrency": st.column_config.NumberColumn("Concurrency cap", min_value=1, step=1, format="%d",
                                                          help="Throttling above this many at once; empty: none"),
    "crash_after_side_effect_probability": st.column_config.NumberColumn(
        "Crash after side effect", help="0 to 1: the work is done, then the attempt fails", **_P),
}
EDGE_COLUMNS = {
    "link": st.column_config.TextColumn("Connection", pinned=True, help="From → to, as on the canvas"),
    "duplicate_probability": st.column_config.NumberColumn("Duplicate probability", help="0 to 1; empty: the "
                                                           "setting below the tables", **_P),
    "latency_s": st.column_config.NumberColumn("Latency (s)", min_value=0.0, format="%g"),
    "jitter_s": st.column_config.NumberColumn("Jitter (s)", min_value=0.0, format="%g"),
}


def _unique(names: dict[str, str]) -> dict[str, str]:
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    return {key: name if seen[name] == 1 else f"{name} ({key})" for key, name in names.items()}


def service_names(design) -> dict[str, str]:
    """Node id -> "Label · Type" (with the id when two services would read the same)."""
    return _unique({n.id: f"{n.title} · {BY_NAME[n.type].title if n.type in BY_NAME else n.type}"
                    for n in design.nodes})


def connection_names(design) -> dict[str, str]:
    """Edge key -> "From → To" (with the key when two connections would read the same)."""
    titles = {n.id: n.title for n in design.nodes}
    return _unique({e.key: f"{titles.get(e.source, e.source)} → {titles.get(e.target, e.target)}"
                           + (" (dead letters)" if e.kind == "dead_letter" else "") for e in design.edges})


def node_rows(design, scenario: dict, kept: dict | None = None) -> list[dict]:
    """The service table's rows: `kept` (node id -> row edited earlier) wins over the scenario's faults."""
    names, kept = service_names(design), kept or {}
    return [{"service": names[r["node"]], **{k: v for k, v in kept.get(r["node"], r).items() if k != "service"}}
            for r in node_fault_rows(scenario, [n.id for n in design.nodes])]


def edge_rows(design, scenario: dict, kept: dict | None = None) -> list[dict]:
    """The connection table's rows: `kept` (edge key -> row edited earlier) wins over the scenario's."""
    names, kept = connection_names(design), kept or {}
    return [{"link": names[r["connection"]], **{k: v for k, v in kept.get(r["connection"], r).items()
                                                if k != "link"}}
            for r in edge_fault_rows(scenario, [e.key for e in design.edges])]


def node_editor(rows: list[dict], key: str) -> list[dict]:
    return st.data_editor(rows, hide_index=True, disabled=["service", "node"], key=key, width="stretch",
                          column_config=NODE_COLUMNS, column_order=list(NODE_COLUMNS))


def edge_editor(rows: list[dict], key: str) -> list[dict]:
    return st.data_editor(rows, hide_index=True, disabled=["link", "connection"], key=key, width="stretch",
                          column_config=EDGE_COLUMNS, column_order=list(EDGE_COLUMNS))
