"""Template resources → design nodes, and the properties each one models (the rest is kept)."""
from __future__ import annotations

from design import documents
from design.adapters import Adapters
from design.registry import TYPES

from importers.builder import Builder, target_of

class _Cfn:
    """A CloudFormation type as the readers' table sees it: readers are checked against these names."""

    def __init__(self, name: str):
        self.name = name


# CloudFormation type → (node type, regenerated), from the registry's `imported_from`. A regenerated resource
# is rebuilt by the SAM exporter from the design (plus what was kept); any other is written back exactly as it was.
NODE_TYPES = {cfn: (t.name, regenerated) for t in TYPES for cfn, regenerated in t.imported_from}
# The property reader of a CloudFormation type: `@importer_for("AWS::SQS::Queue")`; a type without one
# imports with no modelled properties (everything it has is kept for the re-export).
READERS = Adapters("importer", needed=lambda spec: False, types=[_Cfn(cfn) for cfn in NODE_TYPES],
                   key="CloudFormation type that an entry's imported_from names")
importer_for = READERS.register
_ALARM_METRICS = {"ApproximateNumberOfMessagesVisible": "queue_depth", "ApproximateAgeOfOldestMessage": "age",
                  "Errors": "errors", "Throttles": "throttles", "GetRecords.IteratorAgeMilliseconds": "age",
                  "ExecutionsFailed": "errors", "5XXError": "errors", "ThrottledRequests": "throttles"}


def number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def as_json(value):
    """A policy or pattern given as a JSON string (as CloudFormation allows) → data; else as it is."""
    if isinstance(value, str):
        try:   # the shared reader's guards: depth, size, NaN and huge numbers (DocumentError is a ValueError)
            return documents.parse(value, "json", name="policy")
        except ValueError:
            return None
    return value


class Reading:
    """The design props read from one resource so far, and the CloudFormation property names they model."""

    def __init__(self, props: dict, globals_: dict):
        self.props = props
        self.globals = globals_
        self.out: dict = {}
        self.modelled: set = set()

    def take(self, key, name, value=None):
        value = self.props.get(key) if value is None else value
        if number(value) is not None or isinstance(value, (bool, str)):
            self.out[name] = value
            self.modelled.add(key)


def node_props(rtype: str, props: dict, globals_: dict) -> tuple[dict, set]:
    """(design props, the property names they model) for a resource."""
    reading = Reading(props, globals_)
    reader = READERS.get(rtype)
    if reader is not None:
        reader(reading, rtype)
    return reading.out, reading.modelled


@importer_for("AWS::Serverless::Function", "AWS::Lambda::Function")
def _function(r: Reading, rtype: str) -> None:
    props = r.props
    fglobals = r.globals.get("Function") if rtype.startswith("AWS::Serverless") else None
    fglobals = fglobals if isinstance(fglobals, dict) else {}
    for key, name in (("Timeout", "timeout_s"), ("MemorySize", "memory_mb")):
        value = props.get(key, fglobals.get(key))
        if number(value) is not None:
            r.out[name] = value
            r.modelled.add(key)
    if number(props.get("ReservedConcurrentExecutions")) is not None:
        r.take("ReservedConcurrentExecutions", "reserved_concurrency")


@importer_for("AWS::SQS::Queue")
def _queue(r: Reading, rtype: str) -> None:
    for key, name in (("VisibilityTimeout", "visibility_timeout_s"), ("MessageRetentionPeriod", "retention_s")):
        if number(r.props.get(key)) is not None:
            r.take(key, name)
    for key, name in (("FifoQueue", "fifo"), ("ContentBasedDeduplication", "content_based_dedup")):
        if isinstance(r.props.get(key), bool):
            r.take(key, name)


@importer_for("AWS::SNS::Topic")
def _topic(r: Reading, rtype: str) -> None:
    if isinstance(r.props.get("FifoTopic"), bool):
        r.take("FifoTopic", "fifo")


