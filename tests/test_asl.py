"""Exact, hand-written tests of the ASL interpreter (simulator.asl) and its helper modules."""
import base64
import hashlib
import json
import random
import uuid

import pytest
from hypothesis import given, settings, strategies as st

from simulator.asl import (START_TIME, AslError, Execution, Finished, Invoke, Sleep, resolve_target,
                           validate_definition)
from states_language.choice import rule_matches
from states_language.intrinsics import call_intrinsic
from states_language.paths import StatesError


def machine(states: dict, start: str | None = None, **top) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def task(resource="${work}", **fields) -> dict:
    return {"Type": "Task", "Resource": resource, **({"End": True} if "Next" not in fields else {}), **fields}


def execution(definition: dict, data=None, seed: int = 1, **options) -> Execution:
    return Execution(definition, {} if data is None else data, rng=random.Random(seed), **options)


def single(commands: list, kind: type):
    assert len(commands) == 1 and isinstance(commands[0], kind), commands
    return commands[0]


# ----------------------------------------------------------------------------------------- retry and catch
RETRY_THEN_CATCH = machine({
    "Charge": task("${charge}", Next="Done",
                   Retry=[{"ErrorEquals": ["Card.Declined"], "IntervalSeconds": 2, "BackoffRate": 2,
                           "MaxAttempts": 3}],
                   Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate"}]),
    "Compensate": {"Type": "Pass", "End": True},
    "Done": {"Type": "Succeed"},
})


def fail_until_done(ex: Execution, error: str) -> list[float]:
    """Fail every Invoke with `error`, answer every Sleep; return the retry delays seen."""
    delays, commands = [], ex.start()
    while not ex.done:
        command = commands[0]
        if isinstance(command, Sleep):
            assert command.reason == "retry"
            delays.append(command.seconds)
            commands = ex.slept(command.token)
        else:
            commands = ex.task_failed(command.token, error, "no funds")
    return delays


def test_retry_delays_double_then_catch_applies_result_path():
    ex = execution(RETRY_THEN_CATCH, {"order": 7})
    assert fail_until_done(ex, "Card.Declined") == [2.0, 4.0, 8.0]
    assert ex.result == Finished("SUCCEEDED", {"order": 7, "error": {"Error": "Card.Declined", "Cause": "no funds"}},
                                 None, None)
    assert [e for e in ex.log if e[0] in ("retry", "catch")] == [
        ("retry", "", "Charge", 1, 2.0, "Card.Declined"), ("retry", "", "Charge", 2, 4.0, "Card.Declined"),
        ("retry", "", "Charge", 3, 8.0, "Card.Declined"), ("catch", "", "Charge", "Card.Declined", "Compensate")]


def test_unmatched_error_skips_retry_and_is_caught_at_once():
    ex = execution(RETRY_THEN_CATCH)
    assert fail_until_done(ex, "Other.Error") == []
    assert ex.result.output == {"error": {"Error": "Other.Error", "Cause": "no funds"}}


@pytest.mark.parametrize("retrier, expected", [
    ({"IntervalSeconds": 10, "BackoffRate": 3, "MaxAttempts": 4, "MaxDelaySeconds": 50}, [10, 30, 50, 50]),
    ({}, [1, 2, 4]),                                          # defaults: 1 s, rate 2.0, 3 attempts
    ({"MaxAttempts": 0}, []),                                 # 0 = never retry
    ({"IntervalSeconds": 3, "BackoffRate": 1, "MaxAttempts": 2}, [3, 3]),
])
def test_retry_delay_formula(retrier, expected):
    ex = execution(machine({"T": task(Retry=[{"ErrorEquals": ["E"], **retrier}])}))
    assert fail_until_done(ex, "E") == expected
    assert (ex.result.status, ex.result.error, ex.result.cause) == ("FAILED", "E", "no funds")


def test_full_jitter_is_bounded_and_reproducible_from_the_seed():
    definition = machine({"T": task(Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": 2, "MaxAttempts": 3,
                                            "JitterStrategy": "FULL"}])})
    delays = fail_until_done(execution(definition, seed=42), "E")
    reference = random.Random(42)
    assert delays == [reference.uniform(0, 2), reference.uniform(0, 4), reference.uniform(0, 8)]
    assert all(0 <= d <= cap for d, cap in zip(delays, (2, 4, 8)))
    assert fail_until_done(execution(definition, seed=42), "E") == delays


