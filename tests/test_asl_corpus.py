"""Every real-world definition in the shared corpus (corpus/asl) runs to the outcome stated in this table.

The table was written by reading each definition: the input a caller would send, the few task
results a plausible service would return where the flow depends on them, the outcome when every
task succeeds, and the outcome when every task fails with States.TaskFailed.
"""
import heapq
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from simulator.asl import AslError, Execution, Finished, Invoke, Sleep, validate_definition

# The external corpus, copied verbatim into tests/corpus (see tests/test_corpus_copy.py).
CORPUS = Path(__file__).resolve().parent / "corpus" / "asl"
INDEX = json.loads((CORPUS / "index.json").read_text())
INVALID = {"shared-fallback-state-jsonata.asl.json": "States.QueryLanguage: is a str, not a state object"}
OK, TASK_FAILED = ("SUCCEEDED", None), ("FAILED", "States.TaskFailed")
FAIL_STATE = ("FAILED", None)   # a Fail state without Error: AWS reports no error name either


@dataclass
class Case:
    input: Any = field(default_factory=dict)
    respond: dict = field(default_factory=dict)     # state name -> task output, or a function of the Invoke
    happy: tuple = OK                                # (status, error) when every task succeeds
    failing: tuple = TASK_FAILED                     # (status, error) when every task fails
    visits: tuple = ()                               # states the happy run must enter


def echo_callback(status: str):
    """An HTTPS endpoint that calls back with the workflow data it was sent plus a status."""
    return lambda invoke: {**invoke.payload["RequestBody"]["Payload"], "Status": status}


def pages():
    """listExecutions: the first page says there is a second one."""
    return {"ListExecutions": {"Executions": [{"name": "a"}], "NextToken": "page-2"},
            "List Executions nextPage": {"Executions": [{"name": "b"}]}}


