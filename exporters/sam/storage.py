"""Queues, topics, buses, tables, buckets, streams, Firehose and alarms: one resource (or a few) per node."""
from __future__ import annotations

import math
import re

from exporters.cfn_yaml import get_att, sub
from exporters.sam.context import Context, sam_builder, statement


def seconds(value) -> int:
    """CloudFormation wants whole seconds; round up so a limit is never made tighter."""
    return int(math.ceil(float(value)))


@sam_builder("sqs_queue", phase="before_wiring")
def queue(ctx: Context, node) -> None:
    props: dict = {}
    if node.prop("fifo"):
        props["FifoQueue"] = True
        if node.prop("content_based_dedup"):
            props["ContentBasedDeduplication"] = True
    props["VisibilityTimeout"] = seconds(node.prop("visibility_timeout_s"))
    props["MessageRetentionPeriod"] = seconds(node.prop("retention_s"))
    props["SqsManagedSseEnabled"] = True
    dlq = [e.target for e in ctx.design.out_edges(node.id) if ctx.design.kind_of(e) == "dead_letter"]
    if dlq:
        props["RedrivePolicy"] = {"deadLetterTargetArn": ctx.arn(dlq[0]),
                                  "maxReceiveCount": int(node.prop("max_receive_count") or 10)}
        if node.prop("max_receive_count") is None:
            ctx.notes.append(f"{node.id}: max_receive_count unset; the redrive policy uses 10 (the console's "
                             "default)")
    ctx.add(ctx.lid(node.id), "AWS::SQS::Queue", props)
    ctx.defaults[ctx.lid(node.id)] = {"SqsManagedSseEnabled"} | {
        key for key, prop in (("VisibilityTimeout", "visibility_timeout_s"), ("MessageRetentionPeriod", "retention_s"))
        if prop not in node.props}


@sam_builder("sns_topic", phase="before_wiring")
def topic(ctx: Context, node) -> None:
    props: dict = {"DisplayName": node.title[:100]}
    if node.prop("fifo"):
        props["FifoTopic"] = True
        if node.prop("content_based_dedup"):
            props["ContentBasedDeduplication"] = True
    ctx.add(ctx.lid(node.id), "AWS::SNS::Topic", props)
    ctx.defaults[ctx.lid(node.id)] = {"DisplayName"}


@sam_builder("event_bus", phase="before_wiring")
def bus(ctx: Context, node) -> None:
    lid = ctx.lid(node.id)
    ctx.add(lid, "AWS::Events::EventBus", {"Name": sub(f"${{AWS::StackName}}-{lid}"),
                                           "Description": node.title[:512]})
    ctx.defaults[lid] = {"Name", "Description"}
    if node.prop("archive"):
        props = {"SourceArn": get_att(lid, "Arn"), "Description": f"Replayable copy of {node.title}"[:512]}
        if node.prop("archive_retention_days") is not None:
            props["RetentionDays"] = int(node.prop("archive_retention_days"))
        if node.prop("archive_pattern"):
            props["EventPattern"] = node.prop("archive_pattern")
        ctx.add(ctx.new_id(lid + "Archive"), "AWS::Events::Archive", props)


