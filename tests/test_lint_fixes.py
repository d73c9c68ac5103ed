"""Mechanical fixes: pure, valid, fresh ids, and the finding they fix is gone afterwards."""
import copy
import json
from pathlib import Path

import pytest

from design import from_data, load_file
from lint import lint
from lint.fixes import FIXES, FixError, apply_fix
from states_language import validate_definition
from simulator.run import simulate

FIXTURES = Path(__file__).resolve().parent / "lint_fixtures"
OFFERED = [(path.name, i) for path in sorted(FIXTURES.glob("*.yaml"))
           for i, f in enumerate(lint(load_file(path))) if "fix" in f]


def fixture(name):
    return load_file(FIXTURES / name)


def fixed(name, finding_id, path):
    design = fixture(name)
    finding = next(f for f in lint(design) if f["id"] == finding_id and f["path"] == path)
    return apply_fix(design, finding)


@pytest.mark.parametrize("name,index", OFFERED, ids=[f"{n}#{i}" for n, i in OFFERED])
def test_every_offered_fix_removes_its_finding_and_leaves_a_valid_design(name, index):
    design = fixture(name)
    before = json.dumps(design.to_dict(), sort_keys=True)
    finding = lint(design)[index]
    result = apply_fix(design, finding)
    assert json.dumps(design.to_dict(), sort_keys=True) == before, "the fix changed its input"
    assert result is not design
    from_data(result.to_dict())   # raises if not a valid design
    assert (finding["id"], finding["path"]) not in {(f["id"], f["path"]) for f in lint(result)}
    # a fix never introduces an error or a warning that was not there before
    old = {(f["id"], f["path"]) for f in lint(design) if f["severity"] != "info"}
    assert {(f["id"], f["path"]) for f in lint(result) if f["severity"] != "info"} <= old


def test_every_fix_is_offered_by_some_fixture():
    used = {lint(fixture(n))[i]["fix"]["id"] for n, i in OFFERED}
    assert used == set(FIXES)


def test_raise_visibility_sets_six_times_the_timeout_plus_the_batching_window():
    assert fixed("e2001_w2002_visibility.yaml", "E2001", "nodes[short_q].props.visibility_timeout_s") \
        .node("short_q").props["visibility_timeout_s"] == 360
    assert fixed("e2001_w2002_visibility.yaml", "W2002", "nodes[batch_q].props.visibility_timeout_s") \
        .node("batch_q").props["visibility_timeout_s"] == 210


def test_add_queue_dlq_adds_a_queue_an_edge_and_max_receive_count():
    result = fixed("w2003_queue_without_dlq.yaml", "W2003", "nodes[bare_q]")
    dlq = result.node("bare_q_dlq")
    assert (dlq.type, dlq.label, dlq.props) == ("sqs_queue", "Bare queue DLQ", {"retention_s": 1209600})
    assert [(e.target, e.kind) for e in result.out_edges("bare_q") if e.kind == "dead_letter"] == [("bare_q_dlq", "dead_letter")]
    assert result.node("bare_q").props["max_receive_count"] == 5


def test_a_fifo_queue_gets_a_fifo_dlq_and_ids_stay_fresh():
    design = from_data({"name": "f", "nodes": [
        {"id": "app", "type": "client"},
        {"id": "q", "type": "sqs_queue", "props": {"fifo": True, "visibility_timeout_s": 60}, "position": {"x": 10, "y": 20}},
        {"id": "q_dlq", "type": "lambda", "props": {"idempotent": True}},
    ], "edges": [{"source": "app", "target": "q"}, {"source": "q", "target": "q_dlq"}]})
    finding = next(f for f in lint(design) if f["id"] == "W2003")
    result = apply_fix(design, finding)
    new = result.node("q_dlq_2")
    assert new.props == {"fifo": True, "retention_s": 1209600}
    assert new.position == {"x": 50, "y": 160}
    assert not [f for f in lint(result) if f["id"] == "E2005"]


