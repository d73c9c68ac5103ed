"""A networkx view of a design, for analysis (cycles, reachability, orphans, layout)."""
from __future__ import annotations

import networkx as nx

from design.edge_kinds import FLOW_KINDS  # re-exported for the designer
from design.model import Design


def to_networkx(design: Design) -> nx.MultiDiGraph:
    """Nodes carry `type`, `label`, `props`; edges are keyed by edge key and carry `kind`, `props`."""
    graph = nx.MultiDiGraph(name=design.name)
    for node in design.nodes:
        graph.add_node(node.id, type=node.type, label=node.title, props=node.props)
    for edge in design.edges:
        graph.add_edge(edge.source, edge.target, key=edge.key, kind=design.kind_of(edge), props=edge.props)
    return graph




def flow_cycles(design: Design, limit: int = 50) -> list[list[str]]:
    """Cycles along data-carrying edges (not DLQs, alarms or compensations), at most `limit`."""
    graph = nx.DiGraph()
    graph.add_nodes_from(n.id for n in design.nodes)
    graph.add_edges_from((e.source, e.target) for e in design.edges if design.kind_of(e) in FLOW_KINDS)
    cycles = []
    for cycle in nx.simple_cycles(graph):
        cycles.append(cycle)
        if len(cycles) >= limit:
            break
    return cycles
