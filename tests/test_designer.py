"""Designer edit operations, undo/redo history and auto-layout (pure Python, no browser)."""
import pytest

from design import from_data
from design.graph import FLOW_KINDS
from designer import edits
from designer.history import History
from designer.layout import LAYER_GAP, apply_layout, ensure_positions, layered_positions
from patterns.catalog import load_catalog

CATALOG = load_catalog()
PATTERNS = {pid: p.design for pid, p in CATALOG.items()}


def small():
    return from_data({"name": "t", "nodes": [
        {"id": "shop", "type": "client", "position": {"x": 0, "y": 0}},
        {"id": "q", "type": "sqs_queue", "position": {"x": 270, "y": 0}},
        {"id": "fn", "type": "lambda", "position": {"x": 540, "y": 0}},
        {"id": "dlq", "type": "sqs_queue", "position": {"x": 540, "y": 110}}],
        "edges": [{"source": "shop", "target": "q"}, {"source": "q", "target": "fn"},
                  {"source": "q", "target": "dlq", "kind": "dead_letter"}],
        "scenario": {"workload": [{"source": "shop", "count": 3}],
                     "inject": {"nodes": {"fn": {"failure_probability": 0.5}},
                                "edges": {"q->fn": {"duplicate_probability": 0.1}}}}})


def test_add_node_gets_a_fresh_id_a_label_and_the_drop_position():
    d = small()
    r = edits.apply(d, {"op": "add_node", "type": "lambda", "x": 12.34, "y": -5})
    new = r.design.nodes[-1]
    assert (new.id, new.type, new.label) == ("lambda", "lambda", "Lambda function")
    assert new.position == {"x": 12.3, "y": -5.0}
    r2 = edits.apply(r.design, {"op": "add_node", "type": "lambda", "x": 0, "y": 0})
    assert r2.design.nodes[-1].id == "lambda_2" and r2.design.nodes[-1].label == "Lambda function 2"
    assert r2.select_nodes == ["lambda_2"]
    assert len(d.nodes) == 4, "the input design is never changed"


def test_add_node_refuses_unknown_types_and_bad_positions():
    with pytest.raises(edits.EditRefused, match="unknown service type"):
        edits.apply(small(), {"op": "add_node", "type": "mainframe", "x": 0, "y": 0})
    with pytest.raises(edits.EditRefused, match="position"):
        edits.apply(small(), {"op": "add_node", "type": "lambda", "x": "left", "y": 0})
    with pytest.raises(edits.EditRefused, match="unknown edit"):
        edits.apply(small(), {"op": "format_disk"})


def test_a_dropped_pattern_arrives_with_fresh_ids_at_the_drop_point():
    d = small()
    r = edits.apply(d, {"op": "add_pattern", "pattern": "async-processing", "x": 1000, "y": 500})
    fragment = PATTERNS["async-processing"]
    assert len(r.design.nodes) == len(d.nodes) + len(fragment.nodes)
    assert len(r.design.edges) == len(d.edges) + len(fragment.edges)
    ids = [n.id for n in r.design.nodes]
    assert len(ids) == len(set(ids))
    added = r.design.nodes[len(d.nodes):]
    assert set(r.select_nodes) == {n.id for n in added} and r.refit
    assert min(n.position["x"] for n in added) == 1000 and min(n.position["y"] for n in added) == 500
    # a clash is renamed, and references (dead-letter props, ${id} in definitions) follow
    twice = edits.apply(r.design, {"op": "add_pattern", "pattern": "async-processing", "x": 0, "y": 900})
    assert len({n.id for n in twice.design.nodes}) == len(twice.design.nodes)


def test_every_catalog_pattern_can_be_dropped_twice():
    design = from_data({"name": "empty", "nodes": []})
    for pid in PATTERNS:
        design = edits.apply(design, {"op": "add_pattern", "pattern": pid, "x": 0, "y": 0}).design
        design = edits.apply(design, {"op": "add_pattern", "pattern": pid, "x": 0, "y": 2000}).design
        design = edits.apply(design, {"op": "delete", "nodes": [n.id for n in design.nodes]}).design
        assert design.nodes == [] and design.edges == []


def test_an_empty_canvas_takes_the_patterns_name_and_scenario():
    r = edits.apply(from_data({"nodes": []}), {"op": "add_pattern", "pattern": "choreography", "x": 0, "y": 0})
    assert r.design.name == PATTERNS["choreography"].name
    assert r.design.scenario == PATTERNS["choreography"].scenario


