"""Edges that become delivery configuration: event source mappings, SNS subscriptions, EventBridge rules,
S3 notifications, and what a function needs to reach what it calls (policy + environment variable)."""
from __future__ import annotations

from exporters.cfn_yaml import get_att
from exporters.sam.compute import env_value
from exporters.sam.context import Context, send_actions, statement
from exporters.sam.kept import merge_event
from exporters.sam.storage import seconds
from exporters.sam.targets import api_destination, execute_api_arn, target_arn

CALLS = ("sync", "async", "compensate", "publish")


def wire(ctx: Context) -> None:
    design = ctx.design
    for edge in design.edges:
        kind = design.kind_of(edge)
        s_type, t_type = ctx.type_of(edge.source), ctx.type_of(edge.target)
        if s_type == "lambda" and kind in CALLS:
            ctx.grant(edge.source, edge.target, kind)
            name, value = env_value(ctx, edge.target)
            ctx.env.setdefault(edge.source, {})[name] = value
        elif t_type == "lambda" and kind in ("event_source", "stream"):
            _mapping(ctx, edge, kind)
        elif kind == "subscription":
            _subscription(ctx, edge)
        elif kind == "notification":
            _notification(ctx, edge)
    for node in design.nodes:
        if node.type == "event_bus":
            _rules(ctx, node)


def add_event(ctx: Context, edge, function: str, etype: str, props: dict) -> None:
    """A SAM event on `function` for `edge`: named as the imported template named it, else From<Source>."""
    events = ctx.events.setdefault(function, {})
    kept = (ctx.kept.get("events") or {}).get(edge.key)
    if kept and kept[1] not in events:
        name = kept[1]
        merge_event(props, kept[2])
    else:
        base = "From" + ctx.lid(edge.source)
        name, n = base, 2
        while name in events:
            name, n = f"{base}{n}", n + 1
    events[name] = {"Type": etype, "Properties": props}
    ctx.edge_events[edge.key] = (function, name)


def _mapping(ctx: Context, edge, kind: str) -> None:
    source = edge.source
    p = edge.props
    s_type = ctx.type_of(source)
    if s_type == "sqs_queue":
        props: dict = {"Queue": ctx.arn(source)}
        etype = "SQS"
    else:
        props = {"Stream": ctx.arn(source) if s_type == "kinesis_stream" else get_att(ctx.lid(source), "StreamArn"),
                 "StartingPosition": "LATEST"}
        etype = "Kinesis" if s_type == "kinesis_stream" else "DynamoDB"
    if p.get("batch_size") is not None:
        props["BatchSize"] = int(p["batch_size"])
    if p.get("batching_window_s"):
        props["MaximumBatchingWindowInSeconds"] = seconds(p["batching_window_s"])
    if p.get("report_batch_item_failures"):
        props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if s_type == "sqs_queue":
        if p.get("maximum_concurrency") is not None:
            props["ScalingConfig"] = {"MaximumConcurrency": int(p["maximum_concurrency"])}
    else:
        if p.get("bisect_on_error"):
            props["BisectBatchOnFunctionError"] = True
        if p.get("retry_attempts") is not None:
            props["MaximumRetryAttempts"] = int(p["retry_attempts"])
        if p.get("max_event_age_s") is not None:
            props["MaximumRecordAgeInSeconds"] = int(p["max_event_age_s"])
        if (p.get("parallelization_factor") or 1) > 1:
            props["ParallelizationFactor"] = int(p["parallelization_factor"])
        failure = [e.target for e in ctx.design.out_edges(edge.target) if ctx.design.kind_of(e) == "on_failure"
                   and ctx.type_of(e.target) in ("sqs_queue", "sns_topic")]
        if failure:
            props["DestinationConfig"] = {"OnFailure": {
                "Type": "SQS" if ctx.type_of(failure[0]) == "sqs_queue" else "SNS", "Destination": ctx.arn(failure[0])}}
    add_event(ctx, edge, edge.target, etype, props)


