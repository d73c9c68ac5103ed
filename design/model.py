"""The design: nodes and edges, as plain data. Pure Python; nothing here knows about the UI."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from design.connections import infer_kind
from design.registry import BY_NAME


@dataclass
class Node:
    id: str
    type: str
    label: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    position: dict[str, float] | None = None   # canvas placement, kept for round trips

    @property
    def title(self) -> str:
        return self.label or self.id

    def prop(self, name: str):
        """The node's value for a property, else the registry default."""
        if name in self.props and self.props[name] is not None:
            return self.props[name]
        spec = BY_NAME[self.type].prop_index.get(name)
        return spec.default if spec else None


@dataclass
class Edge:
    source: str
    target: str
    kind: str | None = None        # None: inferred from the node types (see `Design.kind_of`)
    props: dict[str, Any] = field(default_factory=dict)
    id: str | None = None          # only needed to tell apart two edges between the same nodes

    @property
    def key(self) -> str:
        """How findings and scenarios name this edge: `source->target` unless given an id."""
        return self.id or f"{self.source}->{self.target}"


@dataclass
class Design:
    name: str = "Untitled design"
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    description: str = ""
    scenario: dict | None = None
    metadata: dict = field(default_factory=dict)   # round-trip data for exporters/importers

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def node_map(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def _lookup(self, node_id: str) -> Node | None:
        """The node with this id, as `node_map()` has it, in O(1) (a loop over edges calling `kind_of` was
        O(nodes × edges)). The index of (position, node) lives outside the dataclass fields, so equality,
        `to_dict` and `asdict` never see it. A hit is trusted only while the list has the same length and still
        holds that very node at that position under that id: an append, delete, replacement or changed id makes
        the next lookup rebuild it. (Ids are unique in any design the loader accepts; for a list that has two
        nodes with one id the index is not used at all.)"""
        nodes = self.nodes
        cached = self.__dict__.get("_index")
        if cached is not None and cached[0] == len(nodes):
            hit = cached[1].get(node_id)
            if hit is not None and nodes[hit[0]] is hit[1] and hit[1].id == node_id:
                return hit[1]
        index = {n.id: (i, n) for i, n in enumerate(nodes)}
        if len(index) == len(nodes):
            self.__dict__["_index"] = (len(nodes), index)
        else:
            self.__dict__.pop("_index", None)
        hit = index.get(node_id)
        return hit[1] if hit is not None else None

    def kind_of(self, edge: Edge) -> str | None:
        if edge.kind:
            return edge.kind
        source, target = self._lookup(edge.source), self._lookup(edge.target)
        if source is None or target is None:
            return None
        return infer_kind(source.type, target.type)

    def out_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def in_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def to_dict(self) -> dict:
        """The document form (what `save` writes): defaults left out, keys in a stable order."""
        doc: dict[str, Any] = {"name": self.name}
        if self.description:
            doc["description"] = self.description
        doc["nodes"] = [_node_doc(n) for n in self.nodes]
        doc["edges"] = [_edge_doc(e) for e in self.edges]
        if self.scenario is not None:
            doc["scenario"] = self.scenario
        if self.metadata:
            doc["metadata"] = self.metadata
        return doc


def _node_doc(n: Node) -> dict:
    d: dict[str, Any] = {"id": n.id, "type": n.type}
    if n.label:
        d["label"] = n.label
    if n.props:
        d["props"] = dict(n.props)
    if n.position is not None:
        d["position"] = dict(n.position)
    return d


def _edge_doc(e: Edge) -> dict:
    d: dict[str, Any] = {"source": e.source, "target": e.target}
    if e.id:
        d["id"] = e.id
    if e.kind:
        d["kind"] = e.kind
    if e.props:
        d["props"] = dict(e.props)
    return d