def test_each_retrier_counts_its_own_attempts_and_an_exhausted_one_does_not_fall_through():
    definition = machine({"T": task(Retry=[{"ErrorEquals": ["A"], "MaxAttempts": 1},
                                           {"ErrorEquals": ["B"], "MaxAttempts": 2},
                                           {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}])})
    ex = execution(definition)
    invoke = single(ex.start(), Invoke)
    for error in ("A", "B", "B"):
        sleep = single(ex.task_failed(invoke.token, error), Sleep)
        invoke = single(ex.slept(sleep.token), Invoke)
    assert [e[3:] for e in ex.log if e[0] == "retry"] == [(1, 1.0, "A"), (1, 1.0, "B"), (2, 2.0, "B")]
    assert single(ex.task_failed(invoke.token, "A"), Finished).error == "A"   # retrier 0 used up


CATCH_ORDER = machine({
    "T": task(Next="Ok", Catch=[{"ErrorEquals": ["X"], "Next": "CaughtX"},
                                {"ErrorEquals": ["Y", "Z"], "Next": "CaughtYZ"},
                                {"ErrorEquals": ["States.ALL"], "Next": "CaughtAll"}]),
    **{name: {"Type": "Pass", "Result": name, "End": True} for name in ("Ok", "CaughtX", "CaughtYZ", "CaughtAll")},
})


@pytest.mark.parametrize("error, handler", [("Z", "CaughtYZ"), ("X", "CaughtX"), ("Q", "CaughtAll"),
                                            ("States.Timeout", "CaughtAll")])
def test_first_matching_catcher_wins(error, handler):
    ex = execution(CATCH_ORDER)
    done = single(ex.task_failed(single(ex.start(), Invoke).token, error), Finished)
    assert done.output == handler


def test_task_failed_wildcard_does_not_match_timeout():
    definition = machine({"T": task(Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"},
                                           {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}]),
                          "Failed": {"Type": "Pass", "Result": "failed", "End": True},
                          "TimedOut": {"Type": "Pass", "Result": "timed out", "End": True}})
    for error, output in (("States.Timeout", "timed out"), ("Lambda.Unknown", "failed"),
                          ("States.HeartbeatTimeout", "failed")):
        ex = execution(definition)
        assert single(ex.task_failed(single(ex.start(), Invoke).token, error), Finished).output == output


def test_states_all_does_not_catch_a_runtime_error():
    definition = machine({"T": task(OutputPath="$.missing", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}]),
                          "C": {"Type": "Succeed"}})
    ex = execution(definition)
    done = single(ex.task_succeeded(single(ex.start(), Invoke).token, {"x": 1}), Finished)
    assert (done.status, done.error) == ("FAILED", "States.Runtime")


def test_saga_compensations_run_in_reverse_order():
    steps = {}
    for name, undo in (("Flight", None), ("Car", "CancelFlight"), ("Payment", "CancelCar")):
        nxt = {"Flight": "Car", "Car": "Payment", "Payment": "Confirmed"}[name]
        catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": undo or "Failed"}]
        steps[name] = task("${reserve%s}" % name, Next=nxt, ResultPath=f"$.{name}", Catch=catch)
    steps.update({"CancelCar": task("${cancelCar}", Next="CancelFlight", ResultPath=None),
                  "CancelFlight": task("${cancelFlight}", Next="Failed", ResultPath=None),
                  "Failed": {"Type": "Fail", "Error": "Saga.Failed", "Cause": "booking rolled back"},
                  "Confirmed": {"Type": "Succeed"}})
    ex = execution(machine(steps, "Flight"))
    targets, commands = [], ex.start()
    while not ex.done:
        invoke = single(commands, Invoke)
        targets.append(invoke.target)
        if invoke.target == "reservePayment":
            commands = ex.task_failed(invoke.token, "Payment.Declined")
        else:
            commands = ex.task_succeeded(invoke.token, {"ok": invoke.target})
    assert targets == ["reserveFlight", "reserveCar", "reservePayment", "cancelCar", "cancelFlight"]
    assert (ex.result.status, ex.result.error, ex.result.cause) == ("FAILED", "Saga.Failed", "booking rolled back")


