"""What the canvas component is given: the design with each node's look, the palette, findings by place.

Plain JSON-ready data. Labels stay text: the component renders them with React (escaped), never as HTML.
"""
from __future__ import annotations

import re
from functools import lru_cache

from design.edge_kinds import EDGE_KINDS
from design.model import Design
from design.registry import BY_NAME, PALETTE_GROUPS, TYPES

# Edge kinds drawn differently (dash pattern and a word on the edge), so meaning is never colour alone.
# (Both read from the one EDGE_KINDS table.)
EDGE_STYLE = {k.name: k.style for k in EDGE_KINDS.values() if k.style != "flow"}
EDGE_WORDS = {k.name: k.label for k in EDGE_KINDS.values() if k.label}
# Glyphs that common fonts (and a projector PC without emoji fonts) cannot draw get a text stand-in.
GLYPH_TEXT = {"⏱": "CRON"}
_PATH = re.compile(r"^(nodes|edges)\[([^\]]+)\]")


def node_view(node, index: int) -> dict:
    st = BY_NAME[node.type]
    pos = node.position or {"x": 0.0, "y": 0.0}
    return {"id": node.id, "type": node.type, "label": node.title, "typeTitle": st.title,
            "glyph": GLYPH_TEXT.get(st.glyph, st.glyph), "colour": st.colour, "shape": st.shape,
            "x": pos["x"], "y": pos["y"], "index": index}


def edge_view(design: Design, edge, index: int) -> dict:
    kind = design.kind_of(edge) or ""
    words = [EDGE_WORDS[kind]] if kind in EDGE_WORDS else []
    if edge.props.get("rule"):
        words.append(f"rule {edge.props['rule']}")
    if edge.props.get("pattern") or edge.props.get("filter_policy"):
        words.append("filtered")
    if edge.props.get("route"):
        words.append(str(edge.props["route"]))
    return {"id": edge.key, "source": edge.source, "target": edge.target, "kind": kind,
            "style": EDGE_STYLE.get(kind, "flow"), "label": " · ".join(words), "index": index}


def design_view(design: Design, findings: list[dict] | None = None) -> dict:
    """Nodes and edges for the canvas, with lint findings attached to where they point."""
    where = findings_by_place(findings or [])
    nodes = [dict(node_view(n, i), findings=where["nodes"].get(n.id, [])) for i, n in enumerate(design.nodes)]
    edges = [dict(edge_view(design, e, i), findings=where["edges"].get(e.key, [])) for i, e in enumerate(design.edges)]
    return {"name": design.name, "nodes": nodes, "edges": edges}


def findings_by_place(findings: list[dict]) -> dict:
    """{"nodes": {id: [finding]}, "edges": {key: [finding]}, "design": [finding]} from findings' paths."""
    out: dict = {"nodes": {}, "edges": {}, "design": []}
    for f in findings:
        m = _PATH.match(str(f.get("path", "")))
        small = {"id": str(f.get("id", "")), "severity": str(f.get("severity", "warning")),
                 "message": str(f.get("message", ""))}
        if m:
            out[m.group(1)].setdefault(m.group(2), []).append(small)
        else:
            out["design"].append(small)
    return out


@lru_cache(maxsize=1)
def palette(pattern_rows: tuple[tuple[str, str, str], ...]) -> dict:
    """Service blocks grouped like the registry, then catalog patterns (id, title, kind)."""
    groups = []
    for group in PALETTE_GROUPS:
        types = [{"type": t.name, "title": t.title, "glyph": GLYPH_TEXT.get(t.glyph, t.glyph), "colour": t.colour,
                  "shape": t.shape, "description": t.description} for t in TYPES if t.group == group]
        groups.append({"name": group, "types": types})
    patterns = [{"id": pid, "title": title, "kind": kind} for pid, title, kind in pattern_rows]
    return {"groups": groups, "patterns": patterns}


def side_by_side(sides: list[tuple[str, Design, dict | None]], *, height: int = 460, presenter: bool = False) -> dict:
    """Canvas data for designs shown next to each other (read-only) and played on ONE clock with one set of
    controls: `sides` is [(title, design, playback payload)]. The component draws one canvas per design;
    simulated time, speed, stepping and the skips over idle stretches are shared, so the runs never drift."""
    views = [{"title": str(title), "design": design_view(design), "playback": payload, "fit": 1}
             for title, design, payload in sides]
    first = views[0] if views else {"design": {"name": "", "nodes": [], "edges": []}, "playback": None}
    return {"editable": False, "presenter": presenter, "height": height, "sides": views,
            "design": first["design"], "playback": first["playback"], "selected": {"nodes": [], "edges": []},
            "message": None, "fit": 1, "history": {}}