@sam_builder("dynamodb_table", phase="before_wiring")
def table(ctx: Context, node) -> None:
    key = table_key(ctx, node.id)
    props: dict = {"BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}]}
    streamed = node.prop("stream") or any(ctx.design.kind_of(e) == "stream" for e in ctx.design.out_edges(node.id))
    if streamed:
        props["StreamSpecification"] = {"StreamViewType": node.prop("stream_view_type")}
    if node.prop("ttl_attribute"):
        props["TimeToLiveSpecification"] = {"AttributeName": node.prop("ttl_attribute"), "Enabled": True}
    props["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    ctx.add(ctx.lid(node.id), "AWS::DynamoDB::Table", props)
    ctx.defaults[ctx.lid(node.id)] = {"BillingMode", "AttributeDefinitions", "KeySchema",
                                      "PointInTimeRecoverySpecification"}


def table_key(ctx: Context, node_id: str) -> str:
    """The partition key: what a state machine's conditional write names (attribute_not_exists(x)), else pk."""
    placeholder = "${" + node_id + "}"
    for other in ctx.design.nodes:
        definition = other.props.get("definition") if other.type == "state_machine" else None
        for params in _task_parameters(definition):
            if params.get("TableName") == placeholder:
                found = re.search(r"attribute_not_exists\((\w+)\)", str(params.get("ConditionExpression", "")))
                if found:
                    return found.group(1)
    return "pk"


def _task_parameters(definition):
    stack = [definition]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("Parameters"), dict):
                yield value["Parameters"]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


@sam_builder("s3_bucket", phase="before_wiring")
def bucket(ctx: Context, node) -> None:
    props: dict = {}
    if ctx.bucket_name(node.id):
        props["BucketName"] = sub(ctx.bucket_name(node.id))
    props["PublicAccessBlockConfiguration"] = {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    if node.prop("eventbridge_notifications"):
        props["NotificationConfiguration"] = {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    ctx.add(ctx.lid(node.id), "AWS::S3::Bucket", props)
    ctx.defaults[ctx.lid(node.id)] = {"BucketName", "PublicAccessBlockConfiguration"}


@sam_builder("kinesis_stream", phase="before_wiring")
def kinesis(ctx: Context, node) -> None:
    ctx.add(ctx.lid(node.id), "AWS::Kinesis::Stream", {
        "ShardCount": int(node.prop("shard_count")), "RetentionPeriodHours": int(node.prop("retention_h")),
        "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}})
    ctx.defaults[ctx.lid(node.id)] = {"StreamEncryption"}


@sam_builder("firehose", phase="after_wiring")
def firehose(ctx: Context, node) -> None:
    lid = ctx.lid(node.id)
    outs = [e.target for e in ctx.design.out_edges(node.id) if ctx.design.kind_of(e) == "delivery"]
    if outs:
        bucket_arn = ctx.arn(outs[0])
    else:
        generated = ctx.new_id(lid + "Bucket")
        ctx.add(generated, "AWS::S3::Bucket", {"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}})
        ctx.notes.append(f"{node.id}: no delivery target in the design; delivers to a new bucket {generated}")
        bucket_arn = get_att(generated, "Arn")
    statements = [statement(["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
                             "s3:ListBucketMultipartUploads", "s3:PutObject"],
                            [bucket_arn, sub("${Arn}/*", {"Arn": bucket_arn})])]
    sources = [e.source for e in ctx.design.in_edges(node.id)
               if ctx.design.kind_of(e) == "event_source" and ctx.type_of(e.source) == "kinesis_stream"]
    if sources:
        statements.append(statement(["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords",
                                     "kinesis:ListShards"], ctx.arn(sources[0])))
    role = ctx.service_role(lid + "Role", "firehose.amazonaws.com", statements)
    props: dict = {"DeliveryStreamType": "KinesisStreamAsSource" if sources else "DirectPut"}
    if sources:
        props["KinesisStreamSourceConfiguration"] = {"KinesisStreamARN": ctx.arn(sources[0]),
                                                     "RoleARN": get_att(role, "Arn")}
    props["ExtendedS3DestinationConfiguration"] = {
        "BucketARN": bucket_arn, "RoleARN": get_att(role, "Arn"),
        "BufferingHints": {"IntervalInSeconds": int(node.prop("buffer_interval_s")), "SizeInMBs": 5}}
    ctx.add(lid, "AWS::KinesisFirehose::DeliveryStream", props)


# What an alarm watches, per watched type and metric: (namespace, metric name, dimension, statistic).
ALARM_METRICS = {
    ("sqs_queue", "queue_depth"): ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "Maximum"),
    ("sqs_queue", "age"): ("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "Maximum"),
    ("lambda", "errors"): ("AWS/Lambda", "Errors", "FunctionName", "Sum"),
    ("lambda", "throttles"): ("AWS/Lambda", "Throttles", "FunctionName", "Sum"),
    ("kinesis_stream", "age"): ("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", "Maximum"),
    ("dynamodb_table", "throttles"): ("AWS/DynamoDB", "ThrottledRequests", "TableName", "Sum"),
    ("dynamodb_table", "errors"): ("AWS/DynamoDB", "SystemErrors", "TableName", "Sum"),
    ("state_machine", "errors"): ("AWS/States", "ExecutionsFailed", "StateMachineArn", "Sum"),
    ("state_machine", "throttles"): ("AWS/States", "ExecutionThrottled", "StateMachineArn", "Sum"),
    ("api_gateway", "errors"): ("AWS/ApiGateway", "5XXError", "ApiName", "Sum"),
    ("sns_topic", "errors"): ("AWS/SNS", "NumberOfNotificationsFailed", "TopicName", "Sum"),
    ("event_bus", "errors"): ("AWS/Events", "FailedInvocations", "EventBusName", "Sum"),
}
# A metric the design names that the watched type lacks falls back to the type's first metric here.
DEFAULT_METRIC = {"sqs_queue": "queue_depth", "lambda": "errors", "kinesis_stream": "age",
                  "dynamodb_table": "throttles", "state_machine": "errors", "api_gateway": "errors",
                  "sns_topic": "errors", "event_bus": "errors"}


@sam_builder("alarm", phase="after_wiring")
def alarm(ctx: Context, node) -> None:
    watched = [e.source for e in ctx.design.in_edges(node.id) if ctx.design.kind_of(e) == "metric"
               and ctx.type_of(e.source) in DEFAULT_METRIC]
    target = watched[0]
    wtype = ctx.type_of(target)
    key = (wtype, node.prop("metric"))
    if key not in ALARM_METRICS:
        ctx.notes.append(f"{node.id}: {wtype} has no '{node.prop('metric')}' metric; watching "
                         f"{DEFAULT_METRIC[wtype]} instead")
        key = (wtype, DEFAULT_METRIC[wtype])
    namespace, metric, dimension, statistic = ALARM_METRICS[key]
    value = {"QueueName": ctx.name(target) if wtype == "sqs_queue" else None,
             "StateMachineArn": ctx.ref(target),
             "ApiName": sub(f"${{AWS::StackName}}-{ctx.lid(target)}") if wtype == "api_gateway" else None,
             "TopicName": ctx.name(target) if wtype == "sns_topic" else None}.get(dimension) or ctx.ref(target)
    actions = []
    for edge in ctx.design.out_edges(node.id):
        if ctx.type_of(edge.target) == "sns_topic":
            actions.append(ctx.ref(edge.target))
        elif ctx.type_of(edge.target) == "lambda":
            actions.append(get_att(ctx.lid(edge.target), "Arn"))
            ctx.add(ctx.new_id(ctx.lid(node.id) + "InvokePermission"), "AWS::Lambda::Permission", {
                "Action": "lambda:InvokeFunction", "FunctionName": ctx.ref(edge.target),
                "Principal": "lambda.alarms.cloudwatch.amazonaws.com", "SourceArn": get_att(ctx.lid(node.id), "Arn")})
    props = {"AlarmDescription": f"{node.title}: {metric} of {ctx.nodes[target].title}"[:1024],
             "Namespace": namespace, "MetricName": metric,
             "Dimensions": [{"Name": dimension, "Value": value}], "Statistic": statistic, "Period": 60,
             "EvaluationPeriods": 1, "Threshold": node.prop("threshold"),
             "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching"}
    if actions:
        props["AlarmActions"] = actions
    ctx.add(ctx.lid(node.id), "AWS::CloudWatch::Alarm", props)


def dlq_alarms(ctx: Context) -> None:
    """Every dead-letter queue no alarm watches gets one on its depth: a parked message needs a person."""
    watched = {e.source for e in ctx.design.edges if ctx.design.kind_of(e) == "metric"}
    dlqs: list[str] = []
    for edge in ctx.design.edges:
        if ctx.design.kind_of(edge) in ("dead_letter", "on_failure") and ctx.type_of(edge.target) == "sqs_queue":
            dlqs.append(edge.target)
        if edge.props.get("dead_letter"):
            dlqs.append(edge.props["dead_letter"])
    for dlq in dict.fromkeys(dlqs):
        if dlq in watched:
            continue
        ctx.add(ctx.new_id(ctx.lid(dlq) + "DepthAlarm"), "AWS::CloudWatch::Alarm", {
            "AlarmDescription": f"Messages are waiting in the dead-letter queue {ctx.nodes[dlq].title}"[:1024],
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": ctx.name(dlq)}], "Statistic": "Maximum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching"})