QUORUM_STATUS = {"Item": {"successful_processes": {"L": [{"S": "Process1"}, {"S": "Process2"}]}}}
CASES = {
    "apigw-rest-stepfunction__waitable-stepfunction.asl.json": Case(
        {"Id": "42", "StartTimestamp": "2024-01-01T00:00:30Z"}, visits=("WaitUntil", "SetFinalStatus")),
    "apigw-sfn-crud__crud.asl.json": Case({"httpMethod": "POST", "data": {"name": {"S": "x"}}},
                                          visits=("Create Item",)),
    "apigw-sfn.asl.json": Case({"IsHelloWorldExample": "Yes"}, failing=OK, visits=("Parallel State", "Hello World")),
    "appsync-lambda-sfn-sam__booking_step_function.asl.json": Case(
        {"details": {"accountId": "1234567", "bookedStatus": "Paid"}},
        {"Get Booking Status": {"Item": {"Id": {"S": "1234567"}, "bookedStatus": {"S": "Paid"}}}},
        failing=FAIL_STATE, visits=("Apartment Paid",)),
    "calling-async-api-callback__workflow_AsyncAPICallbackPattern.asl.json": Case(
        {"orderId": 1}, {"Invoke Async API & Wait For CallBack": {"status": 200}},
        visits=("SNS Publish - Send Success Notification",)),
    "checkout-processing-workflow__checkout_workflow.asl.json": Case(
        {"CartId": "c1", "Email": "a@b.c", "Address": "1 Road", "Orange": "1", "Banana": "2", "Lemon": "0",
         "total_cost": "9"},
        {"Third Party Payment Service HTTPS Endpoint": echo_callback("PaymentSucceeded"),
         "Third Party Shipping Service HTTPS Endpoint": echo_callback("Shipped")},
        visits=("Send ShippingSuccessful Event to Notification Bus",)),
    "common-error-handling__common_error_option1.asl.json": Case({"number": 3}, visits=("Even Lambda",)),
    "distributed-map-csv-iterator.asl.json": Case(
        {}, {"Map": [{"metric": "cpu", "value": "3"}, {"metric": "mem", "value": "7"}]},
        failing=("FAILED", "States.ItemReaderFailed"), visits=("Start Child Step Function",)),
    "dynamically-process-data-with-map-state.asl.json": Case(
        {}, {"Read messages from SQS queue": {"Payload": [{"MessageId": "m1", "Body": "b1", "ReceiptHandle": "r1"},
                                                          {"MessageId": "m2", "Body": "b2", "ReceiptHandle": "r2"}]}},
        visits=("Publish message to SNS topic",)),
    "either-or-parallel-pattern.asl.json": Case(failing=OK, visits=("Next Step if Process Ran out of time",)),
    "emit-and-wait.asl.json": Case(visits=("Emit - PHASE 3",)),
    "eventbridge-schedule-stepfunctions-sam.asl.json": Case(failing=OK),
    "eventbridge-stepfunction-lambda-getfunctionstatus.asl.json": Case(
        {}, {"Lambda Invoke - Combine data": {"Payload": {
                "NextMarkercheck": "false",
                "Function_ARN_List_existing": {"lambda_arn_list_combined": [{"ARN": "arn:fn-1"},
                                                                            {"ARN": "arn:fn-2"}]}}},
             "GetFunction": lambda invoke: {"Configuration": {
                 "FunctionArn": invoke.payload["FunctionName"],
                 "State": "Inactive" if invoke.payload["FunctionName"] == "arn:fn-2" else "Active"}}},
        visits=("Inactive", "Inactive function pass state", "SNS Publish")),
    "explicit-failure-with-parallel-states.asl.json": Case(visits=("Success",)),
    "human-in-the-loop.asl.json": Case({"request": "r1"}, {"Notify Approver": {"result": True}},
                                       visits=("Handle approval",)),
    "idempotent-workflow-sam.asl.json": Case(
        {"order": 1}, {"Create idempotency settings (key and ttl)": {
            "order": 1, "idempotencyConfig": {"idempotencyKey": "key-1", "ttl": "3600"}}},
        visits=("Your Workflow", "Save execution results")),
    "lambda-sfn.asl.json": Case({"IsHelloWorldExample": True}, failing=OK, visits=("Hello World",)),
    "pagination-loop.asl.json": Case({}, pages(), visits=("List Executions nextPage", "Success")),
    "parallel-human-approval.asl.json": Case({"expense": 10}, failing=FAIL_STATE, visits=("Success",)),
    "path-based-on-data.asl.json": Case({"type": "Private", "value": 25}, failing=OK, visits=("NEXT_STATE_TWO",)),
    "quorum-with-parallel-pattern.asl.json": Case(
        {"quorum": 2}, {f"Get Process Completion Statuses{i}": QUORUM_STATUS for i in (1, 2, 3)},
        visits=("Quorum Met (DummyFailure) - 1", "Next Step When Quorum is met", "Get Process Completion Status")),
    "retry-with-exponential-backoff-sam.asl.json": Case(failing=FAIL_STATE, visits=("Succeed",)),
    "s3-eventbridge-sfn.asl.json": Case(
        {"detail": {"bucket": {"name": "photos"}, "object": {"key": "cat.jpg"}}},
        {"DetectLabels": {"Labels": [{"Name": "Cat", "Confidence": 98.1}, {"Name": "Sofa", "Confidence": 80.0}]}},
        visits=("Cat",)),
    "saga-pattern-sam.asl.json": Case({"trip": "t1"}, visits=("Reservation Successful!",)),
    "scatter-gather.asl.json": Case(
        {"requestDescription": "100 widgets", "quoteProviders": ["${vendorA}", "${vendorB}"]},
        visits=("Save quotes to DynamoDB",)),
    "sfn-ecs-sam__sfn-ecs-datapipeline.asl.json": Case({"bucketArray": ["b1", "b2", "b3"]}, visits=("Review Results",)),
    "sfn-sfn__childStateMachine.asl.json": Case({"IsHelloWorldExample": "True"}, failing=OK, visits=("Hello World",)),
    "sfn-sfn__parentStateMachine.asl.json": Case(),
    "sfn-sns.asl.json": Case({"message": "hello"}),
    "simple-retry.asl.json": Case(failing=FAIL_STATE, visits=("Succeed State",)),
    "sqs-stepfunctions-pipes-pattern.asl.json": Case([{"body": "hello"}], visits=("ProcessMessage",)),
    "synchronous-job.asl.json": Case(visits=("Notify Success",)),
    "wait-for-callback.asl.json": Case(visits=("Notify Success",)),
    "webhook-provider.asl.json": Case(
        {"source": "orders", "detail": {"customerId": "c9", "status": "shipped"}},
        {"Get webhooks for customer and event": {"Item": {"pk": {"S": "webhook_c9_orders.shipped"},
                                                          "signingToken": {"S": "tok"}, "url": {"S": "https://x"}}},
         "Prepare webhook call": {"Payload": {"id": "call-1", "payload": {"a": 1}, "url": "https://x", "token": "t"}},
         "Queue webhook call": {"status": "delivered", "output": {"code": 200}}},
        visits=("Queue webhook call", "Update WebhookCall")),
    "workflow-within-a-workflow__main-state-machine.asl.json": Case(
        {}, {"Start new workflow and wait for completion": {"Status": "SUCCEEDED", "Output": {"done": True}}}),
}


