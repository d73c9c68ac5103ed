"""Any valid design lints without an exception; findings point at real nodes and edges, come in order,
and every offered fix applies and removes its finding."""
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from design import DesignError, from_data
from design.connections import ALLOWED
from design.props import BOOL, ENUM, FLOAT, INT, MAPPING, NODE_REF, PATTERN, STR
from design.registry import BY_NAME, TYPE_NAMES
from lint import lint, target_of
from lint.fixes import apply_fix
from lint.rule import sort_key
from patterns.catalog import load_catalog

PATTERNS = [{"source": ["shop"]}, {"detail-type": ["OrderPlaced"]}, {"source": [{"prefix": ""}]},
            {"detail-type": [{"prefixx": "x"}]}, {"body": {"status": ["PAID"]}}]
EMITS = [{"detail-type": "OrderPlaced"}, {"status": "ok"}, {"source": "payments", "detail-type": "PaymentTaken"}]
DEFINITIONS = [p.design.node(n.id).props["definition"] for p in load_catalog().values() for n in p.design.nodes
               if n.type == "state_machine"] + [
    {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${n0}", "Next": "B"},
                                "B": {"Type": "Task", "Resource": "${n1}", "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}},
]


COMMON = ("lambda", "lambda", "sqs_queue", "sqs_queue", "event_bus", "sns_topic", "state_machine")


def prop_value(spec, ids):
    if spec.kind == BOOL:
        return st.booleans()
    if spec.kind == INT:
        return st.integers(int(spec.minimum or 0), int(min(spec.maximum or 10_000, 10_000)))
    if spec.kind == FLOAT:
        return st.floats(spec.minimum or 0, min(spec.maximum or 10_000, 10_000), allow_nan=False)
    if spec.kind == ENUM:
        return st.sampled_from(spec.choices)
    if spec.kind == STR:
        return st.sampled_from(["rate(1 minute)", "x", "cron(0 2 * * ? *)"])
    if spec.kind == NODE_REF:
        return st.sampled_from(ids)
    if spec.name == "definition":
        return st.sampled_from(DEFINITIONS)
    if spec.name == "emits":
        return st.sampled_from(EMITS)
    if spec.kind in (MAPPING, PATTERN):
        return st.sampled_from(PATTERNS)
    raise AssertionError(spec.kind)


@st.composite
def designs(draw):
    count = draw(st.integers(1, 9))
    ids = [f"n{i}" for i in range(count)]
    nodes = []
    for node_id in ids:
        kind = draw(st.sampled_from(TYPE_NAMES + COMMON))
        specs = draw(st.lists(st.sampled_from(BY_NAME[kind].props), max_size=4, unique_by=lambda p: p.name)) \
            if BY_NAME[kind].props else []
        props = {spec.name: draw(prop_value(spec, ids)) for spec in specs}
        nodes.append({"id": node_id, "type": kind, "label": f"Node {node_id}", "props": props})
    types = {n["id"]: n["type"] for n in nodes}
    edges, keys = [], set()
    for _ in range(draw(st.integers(0, 14))):
        source = draw(st.sampled_from(ids))
        targets = [t for t in ids if (types[source], types[t]) in ALLOWED]
        if not targets:
            continue
        target = draw(st.sampled_from(targets))
        kinds = ALLOWED[(types[source], types[target])]
        if f"{source}->{target}" in keys:
            continue
        keys.add(f"{source}->{target}")
        edge = {"source": source, "target": target, "kind": draw(st.sampled_from(kinds + (None,)))}
        if edge["kind"] is None:
            del edge["kind"]
        elif edge["kind"] == "rule_target":
            edge["props"] = {"rule": draw(st.sampled_from(["r1", "r2"])), "pattern": draw(st.sampled_from(PATTERNS))}
            if draw(st.booleans()):
                edge["props"]["dead_letter"] = draw(st.sampled_from(ids))
        edges.append(edge)
    try:
        return from_data({"name": "fuzz", "nodes": nodes, "edges": edges})
    except DesignError:
        assume(False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(designs())
def test_any_valid_design_lints_and_every_fix_works(design):
    findings = lint(design)
    assert findings == sorted(findings, key=sort_key)
    assert findings == lint(design)
    nodes, edges = {n.id for n in design.nodes}, {e.key for e in design.edges}
    for finding in findings:
        where, key = target_of(finding)
        assert key in (nodes if where == "node" else edges), finding["path"]
        if "fix" in finding:
            result = apply_fix(design, finding)
            from_data(result.to_dict())
            after = {(f["id"], f["path"]) for f in lint(result)}
            assert (finding["id"], finding["path"]) not in after
            serious = {(f["id"], f["path"]) for f in findings if f["severity"] != "info"}
            assert {(i, p) for i, p in after if not i.startswith("I")} <= serious, finding
