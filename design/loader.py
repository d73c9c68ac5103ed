"""Load and save designs: every problem listed by path, nodes and edges named by id.

The loader rejects only what cannot be a design (bad YAML/JSON, wrong shape, unknown types or
properties, values out of range, dangling edges, duplicate ids, impossible connections). Unwise
but well-formed designs load; lint explains them.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from design import documents
from design.connections import EDGE_KINDS, EDGE_PROPS, refusal
from design.documents import DocumentError
from design.model import Design, Edge, Node
from design.registry import BY_NAME
from design.scenario import scenario_problems

MAX_PRINTED = 20
MAX_POSITION = 1e7   # canvas coordinates; finite and far beyond any screen
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_TOP_KEYS = {"name", "description", "nodes", "edges", "scenario", "metadata"}
_NODE_KEYS = {"id", "type", "label", "props", "position"}
_EDGE_KEYS = {"source", "target", "kind", "props", "id"}
# Per-kind ranges that differ from an edge prop's general range (semantics.md §1, §4).
_KIND_RANGES = {
    ("rule_target", "retry_attempts"): (0, 185), ("rule_target", "max_event_age_s"): (60, 86_400),
    ("schedule_target", "retry_attempts"): (0, 185), ("schedule_target", "max_event_age_s"): (60, 86_400),
}


class DesignError(ValueError):
    """An invalid design document. `problems` holds every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: list[str]) -> str:
    shown = problems[:MAX_PRINTED]
    rest = len(problems) - len(shown)
    return "\n".join(shown + ([f"… and {rest} more"] if rest > 0 else []))


def load_file(path: str | Path) -> Design:
    fmt = "json" if str(path).lower().endswith(".json") else "yaml"
    try:
        text = documents.read_text(path)
        data = documents.parse(text, fmt, name=str(path), numbers=False)   # validate names them by id
    except DocumentError as exc:
        raise DesignError([str(exc)]) from None
    return from_data(data)


def load_text(text: str | bytes, fmt: str | None = None, name: str = "design") -> Design:
    try:
        data = documents.parse(text, fmt, name=name, numbers=False)
    except DocumentError as exc:
        raise DesignError([str(exc)]) from None
    return from_data(data)


def from_data(data: Any) -> Design:
    problems = validate(data)
    if problems:
        raise DesignError(problems)
    nodes = [Node(id=n["id"], type=n["type"], label=str(n.get("label") or ""), props=dict(n.get("props") or {}),
                  position=dict(n["position"]) if n.get("position") else None) for n in data["nodes"]]
    edges = [Edge(source=e["source"], target=e["target"], kind=e.get("kind"), props=dict(e.get("props") or {}),
                  id=e.get("id")) for e in data.get("edges") or []]
    return Design(name=str(data.get("name") or "Untitled design"), nodes=nodes, edges=edges,
                  description=str(data.get("description") or ""), scenario=data.get("scenario"),
                  metadata=dict(data.get("metadata") or {}))


def validate(data: Any) -> list[str]:
    """Every problem in a design document, by path; [] when it is a valid design."""
    if data is None:
        return ["document: empty; a design needs nodes (and usually edges)"]
    if not isinstance(data, dict):
        return [f"document: must be a mapping with nodes and edges, not {_kind(data)}"]
    numbers = _number_problems(data)   # NaN, ±Infinity, huge ints: one problem each, wherever they are
    return numbers + without_repeats(_shape_problems(data), numbers)


def without_repeats(problems: list[str], numbers: list[str]) -> list[str]:
    """`problems` less those about a value (or its container) that a number problem already names."""
    bad = [line.split(": ", 1)[0] for line in numbers]
    return [p for p in problems if not any(b == (path := p.split(": ", 1)[0]) or b.startswith((path + ".", path + "["))
                                          for b in bad)]


def _number_problems(data: dict) -> list[str]:
    """documents.number_paths with nodes and edges named the way every other problem names them."""
    problems = []
    for path, problem in documents.number_paths({k: v for k, v in data.items() if k != "scenario"}):
        m = re.match(r"(nodes|edges)\[(\d+)\](.*)", path, re.S)
        if m:
            items = data.get(m.group(1))
            item = items[int(m.group(2))] if isinstance(items, list) else None
            if m.group(1) == "nodes" and isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
                path = f"nodes[{item['id']}]{m.group(3)}"
            elif m.group(1) == "edges" and isinstance(item, dict):
                name = item["id"] if isinstance(item.get("id"), str) else f"{item.get('source')}->{item.get('target')}"
                path = f"edges[{name}]{m.group(3)}"
        problems.append(f"{path}: {problem}")
    return problems


def _shape_problems(data: dict) -> list[str]:
    problems = [f"{k}: unknown key" for k in data if k not in _TOP_KEYS]
    if "name" in data and not isinstance(data["name"], str):
        problems.append("name: must be a string")
    nodes = data.get("nodes")
    if not isinstance(nodes, list):
        problems.append("nodes: must be a list" if "nodes" in data else "nodes: missing")
        nodes = []
    edges = data.get("edges", [])
    if edges is None:
        edges = []
    if not isinstance(edges, list):
        problems.append("edges: must be a list")
        edges = []
    types: dict[str, str] = {}
    for i, node in enumerate(nodes):
        problems += _node_problems(i, node, types)
    problems += _node_ref_problems(nodes, types)
    seen_edges: set[str] = set()
    for i, edge in enumerate(edges):
        problems += _edge_problems(i, edge, types, seen_edges)
    if data.get("scenario") is not None:
        problems += [f"scenario.{p}" for p in scenario_problems(data["scenario"])]
    if "metadata" in data and not isinstance(data["metadata"], (dict, type(None))):
        problems.append("metadata: must be a mapping")
    return problems


