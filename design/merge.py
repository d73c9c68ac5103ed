"""Merge a pattern fragment into a design, renaming ids that would clash.

References to node ids inside props are renamed too: edge `dead_letter`, a pipe's `enrichment`,
and `${id}` placeholders in a state machine's definition (SAM DefinitionSubstitutions style).
"""
from __future__ import annotations

import copy
import json
import re

from design.model import Design, Edge, Node
from design.registry import BY_NAME


def fresh_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    stem = re.sub(r"_\d+$", "", base)
    n = 2
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"


def merge(design: Design, fragment: Design, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[Design, dict]:
    """Return (merged design, {old id: new id}); neither input is changed."""
    result = copy.deepcopy(design)
    taken = {n.id for n in result.nodes}
    id_map: dict[str, str] = {}
    for node in fragment.nodes:
        new = fresh_id(node.id, taken)
        taken.add(new)
        id_map[node.id] = new
    for node in fragment.nodes:
        props = rename_refs_in_props(node.type, copy.deepcopy(node.props), id_map)
        pos = None
        if node.position is not None:
            pos = {"x": node.position.get("x", 0) + offset[0], "y": node.position.get("y", 0) + offset[1]}
        result.nodes.append(Node(id=id_map[node.id], type=node.type, label=node.label, props=props, position=pos))
    taken_edges = {e.key for e in result.edges}
    for edge in fragment.edges:
        props = copy.deepcopy(edge.props)
        if props.get("dead_letter") in id_map:
            props["dead_letter"] = id_map[props["dead_letter"]]
        new_edge = Edge(source=id_map[edge.source], target=id_map[edge.target], kind=edge.kind, props=props,
                        id=fresh_id(edge.id, taken_edges) if edge.id else None)
        taken_edges.add(new_edge.key)
        result.edges.append(new_edge)
    return result, id_map


def rename_refs_in_props(node_type: str, props: dict, id_map: dict[str, str]) -> dict:
    spec = BY_NAME[node_type].prop_index
    for key, value in list(props.items()):
        if key in spec and spec[key].kind == "node_ref" and value in id_map:
            props[key] = id_map[value]
    if node_type == "state_machine" and isinstance(props.get("definition"), dict):
        text = json.dumps(props["definition"])
        text = re.sub(r"\$\{([A-Za-z][A-Za-z0-9_-]*)\}",
                      lambda m: "${" + id_map.get(m.group(1), m.group(1)) + "}", text)
        props["definition"] = json.loads(text)
    return props