def plausible_output(invoke: Invoke) -> Any:
    """What a service that simply succeeds returns: Lambda wraps its result in Payload, others echo."""
    payload = invoke.payload
    if invoke.resource.startswith("arn:aws:states:::lambda:invoke"):
        return {"StatusCode": 200, "Payload": payload.get("Payload", {}) if isinstance(payload, dict) else {}}
    return dict(payload) if isinstance(payload, dict) else {"value": payload}


def drive(execution: Execution, respond: dict | None = None, fail_everything: bool = False,
          latency_s: float = 1.0) -> tuple[Finished, float]:
    """A minimal discrete-event driver: every Invoke is answered latency_s later, every Sleep when it
    ends; ties go to the command issued first. Returns the Finished and the simulated end time."""
    clock, order, queue, finished = 0.0, 0, [], []

    def schedule(commands):
        nonlocal order
        for command in commands:
            if isinstance(command, Finished):
                finished.append(command)
                continue
            order += 1
            due = clock + (command.seconds if isinstance(command, Sleep) else latency_s)
            heapq.heappush(queue, (due, order, command))

    schedule(execution.start())
    while queue:
        clock, _, command = heapq.heappop(queue)
        if isinstance(command, Sleep):
            schedule(execution.slept(command.token))
        elif fail_everything:
            schedule(execution.task_failed(command.token, "States.TaskFailed", "injected by the test driver"))
        else:
            answer = (respond or {}).get(command.state)
            schedule(execution.task_succeeded(command.token, answer(command) if callable(answer)
                                              else plausible_output(command) if answer is None else answer))
    assert len(finished) == 1 and finished[0] is execution.result, "exactly one Finished, as the last command"
    return finished[0], clock


def load(name: str) -> dict:
    return json.loads((CORPUS / name).read_text())


def start(name: str, case: Case, seed: int = 7) -> Execution:
    return Execution(load(name), case.input, rng=random.Random(seed), name="corpus")


RUNNABLE = sorted(CASES)


@pytest.mark.parametrize("name", RUNNABLE)
def test_happy_path_outcome(name):
    case = CASES[name]
    execution = start(name, case)
    done, _ = drive(execution, case.respond)
    assert (done.status, done.error) == case.happy, done.cause
    entered = {entry[2] for entry in execution.log if entry[0] == "enter"}
    assert set(case.visits) <= entered


@pytest.mark.parametrize("name", RUNNABLE)
def test_every_task_failing_still_ends_with_a_stated_outcome(name):
    done, _ = drive(start(name, CASES[name]), fail_everything=True)
    assert (done.status, done.error) == CASES[name].failing, done.cause


def test_the_table_covers_the_whole_index_and_every_file_runs():
    indexed = [entry["file"] for entry in INDEX["definitions"]]
    on_disk = sorted(path.name for path in CORPUS.glob("*.asl.json"))
    assert INDEX["count"] == len(indexed) == len(on_disk) == 36 and sorted(indexed) == on_disk
    assert sorted(RUNNABLE + list(INVALID)) == on_disk
    runs = 0
    for name in on_disk:
        if name in INVALID:
            with pytest.raises(AslError):
                start(name, Case())
        else:
            for fail_everything in (False, True):
                done, _ = drive(start(name, CASES[name]), CASES[name].respond, fail_everything)
                assert done.status in ("SUCCEEDED", "FAILED")
        runs += 1
    assert runs == INDEX["count"]


def test_known_invalid_definition_names_the_problem_path():
    with pytest.raises(AslError) as raised:
        start("shared-fallback-state-jsonata.asl.json", Case())
    assert INVALID["shared-fallback-state-jsonata.asl.json"] in raised.value.problems


def test_saga_compensates_in_reverse_order_when_payment_fails():
    execution = start("saga-pattern-sam.asl.json", Case({"trip": "t1"}))
    commands, calls = execution.start(), []
    while not execution.done:
        invoke = commands[0]
        calls.append(invoke.state)
        if invoke.state == "ProcessPayment":
            commands = execution.task_failed(invoke.token, "PaymentDeclined", "card refused")
        else:
            commands = execution.task_succeeded(invoke.token, {"Payload": {}})
    assert calls == ["ReserveFlight", "ReserveCarRental", "ProcessPayment", "RefundPayment",
                     "CancelRentalReservation", "CancelFlightReservation", "SendingSMSFailure"]
    assert (execution.result.status, execution.result.error) == ("FAILED", "Job Failed")


