"""The EDGE_KINDS table: the sets every package reads are the ones the code had before the table existed
(listed here by hand from the AWS behaviour each names), and every kind the connection table allows has a row."""
from design.connections import ALLOWED
from design.edge_kinds import (ASYNC_INVOKE_KINDS, AT_LEAST_ONCE_KINDS, DELIVERY_KINDS_ASYNC, EDGE_KINDS,
                               FAILURE_PATH_KINDS, FLOW_KINDS, POLLED_KINDS, SIDE_KINDS, TRIGGER_KINDS)


def test_every_allowed_kind_has_a_row():
    assert {k for kinds in ALLOWED.values() for k in kinds} <= set(EDGE_KINDS)


def test_flow_kinds_carry_data_forward():
    # Not: DLQs, failure/success destinations, alarms, compensations, enrichment (it answers back).
    assert FLOW_KINDS == {"sync", "async", "event_source", "subscription", "rule_target", "integration",
                          "notification", "schedule_target", "pipe_target", "task", "publish", "stream", "delivery"}


def test_trigger_kinds_make_the_target_run():
    # A DLQ, a Firehose delivery, an alarm's metric and a compensation do not invoke their target.
    assert set(EDGE_KINDS) - TRIGGER_KINDS == {"delivery", "metric", "dead_letter", "compensate"}


def test_async_delivery_and_lambda_async_invocation():
    assert DELIVERY_KINDS_ASYNC == {"async", "subscription", "rule_target", "notification", "schedule_target",
                                    "notify", "on_failure", "on_success", "dead_letter"}
    # SNS, EventBridge, S3, Scheduler, alarms and destinations invoke Lambda asynchronously; a DLQ is a queue.
    assert ASYNC_INVOKE_KINDS == DELIVERY_KINDS_ASYNC - {"dead_letter"}


def test_at_least_once_kinds():
    # Direct calls, integrations, pipes, tasks and writes from code are not redelivered by the service.
    assert AT_LEAST_ONCE_KINDS == {"subscription", "rule_target", "notification", "event_source", "async",
                                   "schedule_target", "stream"}


def test_polled_side_and_failure_paths():
    assert POLLED_KINDS == {"event_source", "stream"}
    assert SIDE_KINDS == {"metric", "notify", "dead_letter", "on_failure", "on_success"}
    assert FAILURE_PATH_KINDS == {"dead_letter", "on_failure"}


def test_one_word_per_kind_for_canvas_and_diagrams():
    from designer.view import EDGE_WORDS
    from exporters.dot import edge_label
    from design.model import Design, Edge, Node
    assert EDGE_WORDS["dead_letter"] == "DLQ" and EDGE_WORDS["compensate"] == "undo"
    design = Design(name="d", nodes=[Node("f", "lambda"), Node("g", "lambda")],
                    edges=[Edge("f", "g", kind="compensate")])
    assert edge_label(design, design.edges[0]) == "undo"   # the same word the canvas writes
    assert str(EDGE_KINDS["sync"]) == "synchronous call: the caller waits for the answer"
