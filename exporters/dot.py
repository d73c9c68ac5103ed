"""Graphviz DOT for a design: shapes and glyphs tell service kinds apart, not colour alone.

Every label goes through `graphviz.escape`, so backslash escapes and `<...>` HTML-like labels in
user text are shown as text, never interpreted.
"""
from __future__ import annotations

import graphviz

from design.edge_kinds import EDGE_KINDS
from design.model import Design
from design.registry import BY_NAME

# How each drawing style of design.edge_kinds looks in Graphviz, so a reader tells delivery styles apart
# without colour (the dash pattern differs too). The word on an edge is the kind's `label`.
STYLE_ATTRS = {
    "failure": {"style": "dashed", "color": "#b71c1c", "fontcolor": "#b71c1c"},
    "side": {"style": "dashed"},
    "dotted": {"style": "dotted", "color": "#6a1b9a"},
    "async": {"style": "bold"},
}


def edge_attrs(kind: str | None) -> dict:
    spec = EDGE_KINDS.get(kind or "")
    return dict(STYLE_ATTRS.get(spec.style, {})) if spec else {}


def dot_text(text: str) -> str:
    """A label as DOT text: every line escaped (no backslash escapes, no HTML), lines joined by \\n."""
    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in str(text).split("\n")))


def node_label(node) -> str:
    spec = BY_NAME[node.type]
    return f"{spec.glyph}  {node.title}\n{spec.title}"


def edge_label(design: Design, edge) -> str:
    kind = design.kind_of(edge) or ""
    parts = []
    if edge.props.get("rule"):
        parts.append(f"rule {edge.props['rule']}")
    elif edge.props.get("pattern"):
        parts.append("rule")
    if edge.props.get("filter_policy"):
        parts.append("filtered")
    if edge.props.get("route"):
        parts.append(str(edge.props["route"]))
    spec = EDGE_KINDS.get(kind)
    if spec and spec.label:
        parts.append(spec.label)
    return " · ".join(parts)


def to_dot(design: Design, highlight: dict[str, str] | None = None, rankdir: str = "LR") -> str:
    """DOT source. `highlight` maps node ids to a marker text (e.g. "✖ 3 failed") drawn on the node."""
    graph = graphviz.Digraph(name="design", graph_attr={
        "rankdir": rankdir, "fontname": "Helvetica", "bgcolor": "transparent", "pad": "0.2", "nodesep": "0.35"},
        node_attr={"fontname": "Helvetica", "fontsize": "12", "style": "filled", "penwidth": "1.4"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "color": "#455a64"})
    for node in design.nodes:
        spec = BY_NAME[node.type]
        label = node_label(node)
        if highlight and node.id in highlight:
            label += f"\n{highlight[node.id]}"
        graph.node(node.id, dot_text(label), shape=spec.shape, fillcolor=spec.colour, color="#37474f")
    for edge in design.edges:
        kind = design.kind_of(edge) or ""
        attrs = edge_attrs(kind)
        label = edge_label(design, edge)
        if label:
            attrs["label"] = dot_text(label)
        graph.edge(edge.source, edge.target, **attrs)
    for edge in design.edges:
        dead_letter = edge.props.get("dead_letter")
        if dead_letter:
            graph.edge(edge.target, dead_letter, label="DLQ", **edge_attrs("dead_letter"))
    return graph.source