# ----------------------------------------------------------------------------------------- choice
@pytest.mark.parametrize("rule, data, expected", [
    ({"Variable": "$.s", "StringEquals": "abc"}, {"s": "abc"}, True),
    ({"Variable": "$.s", "StringEquals": "abc"}, {"s": 1}, False),            # type mismatch is false
    ({"Variable": "$.s", "StringLessThan": "b"}, {"s": "abc"}, True),
    ({"Variable": "$.s", "StringGreaterThanEquals": "abc"}, {"s": "abc"}, True),
    ({"Variable": "$.s", "StringEqualsPath": "$.t"}, {"s": "x", "t": "x"}, True),
    ({"Variable": "$.s", "StringMatches": "log-*.txt"}, {"s": "log-2024.txt"}, True),
    ({"Variable": "$.s", "StringMatches": "a\\*b"}, {"s": "a*b"}, True),
    ({"Variable": "$.s", "StringMatches": "a\\*b"}, {"s": "axxb"}, False),
    ({"Variable": "$.n", "NumericEquals": 2}, {"n": 2.0}, True),
    ({"Variable": "$.n", "NumericEquals": 1}, {"n": True}, False),            # booleans are not numbers
    ({"Variable": "$.n", "NumericLessThanPath": "$.m"}, {"n": 1, "m": 2}, True),
    ({"Variable": "$.n", "NumericGreaterThanEquals": 20}, {"n": 19.5}, False),
    ({"Variable": "$.n", "NumericLessThanEquals": 3}, {"n": 3}, True),
    ({"Variable": "$.b", "BooleanEquals": False}, {"b": False}, True),
    ({"Variable": "$.b", "BooleanEqualsPath": "$.c"}, {"b": True, "c": True}, True),
    ({"Variable": "$.t", "TimestampLessThan": "2024-01-02T00:00:00Z"}, {"t": "2024-01-01T23:59:59+00:00"}, True),
    ({"Variable": "$.t", "TimestampEquals": "2024-01-01T01:00:00+01:00"}, {"t": "2024-01-01T00:00:00Z"}, True),
    ({"Variable": "$.t", "TimestampGreaterThan": "2024-01-01T00:00:00Z"}, {"t": "yesterday"}, False),
    ({"Variable": "$.x", "IsPresent": True}, {}, False),
    ({"Variable": "$.x", "IsPresent": False}, {}, True),
    ({"Variable": "$.x", "IsNull": True}, {"x": None}, True),
    ({"Variable": "$.x", "IsNumeric": True}, {"x": "1"}, False),
    ({"Variable": "$.x", "IsString": True}, {"x": "1"}, True),
    ({"Variable": "$.x", "IsBoolean": False}, {"x": 0}, True),
    ({"Variable": "$.x", "IsTimestamp": True}, {"x": "2016-03-14T01:59:00Z"}, True),
    ({"And": [{"Variable": "$.x", "IsPresent": True}, {"Variable": "$.x", "NumericEquals": 1}]}, {}, False),
    ({"Or": [{"Variable": "$.a", "NumericEquals": 1}, {"Variable": "$.b", "NumericEquals": 2}]},
     {"a": 0, "b": 2}, True),
    ({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, {"type": "Public"}, True),
    ({"Variable": "$$.Execution.Name", "StringEquals": "exec"}, {}, True),
])
def test_choice_rule(rule, data, expected):
    assert rule_matches(rule, data, {"Execution": {"Name": "exec"}}) is expected


def test_choice_missing_variable_is_a_runtime_error():
    with pytest.raises(StatesError) as raised:
        rule_matches({"Variable": "$.x", "NumericEquals": 1}, {}, {})
    assert raised.value.error == "States.Runtime"


CHOOSE = machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
                        "Default": "Small"},
                  "Big": {"Type": "Pass", "Result": "big", "End": True},
                  "Small": {"Type": "Pass", "Result": "small", "End": True}})


def test_choice_takes_first_match_or_default_and_fails_without_either():
    assert single(execution(CHOOSE, {"n": 11}).start(), Finished).output == "big"
    assert single(execution(CHOOSE, {"n": 1}).start(), Finished).output == "small"
    no_default = json.loads(json.dumps(CHOOSE))
    del no_default["States"]["C"]["Default"]
    done = single(execution(no_default, {"n": 1}).start(), Finished)
    assert (done.status, done.error) == ("FAILED", "States.NoChoiceMatched")


def test_transition_limit_stops_an_endless_loop():
    loop = machine({"Again": {"Type": "Pass", "Next": "Check"},
                    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "End"}],
                              "Default": "Again"},
                    "End": {"Type": "Succeed"}})
    ex = execution(loop, max_transitions=50)
    done = single(ex.start(), Finished)
    assert (done.status, done.error) == ("FAILED", "Sim.TransitionLimit")
    assert "max_transitions" in done.cause and "loops forever" in done.cause
    assert sum(entry[0] == "enter" for entry in ex.log) == 50


