"""Template resources → design nodes, and the properties each one models (the rest is kept)."""
from __future__ import annotations

from design import documents

from importers.builder import Builder, target_of

# CloudFormation type → (node type, regenerated). A regenerated resource is rebuilt by the SAM exporter from
# the design (plus what was kept); any other is written back exactly as it was.
NODE_TYPES = {
    "AWS::Serverless::Function": ("lambda", True), "AWS::Lambda::Function": ("lambda", False),
    "AWS::SQS::Queue": ("sqs_queue", True), "AWS::SNS::Topic": ("sns_topic", True),
    "AWS::Events::EventBus": ("event_bus", True), "AWS::DynamoDB::Table": ("dynamodb_table", True),
    "AWS::S3::Bucket": ("s3_bucket", True), "AWS::Kinesis::Stream": ("kinesis_stream", True),
    "AWS::Serverless::SimpleTable": ("dynamodb_table", False),
    "AWS::Serverless::StateMachine": ("state_machine", False),
    "AWS::StepFunctions::StateMachine": ("state_machine", False),
    "AWS::KinesisFirehose::DeliveryStream": ("firehose", False),
    "AWS::Serverless::Api": ("api_gateway", False), "AWS::Serverless::HttpApi": ("api_gateway", False),
    "AWS::ApiGateway::RestApi": ("api_gateway", False), "AWS::ApiGatewayV2::Api": ("api_gateway", False),
    "AWS::AppSync::GraphQLApi": ("appsync_api", False), "AWS::Serverless::GraphQLApi": ("appsync_api", False),
    "AWS::Scheduler::Schedule": ("schedule", False), "AWS::Pipes::Pipe": ("pipe", False),
    "AWS::CloudWatch::Alarm": ("alarm", False),
}
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


def node_props(rtype: str, props: dict, globals_: dict) -> tuple[dict, set]:
    """(design props, the property names they model) for a resource."""
    out: dict = {}
    modelled: set = set()

    def take(key, name, value=None):
        value = props.get(key) if value is None else value
        if number(value) is not None or isinstance(value, (bool, str)):
            out[name] = value
            modelled.add(key)

    if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
        fglobals = globals_.get("Function") if rtype.startswith("AWS::Serverless") else None
        fglobals = fglobals if isinstance(fglobals, dict) else {}
        for key, name in (("Timeout", "timeout_s"), ("MemorySize", "memory_mb")):
            value = props.get(key, fglobals.get(key))
            if number(value) is not None:
                out[name] = value
                modelled.add(key)
        if number(props.get("ReservedConcurrentExecutions")) is not None:
            take("ReservedConcurrentExecutions", "reserved_concurrency")
    elif rtype == "AWS::SQS::Queue":
        for key, name in (("VisibilityTimeout", "visibility_timeout_s"), ("MessageRetentionPeriod", "retention_s")):
            if number(props.get(key)) is not None:
                take(key, name)
        for key, name in (("FifoQueue", "fifo"), ("ContentBasedDeduplication", "content_based_dedup")):
            if isinstance(props.get(key), bool):
                take(key, name)
    elif rtype == "AWS::SNS::Topic" and isinstance(props.get("FifoTopic"), bool):
        take("FifoTopic", "fifo")
    elif rtype == "AWS::DynamoDB::Table":
        stream = props.get("StreamSpecification")
        if isinstance(stream, dict) and set(stream) == {"StreamViewType"} and isinstance(stream["StreamViewType"], str):
            out.update(stream=True, stream_view_type=stream["StreamViewType"])
            modelled.add("StreamSpecification")
        ttl = props.get("TimeToLiveSpecification")
        if isinstance(ttl, dict) and ttl.get("Enabled") is True and isinstance(ttl.get("AttributeName"), str) \
                and set(ttl) == {"AttributeName", "Enabled"}:
            out["ttl_attribute"] = ttl["AttributeName"]
            modelled.add("TimeToLiveSpecification")
    elif rtype == "AWS::Kinesis::Stream":
        for key, name in (("ShardCount", "shard_count"), ("RetentionPeriodHours", "retention_h")):
            if number(props.get(key)) is not None:
                take(key, name)
    elif rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
        kind = props.get("Type", props.get("StateMachineType"))
        if kind in ("STANDARD", "EXPRESS"):
            out["type"] = kind
    elif rtype == "AWS::Scheduler::Schedule" and isinstance(props.get("ScheduleExpression"), str):
        out["expression"] = props["ScheduleExpression"]
        retry = ((props.get("Target") or {}).get("RetryPolicy") or {}) if isinstance(props.get("Target"), dict) else {}
        if number(retry.get("MaximumRetryAttempts")) is not None:
            out["retry_attempts"] = retry["MaximumRetryAttempts"]
    elif rtype == "AWS::CloudWatch::Alarm":
        if number(props.get("Threshold")) is not None:
            out["threshold"] = props["Threshold"]
        if isinstance(props.get("MetricName"), str) and props["MetricName"] in _ALARM_METRICS:
            out["metric"] = _ALARM_METRICS[props["MetricName"]]
    elif rtype == "AWS::Pipes::Pipe":
        params = props.get("SourceParameters") if isinstance(props.get("SourceParameters"), dict) else {}
        filters = ((params.get("FilterCriteria") or {}).get("Filters") or []) if isinstance(
            params.get("FilterCriteria"), dict) else []
        pattern = as_json(filters[0].get("Pattern")) if filters and isinstance(filters[0], dict) else None
        if isinstance(pattern, dict):
            out["filter"] = pattern
    elif rtype in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"):
        out["api_kind"] = "HTTP"
    return out, modelled


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
