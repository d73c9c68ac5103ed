"""Edit operations on a design, as the canvas sends them. Python is the source of truth: every operation
returns a new, valid design (checked by the loader) or is refused with the reason in words.

An operation is a plain dict, e.g. `{"op": "connect", "source": "q", "target": "fn"}`. `apply(design, op)`
never changes its input.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from design.connections import ALLOWED, allowed_kinds, refusal
from design.loader import DesignError, from_data
from design.merge import fresh_id, merge
from design.model import Design, Edge, Node
from design.registry import BY_NAME
from designer.layout import apply_layout, bounds, ensure_positions

DESIGN_OPS = ("add_node", "add_pattern", "move", "connect", "delete", "set_node", "set_edge", "layout",
              "rename", "replace")
MAX_NODES = 500


class EditRefused(ValueError):
    """The operation cannot be applied; `problems` says why, one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Result:
    design: Design
    message: str = ""
    select_nodes: list[str] = field(default_factory=list)
    select_edges: list[str] = field(default_factory=list)
    refit: bool = False            # the view should fit the new design (a pattern arrived, a layout ran)


def apply(design: Design, op: dict, patterns: dict | None = None) -> Result:
    """Apply one operation; raise EditRefused when it cannot be. `patterns`: designs by id for add_pattern
    (default: the catalog's)."""
    if not isinstance(op, dict) or op.get("op") not in DESIGN_OPS:
        raise EditRefused(f"unknown edit {op.get('op') if isinstance(op, dict) else op!r}")
    if patterns is None and op["op"] == "add_pattern":
        from patterns.catalog import load_catalog
        patterns = {pid: p.design for pid, p in load_catalog().items()}
    work = copy.deepcopy(design)
    result = _HANDLERS[op["op"]](work, op, patterns or {})
    result.design = checked(result.design)
    return result


def checked(design: Design) -> Design:
    """Round-trip through the loader: the one validator. Refuses with the loader's problems."""
    try:
        return from_data(design.to_dict())
    except DesignError as exc:
        raise EditRefused(exc.problems) from None


def _point(op: dict) -> dict:
    x, y = op.get("x", 0), op.get("y", 0)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e7 for v in (x, y)):
        raise EditRefused("a position must be two numbers")
    return {"x": round(float(x), 1), "y": round(float(y), 1)}


def _add_node(design: Design, op: dict, _patterns) -> Result:
    ntype = op.get("type")
    if ntype not in BY_NAME:
        raise EditRefused(f"unknown service type {ntype!r}")
    if len(design.nodes) >= MAX_NODES:
        raise EditRefused(f"a design holds at most {MAX_NODES} services")
    taken = {n.id for n in design.nodes}
    nid = fresh_id(ntype, taken)
    suffix = nid[len(ntype):].lstrip("_")
    label = BY_NAME[ntype].title + (f" {suffix}" if suffix else "")
    design.nodes.append(Node(id=nid, type=ntype, label=label, position=_point(op)))
    return Result(design, f"Added {label}.", select_nodes=[nid])


def _add_pattern(design: Design, op: dict, patterns: dict) -> Result:
    pid = op.get("pattern")
    if pid not in patterns:
        raise EditRefused(f"unknown catalog pattern {pid!r}")
    fragment = ensure_positions(copy.deepcopy(patterns[pid]))
    if len(design.nodes) + len(fragment.nodes) > MAX_NODES:
        raise EditRefused(f"a design holds at most {MAX_NODES} services")
    x0, y0, _x1, _y1 = bounds(fragment)
    at = _point(op)
    merged, id_map = merge(design, fragment, offset=(at["x"] - x0, at["y"] - y0))
    for node in merged.nodes:
        if node.position is not None:
            node.position = {"x": round(node.position["x"], 1), "y": round(node.position["y"], 1)}
    if not design.nodes and fragment.scenario and merged.scenario is None:
        merged.scenario = copy.deepcopy(fragment.scenario)   # an empty canvas takes the pattern's scenario
    if not design.nodes and design.name == "Untitled design":
        merged.name = fragment.name
    return Result(merged, f"Added the pattern “{fragment.name}” ({len(id_map)} services).",
                  select_nodes=list(id_map.values()), refit=True)