# ----------------------------------------------------------------------------------------- parallel and map
PARALLEL = machine({
    "Fan": {"Type": "Parallel", "Next": "Done",
            "Branches": [machine({f"B{i}": task("${b%d}" % i)}) for i in range(3)],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Done"}]},
    "Done": {"Type": "Pass", "End": True},
})


def test_parallel_outputs_are_in_branch_order_whatever_the_answer_order():
    ex = execution(PARALLEL, {"id": 1})
    invokes = ex.start()
    assert [i.target for i in invokes] == ["b0", "b1", "b2"]
    assert ex.task_succeeded(invokes[2].token, "two") == []
    assert ex.task_succeeded(invokes[0].token, "zero") == []
    assert single(ex.task_succeeded(invokes[1].token, "one"), Finished).output == ["zero", "one", "two"]


def test_parallel_branch_failure_cancels_the_siblings_and_late_answers_are_ignored():
    ex = execution(PARALLEL, {"id": 1})
    invokes = ex.start()
    done = single(ex.task_failed(invokes[1].token, "Boom", "branch 1 broke"), Finished)
    assert done.output == {"id": 1, "failure": {"Error": "Boom", "Cause": "branch 1 broke"}}
    assert ("cancel", "/Fan[0]") in ex.log and ("cancel", "/Fan[2]") in ex.log
    assert ex.task_succeeded(invokes[0].token, "late") == [] and ex.result is done


def test_parallel_failure_with_pending_siblings_keeps_running_the_catcher():
    definition = json.loads(json.dumps(PARALLEL))
    definition["States"]["Done"] = task("${after}")
    ex = execution(definition)
    invokes = ex.start()
    after = single(ex.task_failed(invokes[0].token, "Boom"), Invoke)
    assert after.target == "after"
    assert ex.task_succeeded(invokes[1].token, {}) == []           # cancelled sibling: ignored
    assert single(ex.task_succeeded(after.token, "ok"), Finished).output == "ok"


def map_state(**fields) -> dict:
    return machine({"Each": {"Type": "Map", "End": True, "ItemsPath": "$.items",
                             "ItemProcessor": machine({"Work": task("${worker}")}), **fields}})


def test_map_respects_max_concurrency_and_keeps_item_order():
    ex = execution(map_state(MaxConcurrency=2, ItemSelector={"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index",
                                                             "tag.$": "$.tag"}),
                   {"items": [10, 20, 30, 40, 50], "tag": "t"})
    running = ex.start()
    assert [c.payload for c in running] == [{"n": 10, "i": 0, "tag": "t"}, {"n": 20, "i": 1, "tag": "t"}]
    answered = 0
    while not ex.done:
        command = running.pop()                                      # answer the newest first
        new = ex.task_succeeded(command.token, command.payload["n"] * 2)
        answered += 1
        assert len(running) + sum(isinstance(c, Invoke) for c in new) <= 2
        running += [c for c in new if isinstance(c, Invoke)]
    assert answered == 5
    assert ex.result.output == [20, 40, 60, 80, 100]


def test_map_with_zero_concurrency_starts_everything_and_empty_map_succeeds():
    assert len(execution(map_state(MaxConcurrency=0), {"items": list(range(7))}).start()) == 7
    assert single(execution(map_state(), {"items": []}).start(), Finished).output == []


def run_map(definition: dict, items: list, failing: set) -> Finished:
    ex = execution(definition, {"items": items})
    pending = ex.start()
    while pending and not ex.done:
        command = pending.pop(0)
        if isinstance(command, Invoke):
            if command.payload in failing:
                pending += ex.task_failed(command.token, "Item.Bad", f"item {command.payload}")
            else:
                pending += ex.task_succeeded(command.token, command.payload)
    return ex.result


@pytest.mark.parametrize("tolerance, failing, status", [
    ({"ToleratedFailureCount": 1}, {2}, "SUCCEEDED"),
    ({"ToleratedFailureCount": 1}, {1, 2}, "FAILED"),
    ({"ToleratedFailurePercentage": 50}, {0, 3}, "SUCCEEDED"),
    ({"ToleratedFailurePercentage": 50}, {0, 1, 3}, "FAILED"),
])
def test_map_tolerated_failures(tolerance, failing, status):
    done = run_map(map_state(**tolerance), [0, 1, 2, 3], failing)
    assert done.status == status
    if status == "FAILED":
        assert done.error == "States.ExceedToleratedFailureThreshold"
    else:
        assert done.output == [{"Error": "Item.Bad", "Cause": f"item {i}"} if i in failing else i for i in range(4)]


def test_inline_map_without_tolerance_fails_with_the_item_error():
    done = run_map(map_state(), [0, 1, 2], {1})
    assert (done.status, done.error, done.cause) == ("FAILED", "Item.Bad", "item 1")


def test_item_reader_invoke_supplies_the_items():
    definition = map_state(ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                       "Parameters": {"Bucket": "${bucket}", "Key.$": "$.key"}})
    del definition["States"]["Each"]["ItemsPath"]
    ex = execution(definition, {"key": "rows.csv"}, substitutions={"bucket": "csv_bucket"})
    reader = single(ex.start(), Invoke)
    assert (reader.state, reader.target) == ("Each", "csv_bucket")
    assert reader.payload == {"Bucket": "${bucket}", "Key": "rows.csv"}
    workers = ex.task_succeeded(reader.token, [{"id": 1}, {"id": 2}])
    assert [w.payload for w in workers] == [{"id": 1}, {"id": 2}]


