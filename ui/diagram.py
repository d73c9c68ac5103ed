"""Draw a design with st.graphviz_chart (rendered in the browser; no system Graphviz needed)."""
from __future__ import annotations

import streamlit as st

from design.model import Design
from exporters.dot import to_dot


def alt_text(design: Design) -> str:
    """The diagram in words, for screen readers: every node and every connection."""
    titles = {n.id: n.title for n in design.nodes}
    parts = [f"{len(design.nodes)} services: " + "; ".join(f"{n.title} ({n.type})" for n in design.nodes)]
    parts.append("Connections: " + "; ".join(
        f"{titles[e.source]} to {titles[e.target]} ({design.kind_of(e)})" for e in design.edges))
    return ". ".join(parts)[:2000]


def show(design: Design, highlight: dict[str, str] | None = None) -> None:
    st.graphviz_chart(to_dot(design, highlight), width="stretch", alt=alt_text(design))
    st.caption("Shapes tell services apart: box = function, cylinder = queue or table, hexagon = topic, "
               "octagon = event bus, component = state machine, house = client. Dashed red = dead-letter or "
               "on-failure path, dotted = compensation or monitoring, bold = asynchronous invocation. Names keep a "
               "readable size: a diagram wider than the column scrolls sideways (Shift + wheel, or Tab to it and "
               "use the arrow keys), and ⤢ at its top right opens it full screen.")
