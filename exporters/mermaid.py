"""Mermaid flowchart for a design. Labels are quoted and stripped of characters Mermaid would parse."""
from __future__ import annotations

import re

from design.edge_kinds import EDGE_KINDS
from design.model import Design
from design.registry import BY_NAME
from exporters.dot import edge_label

_SHAPES = {"cylinder": ("[(", ")]"), "hexagon": ("{{", "}}"), "circle": ("((", "))"), "diamond": ("{", "}"),
           "octagon": ("{{", "}}")}


def _text(value: str) -> str:
    # Mermaid has no escaping inside quoted labels beyond entity codes: encode the characters it parses.
    return (value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("\n", " "))


def _id(node_id: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)


def to_mermaid(design: Design) -> str:
    lines = ["flowchart LR"]
    for node in design.nodes:
        spec = BY_NAME[node.type]
        left, right = _SHAPES.get(spec.shape, ("[", "]"))
        lines.append(f'    {_id(node.id)}{left}"{_text(spec.glyph + " " + node.title)}"{right}')
    for edge in design.edges:
        kind = design.kind_of(edge)
        spec = EDGE_KINDS.get(kind or "")
        arrow = "-.->" if spec and spec.style in ("failure", "side", "dotted") else "-->"
        label = edge_label(design, edge)
        middle = f'|"{_text(label)}"|' if label else ""
        lines.append(f"    {_id(edge.source)} {arrow}{middle} {_id(edge.target)}")
    return "\n".join(lines) + "\n"
