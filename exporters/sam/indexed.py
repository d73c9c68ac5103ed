"""A read-only view of a design for one export: node lookups, edge kinds and a node's edges from indexes built
once, instead of `Design.node` (a linear scan) and `Design.kind_of` (which rebuilds the node map per call).

Export was cubic without it: a topic with N subscribers asked, per subscription, for the topic's out-edges and
each one's kind (N × N × N). The view holds the same Node and Edge objects, in the same order, so every result
is the one the plain design gives; the export never edits the design, so the indexes stay true.
"""
from __future__ import annotations

from design.connections import infer_kind
from design.model import Design, Edge, Node


class IndexedDesign(Design):
    """Same fields and answers as the design it was made from; O(1) lookups."""

    @classmethod
    def of(cls, design: Design) -> "IndexedDesign":
        if isinstance(design, IndexedDesign):
            return design
        view = cls(name=design.name, nodes=list(design.nodes), edges=list(design.edges),
                   description=design.description, scenario=design.scenario, metadata=design.metadata)
        view._index()
        return view

    def _index(self) -> None:
        self._nodes = {}
        for n in self.nodes:
            self._nodes.setdefault(n.id, n)   # the first wins, as Design.node's scan does
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        for e in self.edges:
            self._out.setdefault(e.source, []).append(e)
            self._in.setdefault(e.target, []).append(e)

    def node(self, node_id: str) -> Node:
        return self._nodes[node_id]

    def node_map(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes} if len(self._nodes) != len(self.nodes) else dict(self._nodes)

    def kind_of(self, edge: Edge) -> str | None:
        if edge.kind:
            return edge.kind
        source, target = self._nodes.get(edge.source), self._nodes.get(edge.target)
        if source is None or target is None:
            return None
        return infer_kind(source.type, target.type)

    def out_edges(self, node_id: str) -> list[Edge]:
        return list(self._out.get(node_id, ()))

    def in_edges(self, node_id: str) -> list[Edge]:
        return list(self._in.get(node_id, ()))