def test_item_batcher_hands_each_iteration_a_batch():
    ex = execution(map_state(ItemBatcher={"MaxItemsPerBatch": 2}), {"items": [1, 2, 3, 4, 5]})
    assert [c.payload for c in ex.start()] == [{"Items": [1, 2]}, {"Items": [3, 4]}, {"Items": [5]}]


# ----------------------------------------------------------------------------------------- wait
@pytest.mark.parametrize("fields, data, seconds", [
    ({"Seconds": 3}, {}, 3.0),
    ({"SecondsPath": "$.delay"}, {"delay": 12}, 12.0),
    ({"Timestamp": "2024-01-01T00:01:30Z"}, {}, 90.0),
    ({"TimestampPath": "$.at"}, {"at": "2023-12-31T00:00:00Z"}, 0.0),    # in the past: no wait
])
def test_wait_emits_a_sleep(fields, data, seconds):
    ex = execution(machine({"W": {"Type": "Wait", "End": True, **fields}}), data)
    sleep = single(ex.start(), Sleep)
    assert (sleep.state, sleep.seconds, sleep.reason) == ("W", seconds, "wait")
    assert single(ex.slept(sleep.token), Finished).output == data
    assert START_TIME.isoformat() == "2024-01-01T00:00:00+00:00"


# ----------------------------------------------------------------------------------------- input and output
def test_input_path_parameters_result_path_and_output_path():
    definition = machine({"P": {"Type": "Pass", "InputPath": "$.b", "Parameters": {"x.$": "$.c", "lit": 5,
                                                                                  "list": [{"y.$": "$.c"}]},
                                "ResultPath": "$.res.deep", "OutputPath": "$.res", "End": True}})
    output = single(execution(definition, {"a": 1, "b": {"c": 2}}).start(), Finished).output
    assert output == {"deep": {"x": 2, "lit": 5, "list": [{"y": 2}]}}


def test_task_result_selector_result_path_null_and_context_object():
    definition = machine({"T": task(Parameters={"who.$": "$$.Execution.Name", "state.$": "$$.State.Name"},
                                    ResultSelector={"code.$": "$.StatusCode"}, ResultPath="$.call", Next="Keep"),
                          "Keep": task("${keep}", ResultPath=None)})
    ex = execution(definition, {"id": 9}, name="run-1")
    first = single(ex.start(), Invoke)
    assert first.payload == {"who": "run-1", "state": "T"}
    second = single(ex.task_succeeded(first.token, {"StatusCode": 200, "Payload": "x"}), Invoke)
    assert second.payload == {"id": 9, "call": {"code": 200}}
    assert single(ex.task_succeeded(second.token, "ignored"), Finished).output == {"id": 9, "call": {"code": 200}}


@pytest.mark.parametrize("state, data, error", [
    ({"Type": "Pass", "Parameters": {"x.$": "$.nope"}, "End": True}, {}, "States.ParameterPathFailure"),
    ({"Type": "Pass", "ResultPath": "$.a.b", "End": True}, {"a": "text"}, "States.ResultPathMatchFailure"),
    ({"Type": "Pass", "InputPath": "$.nope", "End": True}, {}, "States.Runtime"),
    ({"Type": "Pass", "Parameters": {"x.$": "States.ArrayGetItem($.a, 5)"}, "End": True}, {"a": [1]},
     "States.IntrinsicFailure"),
])
def test_data_errors_use_the_aws_error_names(state, data, error):
    done = single(execution(machine({"S": state}), data).start(), Finished)
    assert (done.status, done.error) == ("FAILED", error)