def test_split_rule_keeps_five_targets_and_moves_the_rest_with_the_pattern():
    result = fixed("e3001_too_many_targets.yaml", "E3001", "edges[bus->q1].props.rule")
    rules = {e.target: e.props["rule"] for e in result.edges if e.props.get("rule") and not e.id}
    assert rules == {"q1": "everyone", "q2": "everyone", "q3": "everyone", "q4": "everyone", "q5": "everyone",
                     "q6": "everyone-2", "q7": "everyone-2"}
    assert all(e.props["pattern"] == {"source": ["shop"]} for e in result.edges if e.props.get("rule") == "everyone-2")


def test_rule_target_dlq_reuses_the_bus_dlq_when_there_is_one():
    design = fixture("w3004_rule_target_without_dlq.yaml")
    result = fixed("w3004_rule_target_without_dlq.yaml", "W3004", "edges[bus->billing_q]")
    assert next(e for e in result.edges if e.key == "bus->billing_q").props["dead_letter"] == "dlq"
    assert len(result.nodes) == len(design.nodes)


def test_rule_target_dlq_creates_one_when_the_bus_has_none():
    design = from_data({"name": "b", "nodes": [{"id": "bus", "type": "event_bus", "label": "Bus"},
                                                {"id": "q", "type": "sqs_queue"}],
                        "edges": [{"source": "bus", "target": "q", "props": {"pattern": {"source": ["a"]}}}]})
    result = apply_fix(design, next(f for f in lint(design) if f["id"] == "W3004"))
    assert result.node("bus_target_dlq").label == "Bus undeliverable events"
    assert result.edges[0].props["dead_letter"] == "bus_target_dlq"
    assert any(e.source == "bus" and e.target == "bus_target_dlq" and e.kind == "dead_letter" for e in result.edges)


def test_task_retry_names_the_lambda_errors_for_functions_and_all_errors_otherwise():
    name = "w4002_task_without_retry.yaml"
    tax = fixed(name, "W4002", "nodes[flow].props.definition.States.Both.Branches[0].States.Tax")
    definition = tax.node("flow").props["definition"]
    retry = definition["States"]["Both"]["Branches"][0]["States"]["Tax"]["Retry"]
    assert retry[0]["ErrorEquals"] == ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                                       "Lambda.SdkClientException", "Lambda.TooManyRequestsException"]
    assert validate_definition(definition) == []
    ship = fixed(name, "W4002", "nodes[flow].props.definition.States.Both.Branches[1].States.Ship")
    assert ship.node("flow").props["definition"]["States"]["Both"]["Branches"][1]["States"]["Ship"]["Retry"][0][
        "ErrorEquals"] == ["States.ALL"]


def test_remove_node_and_alarm_and_on_failure():
    assert "lost" not in {n.id for n in fixed("w5002_orphan_node.yaml", "W5002", "nodes[lost]").nodes}
    alarm = fixed("i2004_unwatched_dlq.yaml", "I2004", "nodes[orders_dlq]")
    assert alarm.node("orders_dlq_alarm").props == {"metric": "queue_depth", "threshold": 1}
    assert alarm.kind_of(alarm.in_edges("orders_dlq_alarm")[0]) == "metric"
    dest = fixed("w1007_async_without_destination.yaml", "W1007", "nodes[notify]")
    assert [(e.target, e.kind) for e in dest.out_edges("notify")] == [("notify_failures", "on_failure")]


def test_fix_errors_are_clear():
    design = fixture("w5002_orphan_node.yaml")
    lookup = next(f for f in lint(design) if f["path"] == "nodes[lookup]")
    with pytest.raises(FixError, match="has no mechanical fix"):
        apply_fix(design, lookup)
    with pytest.raises(FixError, match="unknown fix 'nope'"):
        apply_fix(design, {"id": "W5002", "path": "nodes[lost]", "fix": {"id": "nope"}})
    with pytest.raises(FixError, match=r"nodes\[ghost\]: no such node"):
        apply_fix(design, {"id": "W5002", "path": "nodes[ghost]", "fix": {"id": "remove-node"}})
    with pytest.raises(FixError, match="still connected or referred to"):
        apply_fix(design, {"id": "W5002", "path": "nodes[lookup]", "fix": {"id": "remove-node"}})