@importer_for("AWS::DynamoDB::Table")
def _table(r: Reading, rtype: str) -> None:
    stream = r.props.get("StreamSpecification")
    if isinstance(stream, dict) and set(stream) == {"StreamViewType"} and isinstance(stream["StreamViewType"], str):
        r.out.update(stream=True, stream_view_type=stream["StreamViewType"])
        r.modelled.add("StreamSpecification")
    ttl = r.props.get("TimeToLiveSpecification")
    if isinstance(ttl, dict) and ttl.get("Enabled") is True and isinstance(ttl.get("AttributeName"), str) \
            and set(ttl) == {"AttributeName", "Enabled"}:
        r.out["ttl_attribute"] = ttl["AttributeName"]
        r.modelled.add("TimeToLiveSpecification")


@importer_for("AWS::Kinesis::Stream")
def _stream(r: Reading, rtype: str) -> None:
    for key, name in (("ShardCount", "shard_count"), ("RetentionPeriodHours", "retention_h")):
        if number(r.props.get(key)) is not None:
            r.take(key, name)


@importer_for("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")
def _state_machine(r: Reading, rtype: str) -> None:
    kind = r.props.get("Type", r.props.get("StateMachineType"))
    if kind in ("STANDARD", "EXPRESS"):
        r.out["type"] = kind


@importer_for("AWS::Scheduler::Schedule")
def _schedule(r: Reading, rtype: str) -> None:
    props = r.props
    if not isinstance(props.get("ScheduleExpression"), str):
        return
    r.out["expression"] = props["ScheduleExpression"]
    retry = ((props.get("Target") or {}).get("RetryPolicy") or {}) if isinstance(props.get("Target"), dict) else {}
    if number(retry.get("MaximumRetryAttempts")) is not None:
        r.out["retry_attempts"] = retry["MaximumRetryAttempts"]


@importer_for("AWS::CloudWatch::Alarm")
def _alarm(r: Reading, rtype: str) -> None:
    props = r.props
    if number(props.get("Threshold")) is not None:
        r.out["threshold"] = props["Threshold"]
    if isinstance(props.get("MetricName"), str) and props["MetricName"] in _ALARM_METRICS:
        r.out["metric"] = _ALARM_METRICS[props["MetricName"]]


@importer_for("AWS::Pipes::Pipe")
def _pipe(r: Reading, rtype: str) -> None:
    props = r.props
    params = props.get("SourceParameters") if isinstance(props.get("SourceParameters"), dict) else {}
    filters = ((params.get("FilterCriteria") or {}).get("Filters") or []) if isinstance(
        params.get("FilterCriteria"), dict) else []
    pattern = as_json(filters[0].get("Pattern")) if filters and isinstance(filters[0], dict) else None
    if isinstance(pattern, dict):
        r.out["filter"] = pattern
    for key in ("SqsQueueParameters", "KinesisStreamParameters", "DynamoDBStreamParameters"):
        source = params.get(key) if isinstance(params.get(key), dict) else {}
        if number(source.get("BatchSize")) is not None:
            r.out["batch_size"] = source["BatchSize"]


@importer_for("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api")
def _http_api(r: Reading, rtype: str) -> None:
    r.out["api_kind"] = "HTTP"


READERS.check()   # a reader registered for a CloudFormation type that no registry type imports is a typo


def definition_of(props: dict, b: Builder, definition=None) -> tuple[dict | None, dict]:
    """A state machine's definition (inline, or `definition` read from its DefinitionUri file) with `${Key}`
    placeholders renamed `${node}` where the key's substitution names a node, and the other substitutions
    resolved to their values for the simulator (Parameters' defaults, pseudo parameters); and key → node id."""
    if definition is None:
        definition = props.get("Definition")
    if definition is None and props.get("DefinitionString") is not None:
        definition = as_json(b.resolve(props["DefinitionString"]))
    subs = props.get("DefinitionSubstitutions") if isinstance(props.get("DefinitionSubstitutions"), dict) else {}
    named = {key: b.node_of.get(target_of(value)) for key, value in subs.items()}
    named = {k: v for k, v in named.items() if v}
    values = {}
    for key, value in subs.items():
        if key not in named:
            resolved = b.resolve(value)
            if isinstance(resolved, (str, int, float)) and not isinstance(resolved, bool):
                values[key] = str(resolved)
    if not isinstance(definition, dict):
        return None, named

    def rename(value):
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, str) and "${" in value:
            for key, nid in named.items():
                value = value.replace("${" + key + "}", "${" + nid + "}")
            for key, text in values.items():
                value = value.replace("${" + key + "}", text)
        return value
    return rename(definition), named
