"""A read-only view of a design for the rules: nodes by id, edges by kind, triggers, wording helpers.

Rules never change the design; everything here is derived on demand from `design.Design`.
"""
from __future__ import annotations

import json
import re
from functools import cached_property

from design.connections import infer_kind
from design.edge_kinds import ASYNC_INVOKE_KINDS, FLOW_KINDS, TRIGGER_KINDS  # noqa: F401  (rules import them here)
from design.model import Design, Edge, Node
from design.registry import BY_NAME, TYPES


def _kind(nodes: dict[str, Node], edge: Edge) -> str | None:
    if edge.kind:
        return edge.kind
    return infer_kind(nodes[edge.source].type, nodes[edge.target].type)


class DesignView:
    def __init__(self, design: Design):
        self.design = design
        self.nodes: dict[str, Node] = design.node_map()
        self._kinds = {id(e): _kind(self.nodes, e) for e in design.edges}
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        for edge in design.edges:
            self._out.setdefault(edge.source, []).append(edge)
            self._in.setdefault(edge.target, []).append(edge)

    # edges ---------------------------------------------------------------------------------
    def kind(self, edge: Edge) -> str | None:
        return self._kinds[id(edge)]

    def out(self, node_id: str, *kinds: str) -> list[Edge]:
        return [e for e in self._out.get(node_id, ()) if not kinds or self.kind(e) in kinds]

    def into(self, node_id: str, *kinds: str) -> list[Edge]:
        return [e for e in self._in.get(node_id, ()) if not kinds or self.kind(e) in kinds]

    def triggers(self, node_id: str) -> list[Edge]:
        """Incoming edges that make this node run."""
        return [e for e in self.into(node_id) if self.kind(e) in TRIGGER_KINDS]

    def flows_out(self, node_id: str) -> list[Edge]:
        return [e for e in self.out(node_id) if self.kind(e) in FLOW_KINDS]

    def of_type(self, *types: str) -> list[Node]:
        return [n for n in self.design.nodes if n.type in types]

    @cached_property
    def rules(self) -> list[tuple[Node, str, list[Edge]]]:
        """EventBridge rules: (bus, rule name, target edges). Edges without `rule` are rules of their own."""
        found: list[tuple[Node, str, list[Edge]]] = []
        for bus in self.of_type("event_bus"):
            grouped: dict[str, list[Edge]] = {}
            for edge in self.out(bus.id, "rule_target"):
                grouped.setdefault(edge.props.get("rule") or edge.key, []).append(edge)
            found += [(bus, name, edges) for name, edges in grouped.items()]
        return found

    def rule_of(self, edge: Edge) -> tuple[Node, str, list[Edge]]:
        """The rule a rule-target edge belongs to."""
        return next(rule for rule in self.rules if any(e is edge for e in rule[2]))

    @staticmethod
    def rule_pattern(edges: list[Edge]):
        """The rule's pattern: the first one its target edges carry (they share it), or None."""
        return next((e.props["pattern"] for e in edges if e.props.get("pattern") is not None), None)

    def dead_letter_queues(self) -> list[Node]:
        """Queues that park what something else gave up on: dead_letter / on_failure targets and
        `dead_letter` references on subscriptions and rule targets, in design order."""
        ids = {e.target for e in self.design.edges if self.kind(e) in ("dead_letter", "on_failure")}
        ids |= {e.props["dead_letter"] for e in self.design.edges if e.props.get("dead_letter")}
        return [n for n in self.design.nodes if n.id in ids and n.type == "sqs_queue"]

    # words -----------------------------------------------------------------------------------
    def label(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.title if node else node_id

    def chain(self, ids: list[str]) -> str:
        return " → ".join(self.label(i) for i in ids)


def node_path(node_id: str, *props: str) -> str:
    return f"nodes[{node_id}]" + "".join(f".props.{p}" if i == 0 else f".{p}" for i, p in enumerate(props))


def edge_path(edge: Edge, *props: str) -> str:
    return f"edges[{edge.key}]" + "".join(f".props.{p}" if i == 0 else f".{p}" for i, p in enumerate(props))


def num(value: float) -> str:
    """A number as people write it: 1,500 not 1500.0; 0.15 stays 0.15."""
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def quoted(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Services that pass an event on as it is (a queue, a topic, a pipe, a stream, an API's service
# integration): walking upstream through
# them finds where a consumer's events come from.
CARRIERS = frozenset(t.name for t in TYPES if t.carries_events)   # the registry's carries_events


def upstream(view: DesignView, node_id: str, through=lambda node: node.type in CARRIERS) -> list[Edge]:
    """Data edges that lead into `node_id`, directly or through carriers (those `through` accepts), breadth
    first in design order; each edge once."""
    seen_nodes, seen_edges, found = {node_id}, set(), []
    frontier = [node_id]
    while frontier:
        nxt = []
        for target in frontier:
            for edge in view.into(target):
                if view.kind(edge) not in FLOW_KINDS or id(edge) in seen_edges:
                    continue
                seen_edges.add(id(edge))
                found.append(edge)
                source = view.nodes[edge.source]
                if source.id not in seen_nodes and through(source):
                    seen_nodes.add(source.id)
                    nxt.append(source.id)
        frontier = nxt
    return found


def lambda_consumers(view: DesignView, queue_id: str) -> list:
    """(function, event-source edge) for each function polling the queue, in design order."""
    return [(view.nodes[e.target], e) for e in view.out(queue_id, "event_source")
            if view.nodes[e.target].type == "lambda"]


def needed_visibility_s(view: DesignView, queue_id: str) -> float:
    """AWS's advice: at least 6 × the function timeout, plus the batching window (semantics.md §1)."""
    return max((6 * float(fn.prop("timeout_s")) + float(edge.props.get("batching_window_s") or 0)
                for fn, edge in lambda_consumers(view, queue_id)), default=0.0)


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_-]*)\}")


def referenced_ids(design: Design) -> set[str]:
    """Node ids named inside props: node references (a pipe's enrichment), edges' `dead_letter`, `${id}`
    placeholders in state machine definitions, and the design's own scenario (workload sources, faults)."""
    found = {e.props["dead_letter"] for e in design.edges if isinstance(e.props.get("dead_letter"), str)}
    scenario = design.scenario if isinstance(design.scenario, dict) else {}
    found |= {w.get("source") for w in scenario.get("workload") or [] if isinstance(w, dict)}
    found |= set(((scenario.get("inject") or {}).get("nodes") or {}))
    for node in design.nodes:
        spec = BY_NAME[node.type].prop_index
        found |= {v for k, v in node.props.items() if k in spec and spec[k].kind == "node_ref" and isinstance(v, str)}
        if node.type == "state_machine" and node.props.get("definition") is not None:
            found |= set(_PLACEHOLDER.findall(json.dumps(node.props["definition"], default=str)))
    return found
