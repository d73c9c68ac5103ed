"""Functions and state machines, written last: their events, policies and environment are gathered first."""
from __future__ import annotations

import copy
import re

from design.registry import TYPES
from exporters.cfn_yaml import get_att, ref, sub
from exporters.sam.context import ARCHITECTURE, RUNTIME, Context, sam_builder, statement
from exporters.sam.storage import seconds

IDEMPOTENCY_TABLE = "IdempotencyTable"
# Where a Lambda destination goes, by target type (SAM EventInvokeConfig / DestinationConfig `Type`).
DESTINATION_TYPES = {t.name: t.destination_type for t in TYPES if t.destination_type}
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_-]{0,63})\}")


def env_name(node_id: str, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", node_id).upper() + "_" + suffix


def env_value(ctx: Context, target: str) -> tuple[str, object]:
    """The environment variable that tells a function where `target` is."""
    t = ctx.type_of(target)
    lid = ctx.lid(target)
    if t == "sqs_queue":
        return env_name(target, "URL"), ref(lid)
    if t in ("sns_topic", "state_machine"):
        return env_name(target, "ARN"), ref(lid)
    if t == "external":
        return env_name(target, "URL"), ctx.endpoint(target)
    if t == "api_gateway":
        return env_name(target, "URL"), api_url(ctx, target)
    if t == "appsync_api":
        return env_name(target, "URL"), get_att(lid, "GraphQLUrl")
    return env_name(target, "NAME"), ctx.name(target) if t == "s3_bucket" else ref(lid)


def api_url(ctx: Context, api: str):
    lid = ctx.lid(api)
    if ctx.nodes[api].prop("api_kind") == "HTTP" and lid not in ctx.rest_apis:
        return sub(f"https://${{{lid}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/")
    return sub(f"https://${{{lid}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/Prod/")


def idempotency_table(ctx: Context) -> None:
    if not any(n.type == "lambda" and n.prop("idempotent") for n in ctx.design.nodes):
        return
    ctx.add(ctx.idempotency_id, "AWS::DynamoDB::Table", {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True}})


@sam_builder("lambda", phase="functions")
def function(ctx: Context, node) -> None:
    lid = ctx.lid(node.id)
    props: dict = {"Description": node.title[:256], "CodeUri": f"src/{node.id}/", "Handler": "app.handler",
                   "Runtime": RUNTIME, "Architectures": [ARCHITECTURE], "Timeout": seconds(node.prop("timeout_s")),
                   "MemorySize": int(node.prop("memory_mb"))}
    ctx.defaults[lid] = {"CodeUri", "Handler", "Runtime", "Architectures", "Description"}
    if node.prop("reserved_concurrency") is not None:
        props["ReservedConcurrentExecutions"] = int(node.prop("reserved_concurrency"))
    env = {} if node.id in (ctx.kept.get("logical_ids") or {}) else {"POWERTOOLS_SERVICE_NAME": node.id}
    if node.prop("idempotent"):
        env["IDEMPOTENCY_TABLE"] = ref(ctx.idempotency_id)
        env["IDEMPOTENCY_EXPIRY_S"] = str(seconds(node.prop("idempotency_expiry_s")))
        entry = {"DynamoDBCrudPolicy": {"TableName": ref(ctx.idempotency_id)}}
        ctx.policies.setdefault(node.id, []).insert(0, entry)
    env.update(ctx.env.get(node.id, {}))
    if env:
        props["Environment"] = {"Variables": env}
    if ctx.policies.get(node.id):
        props["Policies"] = ctx.policies[node.id]
    if ctx.events.get(node.id):
        props["Events"] = ctx.events[node.id]
    invoke = _event_invoke_config(ctx, node)
    if invoke:
        props["EventInvokeConfig"] = invoke
    dlq = [e.target for e in ctx.design.out_edges(node.id) if ctx.design.kind_of(e) == "dead_letter"]
    if dlq:
        props["DeadLetterQueue"] = {"Type": "SQS" if ctx.type_of(dlq[0]) == "sqs_queue" else "SNS",
                                    "TargetArn": ctx.arn(dlq[0])}
    ctx.add(lid, "AWS::Serverless::Function", props)


def _event_invoke_config(ctx: Context, node) -> dict:
    config: dict = {}
    if "max_retry_attempts" in node.props:
        config["MaximumRetryAttempts"] = int(node.prop("max_retry_attempts"))
    if "max_event_age_s" in node.props:
        config["MaximumEventAgeInSeconds"] = seconds(node.prop("max_event_age_s"))
    destinations = {}
    for edge in ctx.design.out_edges(node.id):
        kind = ctx.design.kind_of(edge)
        if kind in ("on_failure", "on_success") and ctx.type_of(edge.target) in DESTINATION_TYPES:
            key = "OnFailure" if kind == "on_failure" else "OnSuccess"
            if key in destinations:
                ctx.notes.append(f"{node.id}: only one {kind} destination is possible; kept the first")
                continue
            arn = ctx.arn(edge.target)
            destinations[key] = {"Type": DESTINATION_TYPES[ctx.type_of(edge.target)], "Destination": arn}
    if destinations:
        config["DestinationConfig"] = destinations
    return config


