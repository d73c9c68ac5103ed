"""Auto-layout: a layered (left → right) placement of a design's nodes, in pure Python.

Layers follow the data-carrying edges (a longest-path layering of the graph with back edges of cycles
ignored); side edges (dead letters, alarms, compensations) put their target one layer after their
source without pulling the main flow apart. Inside a layer nodes are ordered by the barycentre of
their neighbours for a few sweeps, which removes most crossings. Deterministic: the same design gives
the same positions.
"""
from __future__ import annotations

from design.edge_kinds import FLOW_KINDS
from design.model import Design

LAYER_GAP = 270.0     # horizontal distance between layers (a node is 190 wide)
ROW_GAP = 110.0       # vertical distance between nodes of one layer (a node is 70 high)
SWEEPS = 4


def layered_positions(design: Design, origin: tuple[float, float] = (0.0, 0.0)) -> dict[str, dict]:
    """{node id: {"x", "y"}} for every node; the top-left node sits at `origin`."""
    ids = [n.id for n in design.nodes]
    if not ids:
        return {}
    order = {nid: i for i, nid in enumerate(ids)}
    flow, side = _edges(design)
    layer = _layers(ids, order, flow, side)
    rows = _order_layers(ids, order, layer, flow + side)
    positions: dict[str, dict] = {}
    tallest = max(len(r) for r in rows.values())
    for lay, members in rows.items():
        top = (tallest - len(members)) * ROW_GAP / 2
        for i, nid in enumerate(members):
            positions[nid] = {"x": round(origin[0] + lay * LAYER_GAP, 1),
                              "y": round(origin[1] + top + i * ROW_GAP, 1)}
    return {nid: positions[nid] for nid in ids}


def apply_layout(design: Design, origin: tuple[float, float] = (0.0, 0.0)) -> Design:
    """The same design object with every node's position set by `layered_positions`."""
    positions = layered_positions(design, origin)
    for node in design.nodes:
        node.position = positions[node.id]
    return design


def ensure_positions(design: Design) -> Design:
    """Lay out a design whose nodes have no positions (catalog patterns, imported templates); nodes that
    have one keep it, new ones are placed by the layout."""
    missing = [n for n in design.nodes if n.position is None]
    if not missing:
        return design
    if len(missing) == len(design.nodes):
        return apply_layout(design)
    laid = layered_positions(design)
    bottom = max(n.position["y"] for n in design.nodes if n.position is not None) + ROW_GAP * 1.5
    for node in missing:
        node.position = {"x": laid[node.id]["x"], "y": round(laid[node.id]["y"] + bottom, 1)}
    return design


def bounds(design: Design) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of the node positions (0s when there are none)."""
    pts = [n.position for n in design.nodes if n.position is not None]
    if not pts:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(p["x"] for p in pts), min(p["y"] for p in pts), max(p["x"] for p in pts),
            max(p["y"] for p in pts))


def _edges(design: Design) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    flow, side = [], []
    for edge in design.edges:
        if edge.source == edge.target:
            continue
        (flow if design.kind_of(edge) in FLOW_KINDS else side).append((edge.source, edge.target))
    return flow, side


def _layers(ids: list[str], order: dict[str, int], flow: list[tuple[str, str]],
            side: list[tuple[str, str]]) -> dict[str, int]:
    succ: dict[str, list[str]] = {nid: [] for nid in ids}
    for src, dst in flow:
        succ[src].append(dst)
    # Drop back edges found by a depth-first search started from sources in design order.
    indeg = {nid: 0 for nid in ids}
    for _src, dst in flow:
        indeg[dst] += 1
    starts = [n for n in ids if indeg[n] == 0] + [n for n in ids if indeg[n] > 0]
    state: dict[str, int] = {}
    dag: dict[str, list[str]] = {nid: [] for nid in ids}
    for start in starts:
        if start in state:
            continue
        stack = [(start, iter(succ[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                continue                           # a back edge: part of a cycle, ignored for layering
            else:
                dag[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
    # Side edges (a DLQ, an alarm, a compensation) also point right, unless that would close a cycle.
    for src, dst in side:
        if dst not in dag[src] and not _reaches(dag, dst, src):
            dag[src].append(dst)
    # Longest path from the sources, in topological order (Kahn, ties by design order).
    indeg = {nid: 0 for nid in ids}
    for src in ids:
        for dst in dag[src]:
            indeg[dst] += 1
    ready = sorted((n for n in ids if indeg[n] == 0), key=order.__getitem__)
    layer = {nid: 0 for nid in ids}
    while ready:
        node = ready.pop(0)
        for dst in dag[node]:
            layer[dst] = max(layer[dst], layer[node] + 1)
            indeg[dst] -= 1
            if indeg[dst] == 0:
                ready.append(dst)
                ready.sort(key=order.__getitem__)
    return layer


def _reaches(dag: dict[str, list[str]], start: str, goal: str) -> bool:
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in dag[node]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _order_layers(ids, order, layer, edges) -> dict[int, list[str]]:
    rows: dict[int, list[str]] = {}
    for nid in ids:
        rows.setdefault(layer[nid], []).append(nid)
    rows = dict(sorted(rows.items()))
    neighbours: dict[str, list[str]] = {nid: [] for nid in ids}
    for src, dst in edges:
        neighbours[src].append(dst)
        neighbours[dst].append(src)
    for sweep in range(SWEEPS):
        keys = list(rows) if sweep % 2 == 0 else list(reversed(rows))
        for lay in keys:
            index = {nid: i for members in rows.values() for i, nid in enumerate(members)}
            def centre(nid: str) -> tuple[float, int]:
                near = [index[m] for m in neighbours[nid] if layer[m] != lay]
                return (sum(near) / len(near) if near else index[nid], order[nid])
            rows[lay] = sorted(rows[lay], key=centre)
    return rows