def _dead_letter_for(ctx: Context, edge) -> str | None:
    if edge.props.get("dead_letter"):
        return edge.props["dead_letter"]
    if ctx.type_of(edge.source) == "sns_topic":   # the topic's own DLQ: looked up once per topic, not per edge
        memo = ctx.memo.setdefault("topic_dead_letter", {})
        if edge.source not in memo:
            dlq = [e.target for e in ctx.design.out_edges(edge.source) if ctx.design.kind_of(e) == "dead_letter"]
            memo[edge.source] = dlq[0] if dlq else None
        return memo[edge.source]
    return None


def _subscription(ctx: Context, edge) -> None:
    topic, target = edge.source, edge.target
    t_type = ctx.type_of(target)
    filters: dict = {}
    if edge.props.get("filter_policy"):
        filters["FilterPolicy"] = edge.props["filter_policy"]
        filters["FilterPolicyScope"] = edge.props.get("filter_policy_scope") or "MessageAttributes"
    dlq = _dead_letter_for(ctx, edge)
    if t_type == "lambda":
        props = {"Topic": ctx.ref(topic), **filters}
        if dlq:
            props["RedrivePolicy"] = {"deadLetterTargetArn": ctx.arn(dlq)}
        add_event(ctx, edge, target, "SNS", props)
    else:
        lid = ctx.edge_lid(edge, ctx.lid(topic) + "To" + ctx.lid(target))
        props = {"TopicArn": ctx.ref(topic)}
        if t_type == "sqs_queue":
            props.update({"Protocol": "sqs", "Endpoint": ctx.arn(target)})
            ctx.allow_service(target, "sns.amazonaws.com", "sqs:SendMessage", ctx.ref(topic))
        elif t_type == "firehose":
            role = ctx.service_role(lid + "Role", "sns.amazonaws.com", [statement(send_actions(ctx, target),
                                                                                   ctx.arn(target))])
            props.update({"Protocol": "firehose", "Endpoint": ctx.arn(target),
                          "SubscriptionRoleArn": get_att(role, "Arn")})
        else:
            props.update({"Protocol": "https", "Endpoint": ctx.endpoint(target)})
        props.update(filters)
        if dlq:
            props["RedrivePolicy"] = {"deadLetterTargetArn": ctx.arn(dlq)}
        ctx.add(lid, "AWS::SNS::Subscription", props)
        ctx.edge_resources[edge.key] = lid
    if dlq:
        ctx.allow_service(dlq, "sns.amazonaws.com", "sqs:SendMessage", ctx.ref(topic))