def test_fail_state_error_path_and_cause_path():
    definition = machine({"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('code {}', $.c)"}})
    done = single(execution(definition, {"e": "Bad.Thing", "c": 42}).start(), Finished)
    assert (done.status, done.error, done.cause) == ("FAILED", "Bad.Thing", "code 42")


@pytest.mark.parametrize("expression, expected", [
    ("States.Format('Hello {}, you are {}', $.name, $.age)", "Hello Ann, you are 30"),
    ("States.StringToJson($.json)", {"k": [1, 2]}),
    ("States.JsonToString($.obj)", '{"a":1,"b":"x"}'),
    ("States.Array('a', 1, $.age, true, null)", ["a", 1, 30, True, None]),
    ("States.ArrayGetItem($.list, 1)", 2),
    ("States.ArrayLength($.list)", 4),
    ("States.ArrayContains($.list, 3)", True),
    ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
    ("States.ArrayPartition($.list, 3)", [[1, 2, 3], [2]]),
    ("States.ArrayUnique($.list)", [1, 2, 3]),
    ("States.MathAdd($.age, -5)", 25),
    ("States.StringSplit('a,b;;c', ',;')", ["a", "b", "c"]),
    ("States.Hash('abc', 'SHA-256')", hashlib.sha256(b"abc").hexdigest()),
    ("States.Base64Encode('hi there')", base64.b64encode(b"hi there").decode()),
    ("States.Base64Decode('aGk=')", "hi"),
    ("States.JsonMerge($.obj, States.StringToJson('{\"b\": 2}'), false)", {"a": 1, "b": 2}),
    ("States.Format('{} items', States.ArrayLength($.list))", "4 items"),
    ("States.Format('literal \\{\\} and {}', 'x')", "literal {} and x"),
])
def test_intrinsic_functions(expression, expected):
    data = {"name": "Ann", "age": 30, "json": '{"k": [1, 2]}', "obj": {"a": 1, "b": "x"}, "list": [1, 2, 3, 2]}
    assert call_intrinsic(expression, data, {}, random.Random(0)) == expected


def test_random_intrinsics_come_from_the_execution_rng():
    definition = machine({"P": {"Type": "Pass", "End": True,
                                "Parameters": {"id.$": "States.UUID()", "n.$": "States.MathRandom(1, 100)"}}})
    output = single(execution(definition, seed=5).start(), Finished).output
    reference = random.Random(5)
    assert output == {"id": str(uuid.UUID(int=reference.getrandbits(128), version=4)),
                      "n": reference.randrange(1, 100)}
    assert uuid.UUID(output["id"]).version == 4
    assert single(execution(definition, seed=5).start(), Finished).output == output


# ----------------------------------------------------------------------------------------- tasks
@pytest.mark.parametrize("resource, template, substitutions, expected", [
    ("${charge}", None, {}, ("request_response", "charge")),
    ("${charge}", None, {"charge": "node-7"}, ("request_response", "node-7")),
    ("arn:aws:states:::lambda:invoke", {"FunctionName": "${fn}", "Payload.$": "$"}, {}, ("request_response", "fn")),
    ("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "arn:x:function:${fn}:$LATEST"}, {},
     ("wait_for_task_token", "fn")),
    ("arn:aws:states:::sns:publish", {"Message": "m", "TopicArn": "${topic}"}, {}, ("request_response", "topic")),
    ("arn:aws:states:::dynamodb:putItem", {"TableName": "plain-name"}, {}, ("request_response", None)),
    ("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": "${child}"}, {}, ("sync", "child")),
    ("arn:aws:states:::ecs:runTask.sync", {"Cluster": "${cluster}"}, {}, ("sync", "cluster")),
    ("arn:aws:lambda:us-east-1:123456789012:function:legacy", None, {}, ("request_response", "legacy")),
])
def test_task_target_resolution(resource, template, substitutions, expected):
    assert resolve_target(resource, template, template, substitutions) == expected