# The fixes do what the findings promise, as the simulator sees it --------------------------------------
def _run(design, scenario):
    return simulate(design, scenario, seed=1)


def test_on_failure_destination_turns_silent_drops_into_parked_events():
    design = fixture("w1007_async_without_destination.yaml")
    scenario = {"until_s": 3600, "workload": [{"source": "app", "count": 5, "rate_per_s": 1}],
                "inject": {"duplicate_probability": 0, "nodes": {"notify": {"failure_probability": 1.0}}}}
    before = _run(design, scenario).nodes["notify"]
    assert before["dropped"] == 5 and before["dead_lettered"] == 0
    after_design = apply_fix(design, next(f for f in lint(design) if f["path"] == "nodes[notify]"))
    after = _run(after_design, scenario)
    assert after.nodes["notify"]["dropped"] == 0 and after.nodes["notify"]["dead_lettered"] == 5
    assert after.nodes["notify_failures"]["received"] == 5


def test_marking_idempotent_stops_duplicate_side_effects():
    design = fixture("w1006_non_idempotent.yaml")
    scenario = {"until_s": 600, "workload": [{"source": "app", "count": 20, "rate_per_s": 1}],
                "inject": {"duplicate_probability": 0, "edges": {"app->std_q": {"duplicate_probability": 1.0}}}}
    assert _run(design, scenario).nodes["from_std"]["duplicate_side_effects"] == 20
    after = apply_fix(design, next(f for f in lint(design) if f["path"] == "nodes[from_std].props.idempotent"))
    assert _run(after, scenario).nodes["from_std"]["duplicate_side_effects"] == 0


def test_a_queue_dlq_parks_the_poison_message_instead_of_retrying_it_for_days():
    design = fixture("w2003_queue_without_dlq.yaml")
    scenario = {"until_s": 3600, "workload": [{"source": "app", "count": 1, "rate_per_s": 1}],
                "inject": {"duplicate_probability": 0, "nodes": {"worker": {"failure_probability": 1.0}}}}
    before = _run(design, scenario).nodes["bare_q"]
    assert before["dead_lettered"] == 0 and before["in_flight"] == 1
    after = _run(apply_fix(design, next(f for f in lint(design) if f["path"] == "nodes[bare_q]")), scenario)
    assert after.nodes["bare_q"]["dead_lettered"] == 1 and after.nodes["bare_q_dlq"]["received"] == 1
    assert after.nodes["worker"]["received"] == 5   # max_receive_count 5, then the DLQ


def test_fixes_do_not_share_state_with_the_input():
    design = fixture("w4002_task_without_retry.yaml")
    snapshot = copy.deepcopy(design.node("flow").props["definition"])
    finding = next(f for f in lint(design) if f["id"] == "W4002")
    apply_fix(design, finding)
    assert design.node("flow").props["definition"] == snapshot


def test_an_orphan_the_scenario_names_is_not_offered_for_removal():
    design = from_data({"name": "s", "nodes": [{"id": "shop", "type": "client"}, {"id": "q", "type": "sqs_queue"},
                                               {"id": "idle", "type": "lambda"}],
                        "edges": [{"source": "shop", "target": "q"}],
                        "scenario": {"workload": [{"source": "shop", "count": 1}],
                                     "inject": {"nodes": {"idle": {"failure_probability": 0.5}}}}})
    orphan = next(f for f in lint(design) if f["path"] == "nodes[idle]")
    assert orphan["id"] == "W5002" and "fix" not in orphan
