"""Mechanical fixes: `apply_fix(design, finding)` returns a NEW design in which that finding is gone.

Pure: the design passed in is never changed. New nodes get fresh ids (`design.merge.fresh_id`) and, when
the node they serve has a canvas position, a position just below it. Each fix re-reads the design rather
than trusting numbers in the finding, so a fix applied to a design edited since linting still does the
right thing (or says why it cannot).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Callable

from design.loader import DesignError, from_data
from design.merge import fresh_id
from design.model import Design, Edge, Node
from lint.asl_walk import find_state, task_call
from lint.rules.e3001_too_many_rule_targets import MAX_TARGETS
from lint.view import DesignView, needed_visibility_s, referenced_ids

MAX_RECEIVE_COUNT = 5          # AWS advises at least 5 when Lambda polls the queue (semantics.md, corrections)
DLQ_RETENTION_S = 1_209_600    # 14 days, the maximum: time to look at what failed
MAX_VISIBILITY_S = 43_200
LAMBDA_TRANSIENT_ERRORS = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                           "Lambda.TooManyRequestsException"]
_PATH = re.compile(r"^(nodes|edges)\[([^\]]+)\](.*)$")


class FixError(ValueError):
    """The fix cannot be applied (unknown fix, or the design no longer has what the finding names)."""


@dataclass(frozen=True)
class Fix:
    label: str
    apply: Callable[[Design, str], None]   # changes the (copied) design in place


def apply_fix(design: Design, finding: dict) -> Design:
    """The design with the finding's fix applied, as a new, valid Design."""
    fix_id = (finding.get("fix") or {}).get("id")
    if fix_id is None:
        raise FixError(f"{finding.get('id')} at {finding.get('path')}: this finding has no mechanical fix")
    if fix_id not in FIXES:
        raise FixError(f"unknown fix {fix_id!r}")
    result = copy.deepcopy(design)
    FIXES[fix_id].apply(result, str(finding.get("path", "")))
    try:
        return from_data(result.to_dict())
    except DesignError as exc:   # a bug in a fix, never the user's doing: say so plainly
        raise FixError(f"fix {fix_id!r} produced an invalid design: {exc.problems[0]}") from None


# path helpers -------------------------------------------------------------------------------
def _target(path: str) -> tuple[str, str, str]:
    match = _PATH.match(path)
    if not match:
        raise FixError(f"{path!r} does not name a node or an edge")
    return match.group(1), match.group(2), match.group(3)


def _node(design: Design, path: str) -> Node:
    where, key, _rest = _target(path)
    found = next((n for n in design.nodes if n.id == key), None) if where == "nodes" else None
    if found is None:
        raise FixError(f"{path}: no such node in the design")
    return found


def _edge(design: Design, path: str) -> Edge:
    where, key, _rest = _target(path)
    found = next((e for e in design.edges if e.key == key), None) if where == "edges" else None
    if found is None:
        raise FixError(f"{path}: no such edge in the design")
    return found


def _new_node(design: Design, base: str, type_: str, label: str, props: dict, near: Node) -> Node:
    node = Node(id=fresh_id(base, {n.id for n in design.nodes}), type=type_, label=label, props=props)
    if near.position is not None:
        node.position = {"x": near.position.get("x", 0) + 40, "y": near.position.get("y", 0) + 140}
    design.nodes.append(node)
    return node


def _new_dlq(design: Design, owner: Node, base: str, label: str, fifo: bool = False) -> Node:
    props = {"fifo": True, "retention_s": DLQ_RETENTION_S} if fifo else {"retention_s": DLQ_RETENTION_S}
    return _new_node(design, base, "sqs_queue", label, props, owner)


# the fixes --------------------------------------------------------------------------------------
def _mark_idempotent(design: Design, path: str) -> None:
    _node(design, path).props["idempotent"] = True


def _raise_visibility(design: Design, path: str) -> None:
    queue = _node(design, path)
    needed = min(needed_visibility_s(DesignView(design), queue.id), MAX_VISIBILITY_S)
    if needed <= float(queue.prop("visibility_timeout_s")):
        raise FixError(f"{path}: the visibility timeout is already {queue.prop('visibility_timeout_s')} s")
    queue.props["visibility_timeout_s"] = int(needed) if float(needed).is_integer() else needed


def _add_queue_dlq(design: Design, path: str) -> None:
    queue = _node(design, path)
    if any(e.source == queue.id and design.kind_of(e) == "dead_letter" for e in design.edges):
        raise FixError(f"{path}: {queue.title} already has a dead-letter queue")
    dlq = _new_dlq(design, queue, f"{queue.id}_dlq", f"{queue.title} DLQ", fifo=bool(queue.prop("fifo")))
    design.edges.append(Edge(source=queue.id, target=dlq.id, kind="dead_letter"))
    if queue.props.get("max_receive_count") is None:
        queue.props["max_receive_count"] = MAX_RECEIVE_COUNT


