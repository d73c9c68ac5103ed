"""The Pipes and Scheduler templates of the corpus: what imports as what, which entry points "Run it" uses, and
whether the run reaches the target (each expectation reasoned from the template by hand); Scheduler universal
targets; a pipe's dead-letter queue; the entry-point rule for unread services."""
from __future__ import annotations

from pathlib import Path

import pytest

from design import from_data
from exporters.sam.build import build_template
from exporters.sam.roundtrip import round_trip
from importers.sam import import_template
from simulator.run import entry_points, simulate

CORPUS = Path(__file__).resolve().parent / "corpus" / "sam"


def _imported(name: str):
    text = (CORPUS / name).read_text(encoding="utf-8")
    return text, import_template(text, name)


def _edited(design, change):
    data = design.to_dict()
    change(data)
    return from_data(data)


# template → (entry points, {node: received at least}, nodes that receive nothing). Read off the templates:
# a table with a stream that nothing writes takes the one event (a write; its stream carries an INSERT); the
# pipe's filter decides whether the target sees it; schedules fire by themselves within the hour's run.
EXPECTED = {
    # filter: NewImage.avatarUrl.S ends in .png; the default event has no avatarUrl → filtered at the pipe
    "eventbridge-pipes-ddbstream-to-eventbridge-suffix-matching.yaml": (["DynamoDBUsersTable"], {"Pipe": 1},
                                                                        ["ApplicationEventBus"]),
    # no filter: the INSERT reaches the bus; the DLQ is the pipe's dead-letter queue, fed, not an entry
    "eventbridge-pipes-ddbstream-to-eventbridge.yaml": (["DynamoDBUsersTable"], {"ApplicationEventBus": 1},
                                                        ["PipeDLQueue"]),
    # an INSERT: OrderCreatedPipe (eventName INSERT) passes it, OrderUpdatedPipe (MODIFY) filters it
    "eventbridge-pipes-ddbstream-with-filters-to-eventbridge.yaml": (
        ["OrdersTable"], {"OrderCreatedPipe": 1, "OrderUpdatedPipe": 1, "ApplicationEventBus": 1}, ["PipeDLQueue"]),
    # filter: NewImage.Nationality.S prefix = the NationalTeam parameter's default; the default event has none
    "eventbridge-pipes-dynamodbstream-sns.yaml": (["DynamoDBWCTable"], {"Pipe": 1}, ["MySNSTopicArn"]),
    # filters on data.type NEW_CUSTOMER / EXISTING_CUSTOMER: the default event has neither → both filter it
    "eventbridge-pipes-kinesis-to-kinesis-with-filtering.yaml": (
        ["Source"], {"NewCustomersPipe": 1, "ExistingCustomersPipe": 1},
        ["NewCustomerOrdersTarget", "ExistingCustomerOrdersTarget"]),
    # filter body.type NEW: the default event has no type → filtered at the pipe
    "eventbridge-pipes-sqs-to-eventbridge-with-filters.yaml": (["Source"], {"Pipe": 1}, ["Target"]),
    "eventbridge-pipes-sqs-to-stepfunctions.yaml": (["SourceQueue"], {"TargetStateMachine": 1}, ["SourceQueueDLQ"]),
    "sqs-stepfunctions-pipes-pattern.yaml": (["MyQueue"], {"MyStateMachine": 1}, []),
    # cron(0 0 * * ? *) fires at 00:00, inside the hour; ScheduleQueue (fed by FindSchedules' inline policy, which
    # the importer does not read) is taken as an entry point too, and its consumer runs
    "eventbridge-schedule-remove-one-time-schedules.yaml": (["ScheduleQueue"], {"FindSchedules": 1,
                                                                                "ProcessSchedules": 1}, []),
    # rate(5 minutes) from 0 within 3,600 s: 13 scheduled times, the last at 3,600 s lands after the run's end
    "eventbridge-schedule-to-lambda.yaml": ([], {"MyFirstSchedule": 13, "ScheduledLambdaFunction": 12}, []),
    "eventbridge-schedule-to-lambda-dlq-sam-python.yaml": ([], {"ScheduledFunction": 12},
                                                       ["SchedulerDLQ", "LambdaExecutionDLQ"]),   # no publish edge
    "eventbridge-schedule-to-sqs-sam.yaml": ([], {"TargetSQSQueue": 12}, []),
    # cron(0,15,30,45 ...): 0, 900, 1800, 2700 and 3600 s; the universal target (SSM) is an external system;
    # the log bucket nothing reads is left out as an entry point
    "eventbridge-schedule-to-ssm-sam.yaml": ([], {"StateManagerAssociationSchedule": 5,
                                                  "ssm_startAssociationsOnce": 4}, ["SSMAssocLogs"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_run_it_on_each_pipes_and_scheduler_template(name):
    _text, design = _imported(name)
    want_entry, reached, untouched = EXPECTED[name]
    assert entry_points(design)[1] == want_entry
    run = simulate(design, {}, seed=1)
    assert run.conservation["ok"]
    for node, count in reached.items():
        assert run.nodes[node]["received"] >= count, (node, run.nodes[node])
    for node in untouched:
        assert run.nodes[node]["received"] == 0, (node, run.nodes[node])


def test_a_daily_cron_after_the_default_hour_gets_a_run_long_enough_to_fire_once():
    # cron(24 14 * * ? *): 14:24 each day = 51,840 s after simulated time 0 (00:00); the design's scenario runs
    # to 51,840 + 300 s, so the schedule fires once and starts the (opaque) state machine once
    _text, design = _imported("eventbridge-schedule-stepfunctions-sam.yaml")
    assert design.scenario == {"until_s": 52_140}
    assert any("fires once" in n and "51,840 s" in n for n in design.metadata["sam"]["notes"])
    run = simulate(design, {"until_s": design.scenario["until_s"]}, seed=1)
    assert run.nodes["GitHubTrafficTrackerSchedule"]["processed"] == 1
    assert run.nodes["GitHubTrafficTracker"]["processed"] == 1
    assert _imported("eventbridge-schedule-to-lambda.yaml")[1].scenario is None   # rate(): the hour holds it


def test_a_pipes_dead_letter_config_on_a_stream_source_is_its_dead_letter_edge():
    _text, design = _imported("eventbridge-pipes-ddbstream-with-filters-to-eventbridge.yaml")
    kinds = {(e.source, e.target): design.kind_of(e) for e in design.edges}
    assert kinds[("OrderCreatedPipe", "PipeDLQueue")] == "dead_letter"
    assert kinds[("OrderUpdatedPipe", "PipeDLQueue")] == "dead_letter"
    assert kinds[("OrdersTable", "OrderCreatedPipe")] == "stream"
    assert design.node("OrderCreatedPipe").prop("batch_size") == 1     # DynamoDBStreamParameters.BatchSize


def test_the_pipes_dead_letter_queue_receives_what_the_stream_source_gave_up_on():
    # MaximumRetryAttempts 1 on the source (set in the designer), the bus target always failing: 2 attempts,
    # then the record goes to PipeDLQueue
    _text, design = _imported("eventbridge-pipes-ddbstream-to-eventbridge.yaml")
    edited = _edited(design, lambda d: next(e for e in d["edges"] if e.get("kind") == "stream")
                     .setdefault("props", {}).update(retry_attempts=1))
    run = simulate(edited, {"until_s": 600, "inject": {"duplicate_probability": 0,
                                                      "nodes": {"ApplicationEventBus": {"failure_probability": 1}}}},
                   seed=1)
    assert run.nodes["Pipe"]["failed"] == 2
    assert run.nodes["DynamoDBUsersTable"]["dead_lettered"] == 1
    assert run.nodes["PipeDLQueue"]["received"] == 1


def test_pipe_stream_settings_are_read_and_an_edit_is_one_property():
    text, design = _imported("eventbridge-pipes-ddbstream-to-eventbridge.yaml")
    edited = _edited(design, lambda d: next(e for e in d["edges"] if e.get("kind") == "stream")
                     .setdefault("props", {}).update(retry_attempts=3))
    rt = round_trip(edited)
    assert rt.changes == ["added Resources.Pipe.Properties.SourceParameters.DynamoDBStreamParameters."
                          "MaximumRetryAttempts"]
    assert rt.text.replace("          MaximumRetryAttempts: 3\n", "", 1) == text


def test_removing_a_pipes_dead_letter_edge_edits_the_pipe_and_adds_no_half_resource():
    text, design = _imported("eventbridge-pipes-ddbstream-to-eventbridge.yaml")
    edited = _edited(design, lambda d: d.update(edges=[e for e in d["edges"] if not (
        e["source"] == "Pipe" and e.get("kind") == "dead_letter")]))
    rt = round_trip(edited)
    assert rt.changes == ["removed Resources.Pipe.Properties.SourceParameters.DynamoDBStreamParameters."
                          "DeadLetterConfig"]
    assert all(isinstance(r, dict) and "Type" in r for r in rt.template["Resources"].values())
    assert any("PipeRole2" in n and "left as they were" in n for n in rt.notes)   # the template's PipeRole stays


def test_a_universal_target_is_an_external_aws_api_and_comes_back_verbatim():
    text, design = _imported("eventbridge-schedule-to-ssm-sam.yaml")
    ssm = design.node("ssm_startAssociationsOnce")
    assert ssm.type == "external" and ssm.prop("system_kind") == "aws_api"
    assert [(e.source, design.kind_of(e)) for e in design.in_edges(ssm.id)] == [
        ("StateManagerAssociationSchedule", "schedule_target")]
    assert round_trip(design).text == text
    edited = _edited(design, lambda d: next(n for n in d["nodes"] if n["type"] == "schedule")
                     .setdefault("props", {}).update(expression="rate(5 minutes)"))
    rt = round_trip(edited)
    assert rt.changes == ["changed Resources.StateManagerAssociationSchedule.Properties.ScheduleExpression"]
    # a fresh build writes the universal target as the template had it, with the API's IAM action
    schedule = build_template(design)["Resources"]["StateManagerAssociationSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    assert schedule["Properties"]["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:ssm:startAssociationsOnce"


def _design(nodes, edges):
    return from_data({"name": "entry", "nodes": nodes, "edges": edges})


def test_an_unread_queue_is_left_out_when_another_entry_point_is_read_and_the_note_says_so():
    design = _design([{"id": "q", "type": "sqs_queue"}, {"id": "fn", "type": "lambda"},
                      {"id": "lonely", "type": "sqs_queue"}, {"id": "lonely_dlq", "type": "sqs_queue"}],
                     [{"source": "q", "target": "fn"},
                      {"source": "lonely", "target": "lonely_dlq", "kind": "dead_letter"}])
    assert entry_points(design)[1] == ["q"]
    run = simulate(design, {"until_s": 60}, seed=1)
    assert any("Not used as entry points" in n and "(lonely)" in n for n in run.notes)
    assert run.nodes["lonely"]["received"] == 0 and run.nodes["fn"]["received"] >= 1


def test_when_nothing_is_read_every_candidate_still_gets_its_event():
    design = _design([{"id": "a", "type": "sqs_queue"}, {"id": "b", "type": "sns_topic"}], [])
    assert entry_points(design)[1] == ["a", "b"]


def test_a_table_is_an_entry_point_only_with_a_stream():
    with_stream = _design([{"id": "t", "type": "dynamodb_table", "props": {"stream": True}},
                           {"id": "fn", "type": "lambda"}], [{"source": "t", "target": "fn"}])
    assert entry_points(with_stream)[1] == ["t"]
    without = _design([{"id": "t", "type": "dynamodb_table"}, {"id": "fn", "type": "lambda"}],
                      [{"source": "fn", "target": "t"}])
    assert entry_points(without)[1] == []


SCHEDULE_V2 = """Transform: AWS::Serverless-2016-10-31
Resources:
  Tick:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Every5:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(5 minutes)
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: P
        States: {P: {Type: Pass, End: true}}
      Policies: []
      Events:
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(10 minutes)
"""


def test_sam_schedulev2_events_are_schedules_that_fire_and_the_template_comes_back_verbatim():
    design = import_template(SCHEDULE_V2, "v2.yaml")
    kinds = {(e.source, e.target): design.kind_of(e) for e in design.edges}
    assert kinds == {("TickEvery5", "Tick"): "schedule_target", ("FlowNightly", "Flow"): "schedule_target"}
    assert design.node("TickEvery5").prop("expression") == "rate(5 minutes)"
    assert round_trip(design).text == SCHEDULE_V2
    # rate(5 minutes) from 0 s: 0, 300, ..., 3,600 s is 13 scheduled times; the invocation of the last falls
    # after the hour's end (60-second precision), so the function runs 12 times; rate(10 minutes): 7 and 6
    run = simulate(design, {}, seed=1)
    assert (run.nodes["TickEvery5"]["processed"], run.nodes["Tick"]["processed"]) == (13, 12)
    assert (run.nodes["FlowNightly"]["processed"], run.nodes["Flow"]["received"]) == (7, 6)
    assert any("ScheduleV2" in n for n in design.metadata["sam"]["notes"])
