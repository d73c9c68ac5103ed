"""Edges a template spells out in resources: destinations, dead-letter queues, policies, redrive policies,
subscriptions, rules, DefinitionSubstitutions, pipes, schedules, alarms and delivery streams."""
from __future__ import annotations

import re

from design.registry import TYPES
from importers.builder import Builder
from importers.resources import as_json, definition_of, number

# SAM policy template on a function → the type it connects the function to (the registry's policies_read).
_POLICY_TARGETS = {name: t.name for t in TYPES for name in t.policies_read if not name.endswith("*")}
_POLICY_PREFIXES = tuple((name[:-1], t.name) for t in TYPES for name in t.policies_read if name.endswith("*"))


def _policy_target(pname: str) -> str | None:
    return _POLICY_TARGETS.get(pname) or next((t for prefix, t in _POLICY_PREFIXES if pname.startswith(prefix)), None)


def function_links(b: Builder, lid: str, props: dict) -> None:
    fn = b.node_of[lid]
    dlq = props.get("DeadLetterQueue") or props.get("DeadLetterConfig")
    dlq_node = b.node_for(dlq.get("TargetArn")) if isinstance(dlq, dict) else None
    b.add_edge(fn, dlq_node, "dead_letter")
    config = props.get("EventInvokeConfig") if isinstance(props.get("EventInvokeConfig"), dict) else {}
    destinations = config.get("DestinationConfig") if isinstance(config.get("DestinationConfig"), dict) else {}
    for key, kind in (("OnFailure", "on_failure"), ("OnSuccess", "on_success")):
        if isinstance(destinations.get(key), dict):
            b.add_edge(fn, b.node_for(destinations[key].get("Destination")), kind)
    for policy in props.get("Policies") or [] if isinstance(props.get("Policies"), list) else []:
        if isinstance(policy, dict) and len(policy) == 1:
            (pname, params), = policy.items()
            if not isinstance(pname, str):
                b.note(f"Resources.{lid}.Policies: a policy named {pname!r} (not a string) is kept as written")
            elif isinstance(params, dict) and params:
                target = b.node_for(next(iter(params.values())))
                wanted = _policy_target(pname)
                # the permission a function's own dead-letter queue needs is not a connection it sends on
                if target and b.types[target] == wanted and target != dlq_node:
                    b.add_edge(fn, target, "sync" if wanted == "lambda" else "publish")


def redrive(b: Builder, lid: str, props: dict, modelled: set) -> None:
    policy = as_json(props.get("RedrivePolicy"))
    if not isinstance(policy, dict):
        return
    queue, dlq = b.node_of[lid], b.node_for(policy.get("deadLetterTargetArn"), "sqs_queue")
    count = b.resolve(policy.get("maxReceiveCount"))
    count = int(count) if isinstance(count, (int, str)) and str(count).isdigit() else None
    if dlq and count and set(policy) == {"deadLetterTargetArn", "maxReceiveCount"} and \
            b.add_edge(queue, dlq, "dead_letter", passive=False):
        node = next(n for n in b.nodes if n["id"] == queue)
        node.setdefault("props", {})["max_receive_count"] = count
        modelled.add("RedrivePolicy")
    else:
        b.add_edge(queue, dlq, "dead_letter")


def subscription(b: Builder, lid: str, props: dict) -> None:
    topic = b.node_for(props.get("TopicArn"), "sns_topic")
    target = b.node_for(props.get("Endpoint"))
    redrive = as_json(props.get("RedrivePolicy"))
    dlq = b.node_for(redrive.get("deadLetterTargetArn"), "sqs_queue") if isinstance(redrive, dict) else None
    filters = {"filter_policy": as_json(b.resolve(props.get("FilterPolicy"))),
               "filter_policy_scope": b.resolve(props.get("FilterPolicyScope"))}
    if topic and target and props.get("Protocol") == "sqs" and b.types[target] == "sqs_queue" \
            and isinstance(filters["filter_policy"], (dict, type(None))):
        key = b.add_edge(topic, target, "subscription", {**filters, "dead_letter": dlq}, passive=False)
        if key:
            b.kept["edge_ids"][key] = lid
            modelled = {"TopicArn", "Endpoint", "Protocol", "FilterPolicy", "FilterPolicyScope"}
            if dlq and set(redrive) == {"deadLetterTargetArn"}:
                modelled.add("RedrivePolicy")
            b.keep_rest(lid, modelled)
            return
    b.add_edge(topic, target, "subscription", filters)
    b.keep_resource(lid)