@sam_builder("state_machine", phase="workflows")
def state_machine(ctx: Context, node) -> None:
    lid = ctx.lid(node.id)
    definition = float_backoff(copy.deepcopy(node.prop("definition")) or default_definition(ctx, node))
    used = sorted(set(PLACEHOLDER.findall(_strings(definition))))
    substitutions = {}
    for name in used:
        if name in ctx.nodes:
            substitutions[name] = substitution(ctx, name)
        else:
            ctx.notes.append(f"{node.id}: the definition names ${{{name}}}, which is no node of the design")
    for edge in ctx.design.out_edges(node.id):
        if ctx.design.kind_of(edge) in ("task", "compensate"):
            ctx.grant(node.id, edge.target, "task")
    if _has(definition, ".sync"):
        ctx.policies.setdefault(node.id, []).append({"Version": "2012-10-17", "Statement": [statement(
            ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
                "StepFunctions*"))]})
    props: dict = {"Type": node.prop("type"), "Definition": definition}
    if substitutions:
        props["DefinitionSubstitutions"] = substitutions
    if ctx.policies.get(node.id):
        props["Policies"] = ctx.policies[node.id]
    if node.prop("type") == "EXPRESS":
        log_group = ctx.new_id(lid + "Logs")
        ctx.add(log_group, "AWS::Logs::LogGroup", {"RetentionInDays": 14})
        props["Logging"] = {"Level": "ERROR", "IncludeExecutionData": False,
                            "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": get_att(log_group, "Arn")}}]}
        props.setdefault("Policies", []).append({"Version": "2012-10-17", "Statement": [statement(
            ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
             "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
             "logs:DescribeLogGroups"], "*")]})
    ctx.add(lid, "AWS::Serverless::StateMachine", props)


def float_backoff(value):
    """`BackoffRate: 2` → `2.0`: the ASL spec types it as a float and statelint insists; AWS takes either."""
    if isinstance(value, dict):
        return {k: (float(v) if k == "BackoffRate" and isinstance(v, int) and not isinstance(v, bool)
                    else float_backoff(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [float_backoff(v) for v in value]
    return value


def callback_grants(ctx: Context) -> None:
    """A function given a task token (`.waitForTaskToken`) may report back: SendTaskSuccess and friends.
    The resource is every state machine of the account and region: naming this one would be circular."""
    for node in ctx.design.nodes:
        if node.type != "state_machine" or not _has(node.prop("definition"), ".waitForTaskToken"):
            continue
        for name in set(PLACEHOLDER.findall(_strings(node.prop("definition")))):
            if name in ctx.nodes and ctx.type_of(name) == "lambda":
                entry = {"Version": "2012-10-17", "Statement": [statement(
                    ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                    sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*"))]}
                if entry not in ctx.policies.setdefault(name, []):
                    ctx.policies[name].append(entry)


def substitution(ctx: Context, node_id: str):
    """What `${node}` stands for in a definition: the value the service integration's parameter takes."""
    t = ctx.type_of(node_id)
    if t == "lambda":
        return get_att(ctx.lid(node_id), "Arn")
    if t == "external":
        return ctx.endpoint(node_id)
    if t == "appsync_api":
        return get_att(ctx.lid(node_id), "GraphQLUrl")
    if t == "s3_bucket":
        return ctx.name(node_id)
    return ctx.ref(node_id)


# Task resources for a generated definition, by target type: (Resource, Parameters), the registry's sfn_task.
_TASKS = {t.name: t.sfn_task for t in TYPES if t.sfn_task}


def default_definition(ctx: Context, node) -> dict:
    """A design without a definition: call each task target in the order of its edges."""
    targets = [e.target for e in ctx.design.out_edges(node.id) if ctx.design.kind_of(e) == "task"]
    states: dict = {}
    names = [f"Step{i + 1}{re.sub(r'[^A-Za-z0-9]', '', t.title())}"[:80] for i, t in enumerate(targets)]
    for i, target in enumerate(targets):
        t = ctx.type_of(target)
        if t == "lambda":
            state = {"Type": "Task", "Resource": "${%s}" % target}
        elif t in _TASKS:
            resource, params = _TASKS[t]
            state = {"Type": "Task", "Resource": resource,
                     "Parameters": _fill(copy.deepcopy(params), target), "ResultPath": None}
        else:
            state = {"Type": "Pass", "Comment": f"call {ctx.nodes[target].title} here"}
        if i + 1 < len(targets):
            state["Next"] = names[i + 1]
        else:
            state["End"] = True
        states[names[i]] = state
    if not states:
        return {"Comment": f"{node.title}: no tasks yet", "StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    ctx.notes.append(f"{node.id}: no definition in the design; one Task per task edge, in order")
    return {"Comment": f"{node.title}: one step per task (generated)", "StartAt": names[0], "States": states}


def _fill(value, node_id: str):
    if isinstance(value, dict):
        return {k: _fill(v, node_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, node_id) for v in value]
    return value % node_id if isinstance(value, str) and "%s" in value else value


def _strings(value) -> str:
    out: list[str] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str):
            out.append(v)
    return "\n".join(out)


def _has(definition, text: str) -> bool:
    return text in _strings(definition) if definition else False