def _move(design: Design, op: dict, _patterns) -> Result:
    positions = op.get("positions")
    if not isinstance(positions, dict):
        raise EditRefused("move needs positions")
    nodes = design.node_map()
    for nid, pos in positions.items():
        if nid not in nodes or not isinstance(pos, dict):
            raise EditRefused(f"no service {nid!r} to move")
        nodes[nid].position = _point(pos)
    return Result(design, "", select_nodes=list(positions))


def _connect(design: Design, op: dict, _patterns) -> Result:
    src, dst, kind = op.get("source"), op.get("target"), op.get("kind") or None
    nodes = design.node_map()
    if src not in nodes or dst not in nodes:
        raise EditRefused("both ends must be services on the canvas")
    if src == dst:
        raise EditRefused(f"{nodes[src].title} cannot be connected to itself")
    why = refusal(nodes[src].type, nodes[dst].type, kind)
    if why:
        raise EditRefused(f"Refused: {nodes[src].title} → {nodes[dst].title}: "
                          f"{refusal_words(nodes[src].type, nodes[dst].type, kind, why)}")
    kinds = allowed_kinds(nodes[src].type, nodes[dst].type)
    chosen = kind or kinds[0]
    same = [e for e in design.edges if e.source == src and e.target == dst]
    if any(design.kind_of(e) == chosen for e in same):
        raise EditRefused(f"{nodes[src].title} is already connected to {nodes[dst].title} ({chosen})")
    edge = Edge(source=src, target=dst, kind=kind)
    if same:                                   # a second edge between the same two: it needs an id
        edge.kind = chosen
        edge.id = fresh_id(f"{src}-{dst}-{chosen}", {e.key for e in design.edges})
    design.edges.append(edge)
    others = [k for k in kinds if k != chosen]
    note = f" Other kinds possible: {', '.join(others)} (change it in the properties)." if others else ""
    return Result(design, f"Connected {nodes[src].title} → {nodes[dst].title} as {chosen}.{note}",
                  select_edges=[edge.key])


def service_name(ntype: str) -> str:
    """A service type as the palette names it ("SQS queue"), the id itself when the registry has no such type."""
    return BY_NAME[ntype].title if ntype in BY_NAME else ntype


def refusal_words(source_type: str, target_type: str, kind: str | None, why: str) -> str:
    """design.connections.refusal's reason with the services named as the palette names them ("SQS queue →
    Client is not a connection AWS offers; SQS queue connects to: CloudWatch alarm, …"), not as type ids. The
    rule stays refusal()'s (`why`); only the words change, and a reason this does not recognise is kept."""
    a, b = service_name(source_type), service_name(target_type)
    kinds = allowed_kinds(source_type, target_type)
    if not kinds:
        targets = sorted({service_name(t) for (s, t) in ALLOWED if s == source_type}, key=str.lower)
        hint = f"; {a} connects to: {', '.join(targets)}" if targets else f"; {a} has no outgoing connections"
        return f"{a} → {b} is not a connection AWS offers{hint}"
    if kind is not None and kind not in kinds:
        return f"a “{kind}” connection is not possible for {a} → {b} (possible: {', '.join(kinds)})"
    return why