def test_wait_for_task_token_payload_carries_the_token_and_timeouts_pass_through():
    definition = machine({"Ask": task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", Next="Done",
                                      Parameters={"QueueUrl": "${approvals}",
                                                  "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
                                      TimeoutSecondsPath="$.timeout", HeartbeatSeconds=60,
                                      Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Done"}]),
                          "Done": {"Type": "Succeed"}})
    ex = execution(definition, {"order": 5, "timeout": 3600}, name="checkout")
    invoke = single(ex.start(), Invoke)
    assert (invoke.integration, invoke.target, invoke.timeout_s, invoke.heartbeat_s) == (
        "wait_for_task_token", "approvals", 3600.0, 60.0)
    assert invoke.payload["MessageBody"] == {"token": f"checkout-token-{invoke.token}", "order": 5}
    done = single(ex.task_failed(invoke.token, "States.HeartbeatTimeout"), Finished)
    assert done.status == "SUCCEEDED"


# ----------------------------------------------------------------------------------------- JSONata
def test_jsonata_arguments_output_assign_and_condition():
    definition = machine({
        "Get": task(Arguments={"id": "{% $states.input.order.id %}", "fixed": 1, "gone": "{% $states.input.nope %}"},
                    Output={"total": "{% $states.result.price * $states.input.order.qty %}"},
                    Assign={"customer": "{% $states.input.order.who %}"}, Next="Big?"),
        "Big?": {"Type": "Choice", "Default": "Small",
                 "Choices": [{"Condition": "{% $states.input.total > 100 and $customer = 'ann' %}", "Next": "Big",
                              "Output": "{% 'big order for ' & $customer %}"}]},
        "Big": {"Type": "Succeed"}, "Small": {"Type": "Succeed"}}, QueryLanguage="JSONata")
    ex = execution(definition, {"order": {"id": "o1", "qty": 3, "who": "ann"}})
    invoke = single(ex.start(), Invoke)
    assert invoke.payload == {"id": "o1", "fixed": 1}          # undefined fields are left out
    assert single(ex.task_succeeded(invoke.token, {"price": 40}), Finished).output == "big order for ann"


def test_jsonata_filters_paths_over_arrays_and_ternary():
    output = {"off": "{% $states.input.cfg[State='Off'] ? $states.input.cfg[State='Off'].Name : false %}",
              "n": "{% $count($states.input.cfg) %}", "first": "{% $states.input.cfg[0].Name %}"}
    definition = machine({"P": {"Type": "Pass", "End": True, "QueryLanguage": "JSONata", "Output": output}})
    data = {"cfg": [{"Name": "a", "State": "On"}, {"Name": "b", "State": "Off"}, {"Name": "c", "State": "Off"}]}
    assert single(execution(definition, data).start(), Finished).output == {"off": ["b", "c"], "n": 3, "first": "a"}


def test_unsupported_jsonata_is_a_stated_query_evaluation_error():
    mapped = "{% $states.input ~> $map(function($v) {$v}) %}"   # function definitions: outside the subset
    definition = machine({"P": {"Type": "Pass", "End": True, "Output": mapped}}, QueryLanguage="JSONata")
    done = single(execution(definition, [1]).start(), Finished)
    assert (done.status, done.error) == ("FAILED", "States.QueryEvaluationError")
    assert "unsupported JSONata expression" in done.cause


# ----------------------------------------------------------------------------------------- protocol
def test_protocol_misuse_and_late_answers():
    ex = execution(machine({"T": task()}))
    invoke = single(ex.start(), Invoke)
    with pytest.raises(ValueError):
        ex.task_succeeded(999, {})
    with pytest.raises(ValueError):
        ex.slept(invoke.token)                                   # an Invoke is not a Sleep
    assert single(ex.task_succeeded(invoke.token, "r"), Finished).output == "r"
    assert ex.task_succeeded(invoke.token, "again") == [] and ex.done
    with pytest.raises(RuntimeError):
        ex.start()


def test_log_is_deterministic_and_readable():
    def run(seed):
        ex = execution(PARALLEL, {"id": 1}, seed=seed)
        invokes = ex.start()
        ex.task_failed(invokes[2].token, "Boom", "x")
        return ex.log
    assert run(1) == run(1)
    assert run(1)[:4] == [("enter", "", "Fan"), ("enter", "/Fan[0]", "B0"), ("invoke", "/Fan[0]", "B0", 1, "b0"),
                          ("enter", "/Fan[1]", "B1")]
    assert run(1)[-3:] == [("enter", "", "Done"), ("exit", "", "Done", None), ("finish", "SUCCEEDED", None, None)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["ok", "fail", "timeout"]), min_size=1, max_size=40), st.integers(0, 3))
