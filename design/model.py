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

    def kind_of(self, edge: Edge) -> str | None:
        if edge.kind:
            return edge.kind
        nodes = self.node_map()
        if edge.source not in nodes or edge.target not in nodes:
            return None
        return infer_kind(nodes[edge.source].type, nodes[edge.target].type)

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