def _delete(design: Design, op: dict, _patterns) -> Result:
    gone_nodes = set(op.get("nodes") or [])
    gone_edges = set(op.get("edges") or [])
    design.nodes = [n for n in design.nodes if n.id not in gone_nodes]
    design.edges = [e for e in design.edges if e.key not in gone_edges
                    and e.source not in gone_nodes and e.target not in gone_nodes]
    live = {n.id for n in design.nodes}
    for edge in design.edges:
        if edge.props.get("dead_letter") is not None and edge.props["dead_letter"] not in live:
            del edge.props["dead_letter"]
    for node in design.nodes:
        for key, spec in BY_NAME[node.type].prop_index.items():
            if spec.kind == "node_ref" and node.props.get(key) is not None and node.props[key] not in live:
                del node.props[key]
    design.scenario = prune_scenario(design.scenario, live, {e.key for e in design.edges})
    count = len(gone_nodes) + len(gone_edges)
    return Result(design, f"Deleted {count} item{'s' if count != 1 else ''}." if count else "")


def prune_scenario(scenario: dict | None, node_ids: set[str], edge_keys: set[str]) -> dict | None:
    """A scenario without the parts that name services or connections no longer in the design."""
    if not scenario:
        return scenario
    scenario = copy.deepcopy(scenario)
    if isinstance(scenario.get("workload"), list):
        scenario["workload"] = [w for w in scenario["workload"]
                                if not isinstance(w, dict) or w.get("source") in node_ids]
        if not scenario["workload"]:
            del scenario["workload"]
    inject = scenario.get("inject")
    if isinstance(inject, dict):
        for section, known in (("nodes", node_ids), ("edges", edge_keys)):
            if isinstance(inject.get(section), dict):
                inject[section] = {k: v for k, v in inject[section].items() if k in known}
    if isinstance(scenario.get("replays"), list):
        scenario["replays"] = [r for r in scenario["replays"] if isinstance(r, dict) and r.get("bus") in node_ids]
    return scenario


def _set_node(design: Design, op: dict, _patterns) -> Result:
    nodes = design.node_map()
    node = nodes.get(op.get("id"))
    if node is None:
        raise EditRefused(f"no service {op.get('id')!r}")
    if "label" in op:
        node.label = str(op["label"] or "")
    if "props" in op:
        if not isinstance(op["props"], dict):
            raise EditRefused("properties must be a mapping")
        node.props = {k: v for k, v in op["props"].items() if v is not None}
    return Result(design, f"Updated {node.title}.", select_nodes=[node.id])


def _set_edge(design: Design, op: dict, _patterns) -> Result:
    edge = next((e for e in design.edges if e.key == op.get("key")), None)
    if edge is None:
        raise EditRefused(f"no connection {op.get('key')!r}")
    if "kind" in op:
        nodes = design.node_map()
        inferred = list(allowed_kinds(nodes[edge.source].type, nodes[edge.target].type)[:1])
        edge.kind = None if op["kind"] in (None, "") or (not edge.id and [op["kind"]] == inferred) else op["kind"]
    if "props" in op:
        if not isinstance(op["props"], dict):
            raise EditRefused("properties must be a mapping")
        edge.props = {k: v for k, v in op["props"].items() if v is not None}
    return Result(design, f"Updated {edge.key}.", select_edges=[edge.key])


def _layout(design: Design, _op: dict, _patterns) -> Result:
    return Result(apply_layout(design), "Laid out left to right along the flow.", refit=True)


def _rename(design: Design, op: dict, _patterns) -> Result:
    name = str(op.get("name") or "").strip()
    if not name:
        raise EditRefused("a design needs a name")
    design.name = name[:200]
    return Result(design, "")


def _replace(_design: Design, op: dict, _patterns) -> Result:
    new = op.get("design")
    if not isinstance(new, Design):
        raise EditRefused("replace needs a design")
    return Result(ensure_positions(copy.deepcopy(new)), f"Opened “{new.name}”.", refit=True)


_HANDLERS = {"add_node": _add_node, "add_pattern": _add_pattern, "move": _move, "connect": _connect,
             "delete": _delete, "set_node": _set_node, "set_edge": _set_edge, "layout": _layout,
             "rename": _rename, "replace": _replace}