def test_any_answer_sequence_ends_in_one_finished_with_unique_tokens(answers, seed):
    definition = machine({
        "Fan": {"Type": "Parallel", "Next": "Each",
                "Branches": [machine({"A": task("${a}", Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}])}),
                             machine({"W": {"Type": "Wait", "Seconds": 1, "Next": "B"}, "B": task("${b}")})],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Each"}]},
        "Each": {"Type": "Map", "ItemsPath": "$$.Execution.Input.items", "MaxConcurrency": 2, "End": True,
                 "ItemProcessor": machine({"C": task("${c}")}), "ToleratedFailureCount": 1}})
    ex = execution(definition, {"items": [1, 2, 3]}, seed=seed)
    outstanding, seen, finished = ex.start(), set(), []
    answers = iter(answers * 50)
    while outstanding:
        command = outstanding.pop(0)
        if isinstance(command, Finished):
            finished.append(command)
            continue
        assert command.token not in seen
        seen.add(command.token)
        answer = next(answers)
        if isinstance(command, Sleep):
            outstanding += ex.slept(command.token)
        elif answer == "ok":
            outstanding += ex.task_succeeded(command.token, {})
        else:
            outstanding += ex.task_failed(command.token, "States.Timeout" if answer == "timeout" else "E")
    assert finished == [ex.result] and ex.done


# ----------------------------------------------------------------------------------------- validation
def test_validation_lists_every_problem_with_its_path():
    definition = {"StartAt": "Missing", "States": {
        "Charge": {"Type": "Task", "Next": "Nowhere",
                   "Retry": [{"ErrorEquals": ["States.ALL", "Other"]}, {"ErrorEquals": [], "BackoffRate": 0.5}],
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}, {"ErrorEquals": ["X"], "Next": "Done"}]},
        "Pick": {"Type": "Choice", "Default": "Gone", "ResultPath": "$.x"},
        "Split": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "In", "States": {"In": {"Type": "Pass"}}}]},
        "Done": {"Type": "Succeed"}}}
    problems = validate_definition(definition)
    expected = [
        "StartAt: 'Missing' is not a state in States",
        "States.Charge.Resource: required string",
        "States.Charge.Next: 'Nowhere' is not a state in the same States object",
        "States.Charge.Retry[0].ErrorEquals: States.ALL must appear alone and in the last retrier",
        "States.Charge.Retry[1].ErrorEquals: non-empty array of error names required",
        "States.Charge.Retry[1].BackoffRate: must be a number >= 1",
        "States.Charge.Catch[0].ErrorEquals: States.ALL must appear alone and in the last catcher",
        'States.Pick: field "ResultPath" is not allowed in a Choice state',
        "States.Pick.Choices: non-empty array required",
        "States.Pick.Default: 'Gone' is not a state in the same States object",
        "States.Split.Branches[0].States.In: needs exactly one of Next or End: true",
        "States.Split.Branches[0].States: no terminal state (End: true, Succeed or Fail)",
    ]
    assert sorted(problems) == sorted(expected)
    with pytest.raises(AslError) as raised:
        execution(definition)
    assert raised.value.problems == problems and isinstance(raised.value, ValueError)


def test_valid_definitions_have_no_problems():
    for definition in (RETRY_THEN_CATCH, CATCH_ORDER, PARALLEL, CHOOSE, map_state()):
        assert validate_definition(definition) == []


ASL_WORDS = ["Type", "Next", "End", "StartAt", "States", "Branches", "ItemProcessor", "ItemReader", "Resource",
             "Retry", "Catch", "ErrorEquals", "Choices", "Default", "Variable", "And", "Not", "StringEquals",
             "Parameters", "ResultPath", "InputPath", "ItemsPath", "Seconds", "Timestamp", "ErrorPath",
             "ProcessorConfig", "QueryLanguage", "Condition", "x.$", "BackoffRate", "Task", "Pass", "Choice",
             "Map", "Parallel", "Wait", "Fail", "Succeed", "$", "$.x", "$$.y", "States.ALL", "States.Format(",
             "JSONata", "A"]
ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(ASL_WORDS),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.sampled_from(ASL_WORDS), inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(ANY_JSON)
def test_validation_reports_problems_and_never_raises(document):
    assert isinstance(validate_definition(document), list)


def test_a_slice_in_a_result_path_is_reported_not_a_crash():
    from states_language.paths import is_path
    assert is_path("$.a[0:2]") is True
    assert is_path("$.a[0:2]", reference=True) is False
    problems = validate_definition({"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": "$.a[0:2]",
                                                                       "End": True}}})
    assert problems and all("ResultPath" in p for p in problems)