def rule(b: Builder, lid: str, props: dict) -> None:
    bus_ref = props.get("EventBusName")
    bus = b.node_for(bus_ref, "event_bus") if bus_ref not in (None, "default") else None
    if bus_ref in (None, "default") and "EventPattern" in props:
        bus = b.implicit_node("default", "event_bus", "default_bus")
    pattern = as_json(b.resolve(props.get("EventPattern")))
    targets = props.get("Targets") if isinstance(props.get("Targets"), list) else []
    resolved = [(t, b.node_for(t.get("Arn"))) for t in targets if isinstance(t, dict)]
    active = bool(bus and isinstance(pattern, dict) and resolved and "ScheduleExpression" not in props and
                  all(n and b.types[n] in ("sqs_queue", "sns_topic", "lambda", "state_machine", "kinesis_stream",
                                           "event_bus", "firehose") for _t, n in resolved))
    keys = []
    for target, node in resolved:
        retry = target.get("RetryPolicy") if isinstance(target.get("RetryPolicy"), dict) else {}
        dlc = target.get("DeadLetterConfig") if isinstance(target.get("DeadLetterConfig"), dict) else {}
        edge = {"rule": lid, "pattern": pattern if isinstance(pattern, dict) else None,
                "retry_attempts": number(retry.get("MaximumRetryAttempts")),
                "max_event_age_s": number(retry.get("MaximumEventAgeInSeconds")),
                "dead_letter": b.node_for(dlc.get("Arn"), "sqs_queue")}
        key = b.add_edge(bus, node, "rule_target", edge, passive=not active)
        if key and active:
            keys.append(key)
            b.kept["targets"][key] = {k: v for k, v in target.items()
                                      if k not in ("Arn", "RetryPolicy", "DeadLetterConfig")}
            b.kept["edge_ids"][key] = lid
    if active and len(keys) == len(resolved):
        b.keep_rest(lid, {"EventPattern", "Targets", "EventBusName"})
    else:
        for key in keys:
            b.kept["passive"].append(key)
        b.keep_resource(lid)


def state_machine(b: Builder, lid: str, props: dict) -> None:
    sm = b.node_of[lid]
    loaded = None
    uri = props.get("DefinitionUri")
    inline = props.get("Definition") is not None or props.get("DefinitionString") is not None
    if uri is not None and not inline:
        loaded = definition_file(b, lid, uri)
    definition, named = definition_of(props, b, loaded)
    if definition is None and uri is not None and not inline:
        definition = opaque_definition(uri)
    if definition is not None:
        node = next(n for n in b.nodes if n["id"] == sm)
        node.setdefault("props", {})["definition"] = definition
    for nid in dict.fromkeys(named.values()):
        b.add_edge(sm, nid, "task")


def other_links(b: Builder, lid: str, rtype: str, props: dict) -> None:
    node = b.node_of[lid]
    if rtype == "AWS::Pipes::Pipe":
        pipe(b, node, props)
    elif rtype == "AWS::Scheduler::Schedule" and "Target" in props and not isinstance(props["Target"], dict):
        b.note(f"Resources.{lid}.Properties.Target is not a mapping: no target drawn (kept as written)")
    elif rtype == "AWS::Scheduler::Schedule" and isinstance(props.get("Target"), dict):
        arn = props["Target"].get("Arn")
        b.add_edge(node, b.node_for(arn) or universal_target(b, arn), "schedule_target")
        dlc = props["Target"].get("DeadLetterConfig")
        if isinstance(dlc, dict):
            b.add_edge(node, b.node_for(dlc.get("Arn"), "sqs_queue"), "dead_letter")
    elif rtype == "AWS::CloudWatch::Alarm":
        for dim in props.get("Dimensions") or [] if isinstance(props.get("Dimensions"), list) else []:
            if isinstance(dim, dict):
                b.add_edge(b.node_for(dim.get("Value")), node, "metric")
        for action in props.get("AlarmActions") or [] if isinstance(props.get("AlarmActions"), list) else []:
            b.add_edge(node, b.node_for(action), "notify")
    elif rtype == "AWS::KinesisFirehose::DeliveryStream":
        for key in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration"):
            if isinstance(props.get(key), dict):
                b.add_edge(node, b.node_for(props[key].get("BucketARN"), "s3_bucket"), "delivery")
    elif rtype == "AWS::S3::Bucket":
        pass


# A stream source's settings in SourceParameters → the source edge's props (the stream reader reads them).
_PIPE_STREAM_PROPS = {"MaximumRetryAttempts": "retry_attempts", "MaximumRecordAgeInSeconds": "max_event_age_s",
                      "BisectBatchOnFunctionError": "bisect_on_error", "ParallelizationFactor": "parallelization_factor",
                      "MaximumBatchingWindowInSeconds": "batching_window_s"}