def test_quick_fail_branch_is_caught_then_reported_through_error_path():
    execution = start("explicit-failure-with-parallel-states.asl.json", Case())
    done, _ = drive(execution, {"quick fail": None}, fail_everything=False)
    assert done.status == "SUCCEEDED"
    commands = (execution := start("explicit-failure-with-parallel-states.asl.json", Case())).start()
    succeed, quick = commands
    execution.task_failed(quick.token, "QuickFail", "failed fast")
    done = execution.task_succeeded(succeed.token, {})[0]
    assert (done.status, done.error, done.cause) == ("FAILED", "QuickFail", "failed fast")


def test_either_or_takes_the_first_branch_to_finish():
    execution = start("either-or-parallel-pattern.asl.json", Case({"Process1ToComplete": True}))
    done, clock = drive(execution)
    assert done.status == "SUCCEEDED" and clock == 0.0
    assert ("enter", "", "Next Step If Process1 Completes") in execution.log
    _, clock = drive(start("either-or-parallel-pattern.asl.json", Case()))
    assert clock == 15.0   # the 15 s timeout branch wins the tie with the 5 s polling loops


def test_wait_until_timestamp_and_missing_input_field():
    execution = start("apigw-rest-stepfunction__waitable-stepfunction.asl.json",
                      CASES["apigw-rest-stepfunction__waitable-stepfunction.asl.json"])
    _, clock = drive(execution)
    assert clock == 32.0   # 1 s task, 30 s until the timestamp, 1 s task
    child = start("sfn-sfn__childStateMachine.asl.json", Case({}))
    assert drive(child)[0] == Finished("FAILED", None, None, "Not Hello World")


def test_statelint_fixtures_are_classified_like_statelint():
    fixtures = CORPUS / "statelint-fixtures"
    expected = json.loads((fixtures / "expected.json").read_text())
    assert len(expected["fixtures"]) == expected["count"] == 72
    for fixture in expected["fixtures"]:
        problems = validate_definition(json.loads((fixtures / fixture["file"]).read_text()))
        assert len(problems) == fixture["expected_problems"], (fixture["file"], problems)
        for said in fixture["message_substrings"]:   # statelint's words for the fact; ours may differ
            ours = STATELINT_WORDS.get(said, said)
            assert any(ours in problem for problem in problems), (fixture["file"], said, ours, problems)


# statelint's wording -> the words our validator uses for the same fact (the problem path names the field).
STATELINT_WORDS = {
    "allowed minimum is 1": "must be a number >= 1",
    'not one of the allowed values ["FULL", "NONE"]': 'JitterStrategy: must be "FULL" or "NONE"',
    "non-empty required": "ErrorEquals: non-empty array",
    "allowed floor is 0": "MaxDelaySeconds: must be an integer >= 1",   # -1 given; AWS wants at least 1
    '"ItemsPath"': "ItemsPath: must be a valid JSONPath",
    '"InputPath"': "InputPath: must be a valid JSONPath",
}


def test_mutated_corpus_definitions_always_reach_a_finished():
    """Robustness: corrupt one field here and there; whatever still validates must run to a Finished
    (possibly a failure with an ASL error name) under random answers, never raise."""
    rng = random.Random(2024)
    originals = [load(name) for name in RUNNABLE]
    replacements = [None, -1, "s", "$.x", "$$.Execution.Input", [], {"a": 1}, True, "2024-01-01T00:00:10Z"]

    def mutate(value):
        if isinstance(value, list):
            return [mutate(item) for item in value]
        if not isinstance(value, dict):
            return value
        value = {key: mutate(item) for key, item in value.items()}
        key = rng.choice(list(value)) if value else None
        if key not in (None, "Type", "Next", "StartAt", "States", "End", "Default") and rng.random() < 0.08:
            value[key] = rng.choice(replacements)
        return value

    ran = 0
    for attempt in range(600):
        definition = mutate(rng.choice(originals))
        if validate_definition(definition):
            continue
        execution = Execution(definition, rng.choice([{}, {"items": [1]}, [1, 2], "x"]),
                              rng=random.Random(attempt), max_transitions=500)
        pending, finished = execution.start(), []
        while pending:
            command = pending.pop(rng.randrange(len(pending)))
            if isinstance(command, Finished):
                finished.append(command)
            elif isinstance(command, Sleep):
                pending += execution.slept(command.token)
            elif rng.random() < 0.3:
                pending += execution.task_failed(command.token, rng.choice(["States.TaskFailed", "States.Timeout"]))
            else:
                pending += execution.task_succeeded(command.token, rng.choice([{}, [1, 2], {"Payload": {"a": 1}}]))
        assert finished == [execution.result]
        ran += 1
    assert ran > 300