def _node_problems(i: int, node: Any, types: dict[str, str]) -> list[str]:
    if not isinstance(node, dict):
        return [f"nodes[{i}]: must be a mapping, not {_kind(node)}"]
    nid = node.get("id")
    where = f"nodes[{nid}]" if isinstance(nid, str) and nid else f"nodes[{i}]"
    problems = [f"{where}.{k}: unknown key" for k in node if k not in _NODE_KEYS]
    if not isinstance(nid, str) or not ID_RE.match(nid):
        problems.append(f"{where}.id: must be a letter then letters, digits, _ or - (at most 64)")
    elif nid in types:
        problems.append(f"{where}: duplicate id")
    ntype = node.get("type")
    if ntype not in BY_NAME:
        problems.append(f"{where}.type: unknown type {ntype!r}" if ntype is not None else f"{where}.type: missing")
    elif isinstance(nid, str):
        types.setdefault(nid, ntype)
    if "label" in node and not isinstance(node["label"], (str, type(None))):
        problems.append(f"{where}.label: must be a string")
    elif isinstance(node.get("label"), str) and len(node["label"]) > 200:
        problems.append(f"{where}.label: at most 200 characters")
    pos = node.get("position")
    if pos is not None and not (isinstance(pos, dict) and set(pos) <= {"x", "y"} and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and -MAX_POSITION <= v <= MAX_POSITION
            for v in pos.values())):
        problems.append(f"{where}.position: must be {{x: number, y: number}}, each between ±{MAX_POSITION:,.0f}")
    props = node.get("props") or {}
    if not isinstance(props, dict):
        return problems + [f"{where}.props: must be a mapping"]
    if ntype in BY_NAME:
        spec = BY_NAME[ntype].prop_index
        for key, value in props.items():
            if key not in spec:
                problems.append(f"{where}.props.{key}: unknown property for {ntype}")
            elif (msg := spec[key].check(value)) is not None:
                problems.append(f"{where}.props.{key}: {msg}")
    return problems


def _node_ref_problems(nodes: list, types: dict[str, str]) -> list[str]:
    problems = []
    for node in nodes:
        if not (isinstance(node, dict) and node.get("type") in BY_NAME and isinstance(node.get("props"), dict)):
            continue
        spec = BY_NAME[node["type"]].prop_index
        for key, value in node["props"].items():
            if key in spec and spec[key].kind == "node_ref" and isinstance(value, str) and value not in types:
                problems.append(f"nodes[{node.get('id')}].props.{key}: unknown node {value!r}")
    return problems


def _edge_problems(i: int, edge: Any, types: dict[str, str], seen: set[str]) -> list[str]:
    if not isinstance(edge, dict):
        return [f"edges[{i}]: must be a mapping, not {_kind(edge)}"]
    src, dst = edge.get("source"), edge.get("target")
    name = edge.get("id") if isinstance(edge.get("id"), str) else f"{src}->{dst}"
    where = f"edges[{name}]"
    problems = [f"{where}.{k}: unknown key" for k in edge if k not in _EDGE_KEYS]
    for end, value in (("source", src), ("target", dst)):
        if not isinstance(value, str):
            problems.append(f"{where}.{end}: missing" if value is None else f"{where}.{end}: must be a node id")
        elif value not in types:
            problems.append(f"{where}: unknown {end} {value!r}")
    if name in seen:
        problems.append(f"{where}: duplicate edge; give one of them an id")
    seen.add(name)
    kind = edge.get("kind")
    if kind is not None and kind not in EDGE_KINDS:
        problems.append(f"{where}.kind: unknown kind {kind!r}")
        kind = None
    if src in types and dst in types and (why := refusal(types[src], types[dst], kind)):
        problems.append(f"{where}: {why}")
    props = edge.get("props") or {}
    if not isinstance(props, dict):
        return problems + [f"{where}.props: must be a mapping"]
    for key, value in props.items():
        spec = EDGE_PROPS.get(key)
        if spec is None:
            problems.append(f"{where}.props.{key}: unknown property")
            continue
        if (msg := spec.check(value)) is not None:
            problems.append(f"{where}.props.{key}: {msg}")
            continue
        if spec.kind == "node_ref" and value is not None and value not in types:
            problems.append(f"{where}.props.{key}: unknown node {value!r}")
        bounds = _KIND_RANGES.get((kind or _inferred(types, src, dst), key))
        if bounds and value is not None and not bounds[0] <= value <= bounds[1]:
            problems.append(f"{where}.props.{key}: must be between {bounds[0]} and {bounds[1]}")
    return problems


def _inferred(types: dict[str, str], src, dst) -> str | None:
    from design.connections import infer_kind
    if src in types and dst in types:
        return infer_kind(types[src], types[dst])
    return None


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "empty"}.get(type(value), type(value).__name__)


def to_yaml(design: Design) -> str:
    return documents.dump_yaml(design.to_dict())


def to_json(design: Design) -> str:
    return documents.dump_json(design.to_dict())


def save(design: Design, path: str | Path) -> None:
    text = to_json(design) if str(path).lower().endswith(".json") else to_yaml(design)
    Path(path).write_text(text, encoding="utf-8")
