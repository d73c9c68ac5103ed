"""Step Functions executions on the simulated clock: retries, catches, sagas, callbacks, dedup."""
from conftest import hops, run_design

NO_DUPS = {"duplicate_probability": 0}


def machine(definition, tasks, sm_type="STANDARD", fn_props=None):
    nodes = [{"id": "src", "type": "client"},
             {"id": "sm", "type": "state_machine", "props": {"type": sm_type, "definition": definition}}]
    nodes += [{"id": t, "type": "lambda", "props": dict(fn_props or {"duration_s": 1})} for t in tasks]
    edges = [{"source": "src", "target": "sm"}] + [{"source": "sm", "target": t} for t in tasks]
    return nodes, edges


def task(resource, nxt=None, **extra):
    state = {"Type": "Task", "Resource": "${" + resource + "}", **extra}
    state.update({"Next": nxt} if nxt else {"End": True})
    return state


def test_retry_backoff_on_a_failing_task_then_catch():
    definition = {"StartAt": "Charge", "States": {
        "Charge": task("charge", "Done", Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2,
                                                 "BackoffRate": 2, "MaxAttempts": 3}],
                       Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]),
        "Done": {"Type": "Succeed"}, "Failed": {"Type": "Fail", "Error": "PaymentFailed"}}}
    run = run_design(*machine(definition, ["charge"]), {
        "until_s": 100, "workload": [{"source": "src", "count": 1}],
        "inject": {**NO_DUPS, "nodes": {"charge": {"failure_probability": 1}}}})
    # attempts: 0 (ends 1), wait 2 → 3 (ends 4), wait 4 → 8 (ends 9), wait 8 → 17 (ends 18)
    assert [h["time"] for h in hops(run, "invoked", "charge")] == [0.0, 3.0, 8.0, 17.0]
    assert run.nodes["sm"]["failed"] == 1 and run.nodes["sm"]["reported"] == 1
    assert "PaymentFailed" in hops(run, "execution_failed")[0]["detail"]


def test_saga_runs_compensations_in_reverse_order():
    definition = {"StartAt": "Reserve", "States": {
        "Reserve": task("reserve", "Charge", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Fail"}]),
        "Charge": task("charge", "Ship", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Release"}]),
        "Ship": task("ship", "Done", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Refund"}]),
        "Refund": task("refund", "Release"),
        "Release": task("release", "Fail"),
        "Done": {"Type": "Succeed"}, "Fail": {"Type": "Fail", "Error": "OrderFailed"}}}
    run = run_design(*machine(definition, ["reserve", "charge", "ship", "refund", "release"]), {
        "until_s": 100, "workload": [{"source": "src", "count": 1}],
        "inject": {**NO_DUPS, "nodes": {"ship": {"failure_probability": 1}}}})
    order = [h["target"] for h in hops(run, "processed") if h["target"] in ("reserve", "charge", "refund", "release")]
    assert order == ["reserve", "charge", "refund", "release"]
    assert run.nodes["sm"]["failed"] == 1


def test_standard_starts_once_per_event_express_runs_duplicates_twice():
    definition = {"StartAt": "Work", "States": {"Work": task("work")}}
    scenario = {"until_s": 60, "workload": [{"source": "src", "count": 10, "rate_per_s": 5}],
                "inject": {"duplicate_probability": 0, "edges": {"src->sm": {"duplicate_probability": 1.0}}}}
    standard = run_design(*machine(definition, ["work"]), scenario)
    assert standard.nodes["sm"]["deduplicated"] == 10 and standard.nodes["work"]["received"] == 10
    express = run_design(*machine(definition, ["work"], "EXPRESS"), scenario)
    assert express.nodes["sm"]["duplicate_side_effects"] == 10 and express.nodes["work"]["received"] == 20
    assert express.nodes["work"]["duplicate_side_effects"] == 10


def test_wait_for_task_token_heartbeat_times_out_when_the_callback_is_late():
    definition = {"StartAt": "Approve", "States": {
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "${ask}", "Payload": {"token.$": "$$.Task.Token"}},
                    "HeartbeatSeconds": 60, "End": True}}}
    slow = {"until_s": 600, "workload": [{"source": "src", "count": 1}],
            "inject": {**NO_DUPS, "nodes": {"ask": {"callback_delay_s": 300}}}}
    run = run_design(*machine(definition, ["ask"]), slow)
    failed = hops(run, "execution_failed")
    assert [h["time"] for h in failed] == [61.0] and "States.HeartbeatTimeout" in failed[0]["detail"]
    slow["inject"]["nodes"]["ask"]["callback_delay_s"] = 30
    run = run_design(*machine(definition, ["ask"]), slow)
    assert [h["time"] for h in hops(run, "execution_succeeded")] == [31.0]


def test_a_lost_callback_without_timeouts_waits_forever_in_flight():
    definition = {"StartAt": "Approve", "States": {
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "${ask}"}, "End": True}}}
    run = run_design(*machine(definition, ["ask"]), {"until_s": 3600, "workload": [{"source": "src", "count": 1}],
                     "inject": {**NO_DUPS, "nodes": {"ask": {"callback_lost_probability": 1.0}}}})
    assert run.nodes["sm"]["in_flight"] == 1 and run.conservation["ok"]


def test_express_execution_times_out_at_five_minutes_and_ignores_late_answers():
    definition = {"StartAt": "Slow", "States": {"Slow": task("slow")}}
    nodes, edges = machine(definition, ["slow"], "EXPRESS", {"duration_s": 400, "timeout_s": 900})
    run = run_design(nodes, edges, {"until_s": 1000, "workload": [{"source": "src", "count": 1}], "inject": NO_DUPS})
    failed = hops(run, "execution_failed")
    assert [h["time"] for h in failed] == [300.0] and "States.Timeout" in failed[0]["detail"]
    assert run.nodes["slow"]["processed"] == 1 and run.nodes["sm"]["failed"] == 1 and run.conservation["ok"]


def test_synchronous_express_child_runs_a_duplicate_start_at_most_once():
    child = {"StartAt": "Work", "States": {"Work": task("work")}}
    parent = {"StartAt": "Child", "States": {"Child": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": "${child}"}, "End": True}}}
    nodes = [{"id": "src", "type": "client"},
             {"id": "parent", "type": "state_machine", "props": {"type": "STANDARD", "definition": parent}},
             {"id": "child", "type": "state_machine", "props": {"type": "EXPRESS", "definition": child}},
             {"id": "work", "type": "lambda", "props": {"duration_s": 1}}]
    edges = [{"source": "src", "target": "parent"}, {"source": "parent", "target": "child"},
             {"source": "child", "target": "work"}]
    run = run_design(nodes, edges, {"until_s": 60, "workload": [{"source": "src", "count": 1}],
                                    "inject": {"duplicate_probability": 0, "edges": {"parent->child": {"duplicate_probability": 1.0}}}})
    assert run.nodes["child"]["received"] == 2 and run.nodes["child"]["deduplicated"] == 1
    assert run.nodes["work"]["received"] == 1 and run.conservation["ok"]