def _set_max_receive_count(design: Design, path: str) -> None:
    _node(design, path).props["max_receive_count"] = MAX_RECEIVE_COUNT


def _add_dlq_alarm(design: Design, path: str) -> None:
    dlq = _node(design, path)
    alarm = _new_node(design, f"{dlq.id}_alarm", "alarm", f"{dlq.title} not empty",
                      {"metric": "queue_depth", "threshold": 1}, dlq)
    design.edges.append(Edge(source=dlq.id, target=alarm.id))


def _split_rule(design: Design, path: str) -> None:
    first = _edge(design, path)
    name = first.props.get("rule")
    if not name:
        raise FixError(f"{path}: this edge is not part of a named rule")
    edges = [e for e in design.edges if e.source == first.source and e.props.get("rule") == name
             and design.kind_of(e) == "rule_target"]
    pattern = next((e.props["pattern"] for e in edges if e.props.get("pattern") is not None), None)
    taken = {e.props.get("rule") for e in design.edges if e.source == first.source and e.props.get("rule")}
    for start in range(MAX_TARGETS, len(edges), MAX_TARGETS):
        new_name = fresh_id(f"{name}-{start // MAX_TARGETS + 1}", taken)
        taken.add(new_name)
        for edge in edges[start:start + MAX_TARGETS]:
            edge.props["rule"] = new_name
            if pattern is not None and edge.props.get("pattern") is None:
                edge.props["pattern"] = copy.deepcopy(pattern)


def _add_on_failure(design: Design, path: str) -> None:
    fn = _node(design, path)
    queue = _new_dlq(design, fn, f"{fn.id}_failures", f"{fn.title} failures (on-failure destination)")
    design.edges.append(Edge(source=fn.id, target=queue.id, kind="on_failure"))


def _add_rule_target_dlq(design: Design, path: str) -> None:
    edge = _edge(design, path)
    bus = next(n for n in design.nodes if n.id == edge.source)
    existing = next((e.target for e in design.edges if e.source == bus.id and design.kind_of(e) == "dead_letter"), None)
    if existing is None:
        existing = _new_dlq(design, bus, f"{bus.id}_target_dlq", f"{bus.title} undeliverable events").id
        design.edges.append(Edge(source=bus.id, target=existing, kind="dead_letter"))
    edge.props["dead_letter"] = existing


def _add_node_dlq(design: Design, path: str) -> None:
    node = _node(design, path)
    dlq = _new_dlq(design, node, f"{node.id}_dlq", f"{node.title} DLQ")
    design.edges.append(Edge(source=node.id, target=dlq.id, kind="dead_letter"))


def _add_task_retry(design: Design, path: str) -> None:
    machine = _node(design, path)
    prefix = f"nodes[{machine.id}].props.definition."
    state = find_state(machine.props.get("definition") or {}, path[len(prefix):]) if path.startswith(prefix) else None
    if state is None or state.get("Type") != "Task":
        raise FixError(f"{path}: no such Task state in {machine.title}")
    if state.get("Retry"):
        raise FixError(f"{path}: the state already has a Retry")
    _target, kind = task_call(state, DesignView(design))
    errors = LAMBDA_TRANSIENT_ERRORS if kind == "lambda" else ["States.ALL"]
    state["Retry"] = [{"ErrorEquals": list(errors), "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2,
                       "JitterStrategy": "FULL"}]


def _remove_node(design: Design, path: str) -> None:
    node = _node(design, path)
    if any(node.id in (e.source, e.target) for e in design.edges) or node.id in referenced_ids(design):
        raise FixError(f"{path}: {node.title} is still connected or referred to")
    design.nodes.remove(node)


FIXES: dict[str, Fix] = {
    "mark-idempotent": Fix("Mark the function idempotent", _mark_idempotent),
    "raise-visibility-timeout": Fix("Raise the visibility timeout to 6 × the function timeout", _raise_visibility),
    "add-queue-dlq": Fix("Add a dead-letter queue (max_receive_count 5)", _add_queue_dlq),
    "set-max-receive-count": Fix("Set max_receive_count to 5", _set_max_receive_count),
    "add-dlq-alarm": Fix("Add an alarm on its depth", _add_dlq_alarm),
    "split-rule": Fix("Split the rule into rules of at most 5 targets", _split_rule),
    "add-on-failure-destination": Fix("Add an on-failure destination queue", _add_on_failure),
    "add-rule-target-dlq": Fix("Give the target a dead-letter queue", _add_rule_target_dlq),
    "add-node-dlq": Fix("Add a dead-letter queue", _add_node_dlq),
    "add-task-retry": Fix("Add a Retry for transient errors", _add_task_retry),
    "remove-node": Fix("Remove the node", _remove_node),
}
