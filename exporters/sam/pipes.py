"""EventBridge Pipes and Scheduler schedules: each with its own role naming exactly what it reaches."""
from __future__ import annotations

import json

from exporters.cfn_yaml import get_att, sub
from exporters.sam.context import Context, sam_builder, send_actions, statement
from exporters.sam.storage import seconds
from exporters.sam.targets import api_destination, target_arn

_SOURCE_READ = {
    "sqs_queue": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    "kinesis_stream": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                       "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"],
    "dynamodb_table": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                       "dynamodb:ListStreams"],
}


# Source edge props → PipeSourceKinesisStreamParameters / PipeSourceDynamoDBStreamParameters (the importer reads
# the same names back: importers/links.py).
_STREAM_SETTINGS = (("retry_attempts", "MaximumRetryAttempts"), ("max_event_age_s", "MaximumRecordAgeInSeconds"),
                    ("bisect_on_error", "BisectBatchOnFunctionError"), ("parallelization_factor",
                                                                        "ParallelizationFactor"),
                    ("batching_window_s", "MaximumBatchingWindowInSeconds"))


def _reach(ctx: Context, target: str, enrich: bool = False) -> dict:
    t = ctx.type_of(target)
    if t == "external":
        return statement(["events:InvokeApiDestination"], get_att(api_destination(ctx, target), "Arn"))
    if t == "api_gateway":
        return statement(["execute-api:Invoke"], sub(
            f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{ctx.lid(target)}}}/*"))
    if t == "state_machine" and enrich:
        return statement(["states:StartSyncExecution"], ctx.arn(target))
    return statement(send_actions(ctx, target), target_arn(ctx, target))


@sam_builder("pipe", phase="after_wiring")
def pipe(ctx: Context, node) -> None:
    design = ctx.design
    lid = ctx.lid(node.id)
    source_edge = next(e for e in design.in_edges(node.id) if design.kind_of(e) in ("event_source", "stream"))
    source = source_edge.source
    target = next(e.target for e in design.out_edges(node.id) if design.kind_of(e) == "pipe_target")
    enrich = node.prop("enrichment") or next(
        (e.target for e in design.out_edges(node.id) if design.kind_of(e) == "enrichment"), None)
    dlq = next((e.target for e in design.out_edges(node.id) if design.kind_of(e) == "dead_letter"), None)
    s_type = ctx.type_of(source)
    source_arn = get_att(ctx.lid(source), "StreamArn") if s_type == "dynamodb_table" else ctx.arn(source)
    statements = [statement(_SOURCE_READ[s_type], source_arn), _reach(ctx, target)]
    source_params: dict = {}
    if node.prop("filter"):
        source_params["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps(node.prop("filter"), sort_keys=True)}]}
    batch = {"BatchSize": int(node.prop("batch_size"))}
    if s_type == "sqs_queue":
        source_params["SqsQueueParameters"] = batch
        if dlq:
            ctx.notes.append(f"{node.id}: a pipe reading a queue uses the queue's own redrive policy; "
                             "the pipe's dead-letter edge is not written")
    else:
        stream = {"StartingPosition": "LATEST", **batch}
        for prop, key in _STREAM_SETTINGS:   # the source edge's stream settings, when the design sets them
            if source_edge.props.get(prop) is not None:
                stream[key] = source_edge.props[prop]
        if dlq:
            stream["DeadLetterConfig"] = {"Arn": ctx.arn(dlq)}
            statements.append(statement(["sqs:SendMessage"], ctx.arn(dlq)))
        source_params["KinesisStreamParameters" if s_type == "kinesis_stream" else "DynamoDBStreamParameters"] = stream
    props: dict = {"Description": node.title[:512], "Source": source_arn, "SourceParameters": source_params}
    if enrich:
        statements.append(_reach(ctx, enrich, enrich=True))
        props["Enrichment"] = target_arn(ctx, enrich)
    props["Target"] = target_arn(ctx, target)
    params = _target_parameters(ctx, node, target)
    if params:
        props["TargetParameters"] = params
    role = ctx.service_role(lid + "Role", "pipes.amazonaws.com", statements)
    props = {"RoleArn": get_att(role, "Arn"), **props}
    ctx.add(lid, "AWS::Pipes::Pipe", props)


def _target_parameters(ctx: Context, node, target: str) -> dict:
    t = ctx.type_of(target)
    if t == "state_machine":
        mode = "REQUEST_RESPONSE" if ctx.nodes[target].prop("type") == "EXPRESS" else "FIRE_AND_FORGET"
        return {"StepFunctionStateMachineParameters": {"InvocationType": mode}}
    if t == "kinesis_stream":
        return {"KinesisStreamParameters": {"PartitionKey": node.id}}
    if t == "sqs_queue" and ctx.nodes[target].prop("fifo"):
        return {"SqsQueueParameters": {"MessageGroupId": node.id}}
    if t == "event_bus":
        return {"EventBridgeEventBusParameters": {"Source": f"pipe.{node.id}", "DetailType": node.title[:128]}}
    return {}


@sam_builder("schedule", phase="after_wiring")
def schedule(ctx: Context, node) -> None:
    """One schedule per target (a Scheduler schedule has exactly one). External targets are reached by an
    EventBridge scheduled rule and an API destination, since Scheduler cannot call one."""
    design = ctx.design
    dlq = next((e.target for e in design.out_edges(node.id) if design.kind_of(e) == "dead_letter"), None)
    targets = [e for e in design.out_edges(node.id) if design.kind_of(e) == "schedule_target"]
    for i, edge in enumerate(targets):
        lid = ctx.lid(node.id) if i == 0 else ctx.new_id(ctx.lid(node.id) + ctx.lid(edge.target))
        retry = {"MaximumRetryAttempts": int(node.prop("retry_attempts")),
                 "MaximumEventAgeInSeconds": seconds(node.prop("max_event_age_s"))}
        universal = (ctx.kept.get("universal_targets") or {}).get(edge.target)
        if ctx.type_of(edge.target) == "external" and universal is None:
            _scheduled_rule(ctx, node, lid, edge.target, retry, dlq)
            continue
        if universal is not None:   # an AWS API the imported template called through a universal target
            statements = [statement([_sdk_action(ctx.nodes[edge.target])], "*")]
            target: dict = {"Arn": universal}
        else:
            statements = [_reach(ctx, edge.target)]
            target = {"Arn": target_arn(ctx, edge.target)}
        target["RetryPolicy"] = retry
        if dlq:
            target["DeadLetterConfig"] = {"Arn": ctx.arn(dlq)}
            statements.append(statement(["sqs:SendMessage"], ctx.arn(dlq)))
        t = ctx.type_of(edge.target)
        if t == "sqs_queue" and ctx.nodes[edge.target].prop("fifo"):
            target["SqsParameters"] = {"MessageGroupId": node.id}
        if t == "kinesis_stream":
            target["KinesisParameters"] = {"PartitionKey": node.id}
        if t == "event_bus":
            target["EventBridgeParameters"] = {"Source": f"schedule.{node.id}", "DetailType": node.title[:128]}
        role = ctx.service_role(lid + "Role", "scheduler.amazonaws.com", statements)
        target = {"Arn": target.pop("Arn"), "RoleArn": get_att(role, "Arn"), **target}
        window = node.prop("flexible_window_min")
        ctx.add(lid, "AWS::Scheduler::Schedule", {
            "Description": node.title[:512], "ScheduleExpression": node.prop("expression"),
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": int(window)} if window else
            {"Mode": "OFF"}, "State": "ENABLED", "Target": target})
        ctx.edge_resources[edge.key] = lid


def _sdk_action(node) -> str:
    """The IAM action a universal target calls: `ssm_startAssociationsOnce` → `ssm:StartAssociationsOnce`."""
    service, _, action = node.id.partition("_")
    return f"{service}:{action[:1].upper()}{action[1:]}"


def _scheduled_rule(ctx: Context, node, lid: str, external: str, retry: dict, dlq) -> None:
    destination = api_destination(ctx, external)
    role = ctx.service_role(lid + "Role", "events.amazonaws.com",
                            [statement(["events:InvokeApiDestination"], get_att(destination, "Arn"))])
    entry = {"Id": ctx.lid(external)[:64], "Arn": get_att(destination, "Arn"), "RoleArn": get_att(role, "Arn"),
             "RetryPolicy": retry}
    if dlq:
        entry["DeadLetterConfig"] = {"Arn": ctx.arn(dlq)}
    ctx.add(lid, "AWS::Events::Rule", {"Description": node.title[:512], "ScheduleExpression": node.prop("expression"),
                                       "State": "ENABLED", "Targets": [entry]})
    if dlq:
        ctx.allow_service(dlq, "events.amazonaws.com", "sqs:SendMessage", get_att(lid, "Arn"))
    ctx.notes.append(f"{node.id}: Scheduler cannot call an HTTP endpoint; an EventBridge scheduled rule with an "
                     f"API destination calls {external} instead")