def test_connect_infers_the_kind_and_refuses_what_the_registry_does_not_allow():
    d = from_data({"nodes": [{"id": "q", "type": "sqs_queue"}, {"id": "fn", "type": "lambda"},
                             {"id": "t", "type": "dynamodb_table"}]})
    r = edits.apply(d, {"op": "connect", "source": "q", "target": "fn"})
    assert r.design.kind_of(r.design.edges[0]) == "event_source" and r.select_edges == ["q->fn"]
    with pytest.raises(edits.EditRefused) as refused:
        edits.apply(d, {"op": "connect", "source": "t", "target": "q"})
    # services named as the palette names them, never by type id
    assert "DynamoDB table → SQS queue is not a connection AWS offers" in refused.value.problems[0]
    assert "DynamoDB table connects to: CloudWatch alarm, EventBridge Pipe, Lambda function" in refused.value.problems[0]
    assert "dynamodb_table" not in refused.value.problems[0] and "sqs_queue" not in refused.value.problems[0]
    with pytest.raises(edits.EditRefused, match="itself"):
        edits.apply(d, {"op": "connect", "source": "fn", "target": "fn"})
    with pytest.raises(edits.EditRefused, match="already connected"):
        edits.apply(r.design, {"op": "connect", "source": "q", "target": "fn"})
    with pytest.raises(edits.EditRefused, match="a “sync” connection is not possible for SQS queue → Lambda function"):
        edits.apply(d, {"op": "connect", "source": "q", "target": "fn", "kind": "sync"})


def test_a_second_connection_between_the_same_two_gets_an_id_and_an_explicit_kind():
    d = from_data({"nodes": [{"id": "fn", "type": "lambda"}, {"id": "q", "type": "sqs_queue"}],
                   "edges": [{"source": "fn", "target": "q"}]})
    r = edits.apply(d, {"op": "connect", "source": "fn", "target": "q", "kind": "on_failure"})
    edge = r.design.edges[1]
    assert edge.id == "fn-q-on_failure" and edge.kind == "on_failure"
    assert r.message.startswith("Connected fn → q as on_failure.") and "publish" in r.message, r.message


def test_delete_removes_edges_and_references_and_prunes_the_scenario():
    r = edits.apply(small(), {"op": "delete", "nodes": ["fn"], "edges": []})
    assert [n.id for n in r.design.nodes] == ["shop", "q", "dlq"]
    assert all("fn" not in (e.source, e.target) for e in r.design.edges)
    assert r.design.scenario["inject"]["nodes"] == {} and r.design.scenario["inject"]["edges"] == {}
    r2 = edits.apply(small(), {"op": "delete", "nodes": ["shop"]})
    assert "workload" not in r2.design.scenario
    r3 = edits.apply(small(), {"op": "delete", "edges": ["q->dlq"]})
    assert len(r3.design.edges) == 2 and len(r3.design.nodes) == 4


def test_move_and_set_props_go_through_the_loader():
    r = edits.apply(small(), {"op": "move", "positions": {"fn": {"x": 10, "y": 20}}})
    assert r.design.node("fn").position == {"x": 10.0, "y": 20.0}
    r = edits.apply(small(), {"op": "set_node", "id": "fn", "label": "<b>Pay</b>", "props": {"timeout_s": 20}})
    assert r.design.node("fn").label == "<b>Pay</b>" and r.design.node("fn").props == {"timeout_s": 20}
    with pytest.raises(edits.EditRefused) as refused:
        edits.apply(small(), {"op": "set_node", "id": "fn", "props": {"timeout_s": 901}})
    assert refused.value.problems == ["nodes[fn].props.timeout_s: must be ≤ 900"]
    r = edits.apply(small(), {"op": "set_edge", "key": "q->fn", "kind": "event_source",
                              "props": {"batch_size": 5, "report_batch_item_failures": True}})
    edge = r.design.edges[1]
    assert edge.kind is None, "the inferred kind is not written out"
    assert edge.props == {"batch_size": 5, "report_batch_item_failures": True}
    with pytest.raises(edits.EditRefused):
        edits.apply(small(), {"op": "set_edge", "key": "q->fn", "props": {"batch_size": 0}})


def test_history_undoes_and_redoes_in_order_and_a_new_edit_clears_redo():
    h = History(limit=3)
    d0 = small()
    d1 = edits.apply(d0, {"op": "add_node", "type": "lambda", "x": 0, "y": 0}).design
    h.record(d0)
    d2 = edits.apply(d1, {"op": "delete", "nodes": ["q"]}).design
    h.record(d1)
    back = h.undo(d2)
    assert back.to_dict() == d1.to_dict()
    assert h.undo(back).to_dict() == d0.to_dict()
    assert h.undo(d0) is None
    assert h.redo(d0).to_dict() == d1.to_dict()
    h.record(d1)
    assert not h.can_redo
    for _ in range(5):
        h.record(d0)
    assert len(h.past) == 3


def test_layout_puts_every_flow_edge_left_to_right_for_acyclic_patterns():
    for pid, design in PATTERNS.items():
        pos = layered_positions(design)
        assert set(pos) == {n.id for n in design.nodes}
        assert len({(p["x"], p["y"]) for p in pos.values()}) == len(pos), f"{pid}: two nodes on one spot"
        if not _has_flow_cycle(design):
            for e in design.edges:
                if design.kind_of(e) in FLOW_KINDS:
                    assert pos[e.source]["x"] < pos[e.target]["x"], (pid, e.key)