def _notification(ctx: Context, edge) -> None:
    bucket, target = edge.source, edge.target
    t_type = ctx.type_of(target)
    resource = ctx.resources[ctx.lid(bucket)]
    config = resource["Properties"].setdefault("NotificationConfiguration", {})
    bucket_arn = ctx.arn(bucket)
    if t_type == "lambda":
        add_event(ctx, edge, target, "S3", {"Bucket": ctx.ref(bucket), "Events": "s3:ObjectCreated:*"})
    elif t_type == "sqs_queue":
        config.setdefault("QueueConfigurations", []).append({"Event": "s3:ObjectCreated:*", "Queue": ctx.arn(target)})
        ctx.allow_service(target, "s3.amazonaws.com", "sqs:SendMessage", bucket_arn)
        resource.setdefault("DependsOn", []).append(ctx.policy_id(target))
    elif t_type == "sns_topic":
        config.setdefault("TopicConfigurations", []).append({"Event": "s3:ObjectCreated:*",
                                                             "Topic": ctx.ref(target)})
        ctx.allow_service(target, "s3.amazonaws.com", "sns:Publish", bucket_arn)
        resource.setdefault("DependsOn", []).append(ctx.policy_id(target))
    else:   # S3 sends to the default bus only: a rule there forwards this bucket's events to the design's bus
        config["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
        lid = ctx.new_id(ctx.lid(bucket) + "To" + ctx.lid(target) + "Rule")
        role = ctx.service_role(lid + "Role", "events.amazonaws.com",
                                [statement(["events:PutEvents"], ctx.arn(target))])
        ctx.add(lid, "AWS::Events::Rule", {
            "Description": f"Forward {ctx.nodes[bucket].title} object events to {ctx.nodes[target].title}"[:512],
            "EventPattern": {"source": ["aws.s3"], "detail": {"bucket": {"name": [ctx.name(bucket)]}}},
            "State": "ENABLED",
            "Targets": [{"Id": ctx.lid(target)[:64], "Arn": ctx.arn(target), "RoleArn": get_att(role, "Arn")}]})
        ctx.edge_resources[edge.key] = lid


def _rules(ctx: Context, bus) -> None:
    groups: dict[str, list] = {}
    for edge in ctx.design.out_edges(bus.id):
        if ctx.design.kind_of(edge) == "rule_target":
            groups.setdefault(edge.props.get("rule") or f"to-{edge.target}", []).append(edge)
    for rule_name, edges in groups.items():
        lid = ctx.edge_lid(edges[0], ctx.lid(bus.id) + _camel(rule_name) + "Rule")
        pattern = next((e.props["pattern"] for e in edges if e.props.get("pattern")), None)
        if pattern is None:
            pattern = {"source": [{"prefix": ""}]}
            ctx.notes.append(f"{bus.id}: rule {rule_name} has no pattern; it matches every event")
        targets, role_statements = [], []
        for edge in edges:
            target = edge.target
            entry: dict = {"Id": _target_id(ctx.lid(target), [e for _x, e in targets]),
                           "Arn": target_arn(ctx, target)}
            t_type = ctx.type_of(target)
            if t_type == "lambda":
                ctx.add(ctx.new_id(lid + "Invoke" + ctx.lid(target)), "AWS::Lambda::Permission", {
                    "Action": "lambda:InvokeFunction", "FunctionName": ctx.ref(target),
                    "Principal": "events.amazonaws.com", "SourceArn": get_att(lid, "Arn")})
            elif t_type in ("sqs_queue", "sns_topic"):
                ctx.allow_service(target, "events.amazonaws.com",
                                  "sqs:SendMessage" if t_type == "sqs_queue" else "sns:Publish", get_att(lid, "Arn"))
                if t_type == "sqs_queue" and ctx.nodes[target].prop("fifo"):
                    entry["SqsParameters"] = {"MessageGroupId": edge.props.get("message_group_field") or bus.id}
            elif t_type == "external":
                destination = api_destination(ctx, target)
                role_statements.append(statement(["events:InvokeApiDestination"], get_att(destination, "Arn")))
            elif t_type == "api_gateway":
                entry["Arn"] = execute_api_arn(ctx, target, edge)
            else:
                role_statements.append(statement(send_actions(ctx, target), ctx.arn(target)))
                if t_type == "kinesis_stream":
                    entry["KinesisParameters"] = {"PartitionKeyPath": "$.id"}
            entry["RetryPolicy"] = {
                "MaximumRetryAttempts": int(edge.props.get("retry_attempts") if edge.props.get("retry_attempts")
                                            is not None else 185),
                "MaximumEventAgeInSeconds": int(edge.props.get("max_event_age_s") or 86_400)}
            if edge.props.get("dead_letter"):
                dlq = edge.props["dead_letter"]
                entry["DeadLetterConfig"] = {"Arn": ctx.arn(dlq)}
                ctx.allow_service(dlq, "events.amazonaws.com", "sqs:SendMessage", get_att(lid, "Arn"))
            entry.update((ctx.kept.get("targets") or {}).get(edge.key) or {})
            targets.append((edge, entry))
            ctx.edge_resources[edge.key] = lid
        if role_statements:
            role = ctx.service_role(lid + "Role", "events.amazonaws.com", role_statements)
            for edge, entry in targets:
                if ctx.type_of(edge.target) not in ("lambda", "sqs_queue", "sns_topic", "api_gateway"):
                    entry["RoleArn"] = get_att(role, "Arn")
        ctx.add(lid, "AWS::Events::Rule", {
            "Description": f"{bus.title}: {rule_name}"[:512], "EventBusName": ctx.ref(bus.id),
            "EventPattern": pattern, "State": "ENABLED", "Targets": [entry for _e, entry in targets]})


def _target_id(base: str, taken: list[dict]) -> str:
    used = {t["Id"] for t in taken}
    name, n = base[:60], 2
    while name in used:
        name, n = f"{base[:60]}{n}", n + 1
    return name


def _camel(text: str) -> str:
    from exporters.sam.ids import camel
    return camel(text)
