"""Which connections a design may draw, the kind each one is, and the props an edge may carry.

One table: (source type, target type) → the kinds allowed, the first being the one inferred
when the design does not say. Kinds that change delivery semantics (`sync`/`async`,
`dead_letter`, `on_failure`) are explicit where the pair allows more than one.
"""
from __future__ import annotations

from design.edge_kinds import EDGE_KINDS  # re-exported: the loader and the kind picker read it here
from design.props import BOOL, ENUM, FLOAT, INT, MAPPING, NODE_REF, PATTERN, STR, Prop


_CALLABLE = ("lambda", "external", "state_machine")
_MESSAGING_TARGETS = ("sqs_queue", "sns_topic", "event_bus", "kinesis_stream", "firehose", "state_machine",
                      "lambda", "external")
_WRITE_TARGETS = ("sqs_queue", "sns_topic", "event_bus", "kinesis_stream", "firehose", "dynamodb_table",
                  "s3_bucket", "state_machine")

ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {}


def _allow(sources, targets, *kinds: str) -> None:
    for s in (sources if isinstance(sources, tuple) else (sources,)):
        for t in (targets if isinstance(targets, tuple) else (targets,)):
            ALLOWED[(s, t)] = ALLOWED.get((s, t), ()) + tuple(k for k in kinds if k not in ALLOWED.get((s, t), ()))


_allow("client", ("api_gateway", "appsync_api", "lambda", "external"), "sync", "async")
_allow("client", _WRITE_TARGETS, "publish")
_allow("api_gateway", ("lambda", "external"), "sync")
_allow("api_gateway", ("sqs_queue", "event_bus", "state_machine", "kinesis_stream", "sns_topic"), "integration")
_allow("api_gateway", "dynamodb_table", "integration")
_allow("appsync_api", ("lambda", "external", "dynamodb_table", "state_machine", "event_bus"), "sync")
_allow("lambda", ("lambda", "external"), "sync", "async", "compensate")
_allow("lambda", "lambda", "on_failure", "on_success")
_allow("lambda", ("sqs_queue", "sns_topic"), "publish", "dead_letter", "on_failure", "on_success")
_allow("lambda", ("event_bus", "s3_bucket"), "publish", "on_failure", "on_success")
_allow("lambda", ("kinesis_stream", "firehose", "dynamodb_table", "state_machine", "api_gateway",
                  "appsync_api"), "publish")
_allow("external", _WRITE_TARGETS + ("lambda", "api_gateway"), "publish")
_allow("sqs_queue", ("lambda", "pipe"), "event_source")
_allow("sqs_queue", "sqs_queue", "dead_letter")
_allow("kinesis_stream", ("lambda", "pipe", "firehose"), "event_source")
_allow("dynamodb_table", ("lambda", "pipe"), "stream")
_allow("sns_topic", ("sqs_queue", "lambda", "external", "firehose"), "subscription")
_allow("event_bus", _MESSAGING_TARGETS + ("api_gateway",), "rule_target")
_allow("event_bus", "sqs_queue", "dead_letter")
_allow("s3_bucket", ("lambda", "sqs_queue", "sns_topic", "event_bus"), "notification")
_allow("schedule", _MESSAGING_TARGETS, "schedule_target")
_allow("schedule", "sqs_queue", "dead_letter")
_allow("pipe", _MESSAGING_TARGETS + ("api_gateway",), "pipe_target")
_allow("pipe", _CALLABLE + ("api_gateway",), "enrichment")
_allow("pipe", "sqs_queue", "dead_letter")
_allow("state_machine", _CALLABLE + _WRITE_TARGETS + ("dynamodb_table",), "task")
_allow("state_machine", "lambda", "compensate")
_allow("firehose", "s3_bucket", "delivery")
_allow(("sqs_queue", "lambda", "dynamodb_table", "kinesis_stream", "state_machine", "api_gateway", "sns_topic",
        "event_bus", "external"), "alarm", "metric")
_allow("alarm", ("sns_topic", "lambda"), "notify")
_allow("sns_topic", "sqs_queue", "dead_letter")


def allowed_kinds(source_type: str, target_type: str) -> tuple[str, ...]:
    return ALLOWED.get((source_type, target_type), ())


def infer_kind(source_type: str, target_type: str) -> str | None:
    kinds = allowed_kinds(source_type, target_type)
    return kinds[0] if kinds else None


def refusal(source_type: str, target_type: str, kind: str | None = None) -> str | None:
    """Why a connection is refused (None when allowed), in words for the designer."""
    kinds = allowed_kinds(source_type, target_type)
    if not kinds:
        targets = sorted({t for (s, t) in ALLOWED if s == source_type})
        hint = f"; a {source_type} can connect to: {', '.join(targets)}" if targets else \
            f"; a {source_type} has no outgoing connections"
        return f"no connection from {source_type} to {target_type}{hint}"
    if kind is not None and kind not in kinds:
        return f"kind '{kind}' is not possible from {source_type} to {target_type} (allowed: {', '.join(kinds)})"
    return None


EDGE_PROPS: dict[str, Prop] = {p.name: p for p in (
    Prop("rule", STR, None, help="EventBridge rule name: edges out of one bus with the same rule share its pattern"),
    Prop("pattern", PATTERN, None, help="EventBridge event pattern (bus → target)"),
    Prop("filter_policy", PATTERN, None, help="SNS subscription filter policy"),
    Prop("filter_policy_scope", ENUM, "MessageAttributes", choices=("MessageAttributes", "MessageBody")),
    Prop("batch_size", INT, None, 1, 10_000, help="records per invocation (SQS 10, streams 100 by default)"),
    Prop("batching_window_s", FLOAT, 0, 0, 300, help="wait to fill a batch (standard SQS and streams)"),
    Prop("report_batch_item_failures", BOOL, False, help="partial batch response"),
    Prop("maximum_concurrency", INT, None, 2, 1000, help="SQS event source concurrency cap"),
    Prop("retry_attempts", INT, None, -1, 10_000, help="bus target: 0–185 (default 185); stream mapping: "
         "−1 (until expiry) or 0–10,000"),
    Prop("max_event_age_s", FLOAT, None, -1, 604_800, help="bus target: 60–86,400 (default 24 h); stream "
         "mapping: −1 or 60–604,800"),
    Prop("dead_letter", NODE_REF, None, help="id of the queue that receives what this subscription or target "
         "gives up on"),
    Prop("bisect_on_error", BOOL, False, help="stream mapping: split a failing batch in two"),
    Prop("parallelization_factor", INT, 1, 1, 10, help="stream mapping: concurrent batches per shard"),
    Prop("route", STR, None, help="API Gateway: path prefix this integration serves (payload field `path`); "
         "an edge without a route is the default"),
    Prop("input_transform", MAPPING, None, help="input transformer: the target receives this mapping instead of "
         "the event; \"<$.path>\" is filled from the event (rule and pipe targets, Scheduler's templated Input)",
         source="https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html"),
    Prop("message_group_field", STR, None, help="FIFO: payload field used as MessageGroupId"),
)}