def pipe(b: Builder, node: str, props: dict) -> None:
    """Source → pipe → target (and enrichment). For a Kinesis or DynamoDB stream source, the stream settings of
    SourceParameters go on the source edge and its DeadLetterConfig becomes the pipe's dead_letter edge: Pipes
    "discard records after the specified number of retries" (MaximumRetryAttempts) or "older than the specified
    age" (MaximumRecordAgeInSeconds) and sends them to the DeadLetterConfig queue, "the target queue to send
    dead-letter queue events to" (API_PipeSourceDynamoDBStreamParameters, API_PipeSourceKinesisStreamParameters
    in the EventBridge Pipes API reference). An SQS source has no such setting: the queue's redrive policy applies.
    The pipe resource itself is written back as it was (the registry's imported_from)."""
    src = b.node_for(props.get("Source"))
    src_type = b.types.get(src) if src else None
    key = {"dynamodb_table": "DynamoDBStreamParameters", "kinesis_stream": "KinesisStreamParameters"}.get(src_type)
    written = props.get("SourceParameters") if isinstance(props.get("SourceParameters"), dict) else {}
    written = written.get(key) if key and isinstance(written.get(key), dict) else {}
    edge = {}
    for cfn, name in _PIPE_STREAM_PROPS.items():
        value = b.resolve(written.get(cfn))    # a Parameter's default, for the simulator
        if number(value) is not None or isinstance(value, bool):
            edge[name] = value
    b.add_edge(src, node, "stream" if src_type == "dynamodb_table" else "event_source", edge)
    b.add_edge(node, b.node_for(props.get("Target")), "pipe_target", {"input_transform": _input_template(
        b, props.get("TargetParameters"))})
    b.add_edge(node, b.node_for(props.get("Enrichment")), "enrichment")
    dlc = written.get("DeadLetterConfig") if isinstance(written.get("DeadLetterConfig"), dict) else {}
    dlq = b.node_for(dlc.get("Arn"), "sqs_queue")
    b.add_edge(node, dlq, "dead_letter")


_UNIVERSAL = re.compile(r"arn:[a-z-]+:scheduler:::aws-sdk:([a-z0-9-]+):([A-Za-z0-9]+)")


def universal_target(b: Builder, arn) -> str | None:
    """A Scheduler universal target, `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`: EventBridge Scheduler
    calls that AWS API itself ("A universal target is a customizable set of parameters that allow you to invoke
    a wider set of API operation for many AWS services", and its Arn is "The complete service ARN, including the
    API operation you want to target": https://docs.aws.amazon.com/scheduler/latest/UserGuide/
    managing-targets-universal.html). The service is
    not in the design, so it becomes an external system (system_kind aws_api), one per API action, that the
    schedule visibly fires into; the ARN as written is kept for the export (universal_targets)."""
    resolved = b.resolve(arn)
    found = _UNIVERSAL.fullmatch(resolved) if isinstance(resolved, str) else None
    if not found:
        return None
    service, action = found.groups()
    name = f"{service}_{action}"
    if name in b.node_of:
        return b.node_of[name] if b.types.get(b.node_of[name]) == "external" else None
    nid = b.implicit_node(name, "external", "aws_api")
    node = next(n for n in b.nodes if n["id"] == nid)
    node["label"] = f"{service.upper()} {action[:1].upper()}{action[1:]} (AWS API)"
    node.setdefault("props", {})["system_kind"] = "aws_api"
    b.kept.setdefault("universal_targets", {})[nid] = arn
    return nid


def _input_template(b: Builder, params) -> dict | None:
    """TargetParameters.InputTemplate as the target edge's input_transform, when it is a JSON object whose
    placeholders sit inside strings ("<$.body.orderId>"); otherwise None (the text is kept and re-exported as
    written, the simulator delivers the record unchanged). "Input transformers are applied separately on each
    individual JSON record" (eb-pipes-input-transformation)."""
    text = b.resolve(params.get("InputTemplate")) if isinstance(params, dict) else None
    value = as_json(text) if isinstance(text, str) else None
    return value if isinstance(value, dict) else None


def definition_file(b: Builder, lid: str, uri) -> dict | None:
    """The ASL document a DefinitionUri names, from the project's files; None (with a note) when absent."""
    import posixpath
    from design import documents
    path = posixpath.normpath(uri.replace("\\", "/")).lstrip("/") if isinstance(uri, str) else None
    text = b.files.get(path) if path else None
    if text is None:
        where = repr(uri) if isinstance(uri, str) else "an S3 location"
        b.note(f"Resources.{lid}.DefinitionUri: {where} is not in the project: kept as written; the state machine "
               f"simulates as one opaque step")
        return None
    try:
        definition = documents.parse(text, "json" if path.endswith(".json") else "yaml", name=path)
    except ValueError as exc:
        b.note(f"Resources.{lid}.DefinitionUri: {path} cannot be read ({exc}); the state machine simulates as "
               f"one opaque step")
        return None
    if not isinstance(definition, dict):
        b.note(f"Resources.{lid}.DefinitionUri: {path} is not an ASL document; the state machine simulates as "
               f"one opaque step")
        return None
    return definition


def opaque_definition(uri) -> dict:
    """A stand-in for a definition the project does not hold: one Pass state, so a run goes through it."""
    where = uri if isinstance(uri, str) else "an S3 location"
    return {"Comment": f"Opaque: the definition ({where}) was not imported; this state stands in for it.",
            "StartAt": "Opaque", "States": {"Opaque": {"Type": "Pass", "End": True}}}