def test_layout_is_deterministic_and_side_targets_sit_after_their_source():
    d = small()
    assert layered_positions(d) == layered_positions(small())
    pos = layered_positions(d)
    assert pos["dlq"]["x"] == pos["q"]["x"] + LAYER_GAP
    assert ensure_positions(from_data({"nodes": [{"id": "a", "type": "lambda"}]})).nodes[0].position == {"x": 0.0,
                                                                                                          "y": 0.0}


def test_layout_of_a_hundred_nodes_is_fast():
    import time
    design = hundred_nodes()
    start = time.perf_counter()
    apply_layout(design)
    assert time.perf_counter() - start < 0.5


def hundred_nodes():
    """20 chains of client → queue → function → table → (DLQ): 100 nodes, 80 edges."""
    nodes, edges = [], []
    for i in range(20):
        nodes += [{"id": f"c{i}", "type": "client"}, {"id": f"q{i}", "type": "sqs_queue",
                                                      "props": {"max_receive_count": 3}},
                  {"id": f"f{i}", "type": "lambda"}, {"id": f"t{i}", "type": "dynamodb_table"},
                  {"id": f"d{i}", "type": "sqs_queue"}]
        edges += [{"source": f"c{i}", "target": f"q{i}"}, {"source": f"q{i}", "target": f"f{i}"},
                  {"source": f"f{i}", "target": f"t{i}"}, {"source": f"q{i}", "target": f"d{i}", "kind": "dead_letter"}]
    return from_data({"name": "hundred", "nodes": nodes, "edges": edges})


def _has_flow_cycle(design):
    from design.graph import flow_cycles
    return bool(flow_cycles(design, limit=1))


def test_properties_panel_rules_json_fields_and_values():
    from design.connections import EDGE_PROPS
    from design.registry import BY_NAME
    from designer import forms
    pattern = EDGE_PROPS["pattern"]
    assert forms.parse_json_field("", pattern) == (None, [])
    assert forms.parse_json_field('{"source": ["shop"]}', pattern) == ({"source": ["shop"]}, [])
    value, problems = forms.parse_json_field('{"detail": {"total": [{"numerik": [">", 1]}]}}', pattern)
    assert value is None and "numerik" in problems[0]
    problem = forms.parse_json_field("{oops", pattern)[1][0]
    assert problem.startswith("pattern:") and "invalid JSON" in problem and "line 1" in problem
    # Hostile text areas get the shared reader's bounds, not a RecursionError or ValueError.
    assert "nested too deeply" in forms.parse_json_field("[" * 50_000 + "]" * 50_000, pattern)[1][0]
    assert forms.parse_json_field('{"n": ' + "9" * 5000 + "}", pattern)[1]
    assert "JSON object" in forms.parse_json_field("[1]", pattern)[1][0]
    policy = EDGE_PROPS["filter_policy"]
    assert forms.parse_json_field('{"a": {"b": ["x"]}}', policy, "MessageAttributes")[1], "nesting: body scope only"
    assert forms.parse_json_field('{"a": {"b": ["x"]}}', policy, "MessageBody")[1] == []
    timeout = BY_NAME["lambda"].prop_index["timeout_s"]
    assert forms.clean_value(timeout, 3.0) is None, "the default is not written out"
    assert forms.clean_value(timeout, 20.0) == 20 and isinstance(forms.clean_value(timeout, 20.0), int)
    assert forms.clean_value(BY_NAME["lambda"].prop_index["idempotent"], False) is None
    assert "range 1 – 900" in forms.describe_prop(timeout) and "default 3" in forms.describe_prop(timeout)
    assert [p.name for p in forms.edge_props_for("subscription", {})] == ["filter_policy", "filter_policy_scope",
                                                                          "dead_letter"]
    assert "route" in [p.name for p in forms.edge_props_for("subscription", {"route": "/x"})]


def test_scenario_form_helpers_keep_other_keys_and_replace_edge_faults():
    from designer import forms
    d = small()
    assert forms.default_scenario(d) is d.scenario
    bare = from_data({"nodes": [{"id": "q", "type": "sqs_queue"}, {"id": "fn", "type": "lambda"}],
                      "edges": [{"source": "q", "target": "fn"}]})
    assert forms.default_scenario(bare)["workload"][0]["source"] == "q", "no client: the first node without inputs"
    rows = forms.edge_fault_rows(d.scenario, [e.key for e in d.edges])
    assert rows[1] == {"connection": "q->fn", "duplicate_probability": 0.1, "latency_s": None, "jitter_s": None}
    rows[0]["latency_s"] = 0.5
    rows[1]["duplicate_probability"] = None
    out = forms.with_edge_faults(dict(d.scenario), rows)
    assert out["inject"]["edges"] == {"shop->q": {"latency_s": 0.5}}
    assert out["inject"]["nodes"] == {"fn": {"failure_probability": 0.5}}
