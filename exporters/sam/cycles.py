"""Break circular dependencies a design can imply (A calls B, B calls A; a workflow and the function that
starts it): CloudFormation refuses a template whose resources reference each other in a loop.

A function's permissions to reach the others in a loop move to a standalone IAM policy on its role (which
nothing else depends on); environment variables naming them are left out, with a note.
"""
from __future__ import annotations

import re

from exporters.cfn_yaml import ref

_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


class CycleError(ValueError):
    pass


def references(value, out: set) -> set:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if len(v) == 1:
                (key, inner), = v.items()
                if key == "Ref" and isinstance(inner, str):
                    out.add(inner)
                elif key == "Fn::GetAtt":
                    target = inner[0] if isinstance(inner, list) and inner else str(inner).split(".")[0]
                    out.add(str(target))
                elif key == "Fn::Sub":
                    text = inner[0] if isinstance(inner, list) else inner
                    if isinstance(text, str):
                        out.update(_SUB_VAR.findall(text))
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def dependencies(resources: dict) -> dict[str, set]:
    graph = {}
    for lid, resource in resources.items():
        body = dict(resource)
        if resource.get("Type") == "AWS::Serverless::Function":   # SAM makes each event a separate resource
            body["Properties"] = {k: v for k, v in (resource.get("Properties") or {}).items() if k != "Events"}
        deps = references(body, set())
        depends = resource.get("DependsOn") or []
        deps.update([depends] if isinstance(depends, str) else depends)
        graph[lid] = {d for d in deps if d in resources}
    return graph


def strongly_connected(graph: dict[str, set]) -> list[set]:
    """Tarjan's algorithm, iterative; components of more than one resource, or one that refers to itself."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    out.append(component)
    return out


def break_cycles(ctx) -> None:
    for _round in range(3):
        components = strongly_connected(dependencies(ctx.resources))
        if not components:
            return
        for component in components:
            for lid in sorted(component):
                resource = ctx.resources[lid]
                if resource["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
                    _loosen(ctx, lid, resource, component)
    components = strongly_connected(dependencies(ctx.resources))
    if components:
        names = ", ".join(sorted(components[0]))
        raise CycleError(f"circular dependency between {names}; CloudFormation cannot create them")


def _loosen(ctx, lid: str, resource: dict, component: set) -> None:
    props = resource["Properties"]
    substitutions = props.get("DefinitionSubstitutions") or {}
    for name, value in substitutions.items():
        target = next(iter(references(value, set()) & component), None)
        if target and ctx.resources[target]["Type"] == "AWS::Serverless::StateMachine":
            # a workflow that starts itself (or one that starts it): name it, and refer to it by that name
            physical = f"${{AWS::StackName}}-{target}"
            ctx.resources[target]["Properties"]["Name"] = {"Fn::Sub": physical}
            substitutions[name] = {"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
                                              "stateMachine:" + physical}
    policies = props.get("Policies") or []
    moved = [p for p in policies if references(p, set()) & component and _statements(ctx, p)]
    if moved:
        props["Policies"] = [p for p in policies if p not in moved]
        if not props["Policies"]:
            del props["Policies"]
        ctx.add(ctx.new_id(lid + "LoopPolicy"), "AWS::IAM::Policy", {
            "PolicyName": f"{lid}-calls"[:128], "Roles": [ref(lid + "Role")],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [s for p in moved for s in _statements(ctx, p)]}})
    variables = (props.get("Environment") or {}).get("Variables") or {}
    for name in sorted(variables):
        if references(variables[name], set()) & component:
            del variables[name]
            ctx.notes.append(f"{lid}: environment variable {name} left out (it would make a circular reference); "
                             "look the value up at run time")
    for key in ("EventInvokeConfig", "DeadLetterQueue"):
        if key in props and references(props[key], set()) & component:
            ctx.notes.append(f"{lid}: {key} left out: it closes a circular reference")
            del props[key]


def _statements(ctx, policy) -> list:
    """A SAM policy template as plain IAM statements (standalone policies cannot use templates)."""
    if "Statement" in policy:
        return list(policy["Statement"])
    if not isinstance(policy, dict) or len(policy) != 1:
        return []
    (name, params), = policy.items()
    value = next(iter(params.values()), None) if isinstance(params, dict) else None
    arn = {"LambdaInvokePolicy": ("lambda:InvokeFunction", "function:"),
           "StepFunctionsExecutionPolicy": ("states:StartExecution", "stateMachine:"),
           "SQSSendMessagePolicy": ("sqs:SendMessage", None), "SNSPublishMessagePolicy": ("sns:Publish", None),
           "EventBridgePutEventsPolicy": ("events:PutEvents", "event-bus/"),
           "DynamoDBCrudPolicy": ("dynamodb:*Item", "table/")}.get(name)
    if arn is None or not isinstance(params, dict) or not params:
        return []
    action, prefix = arn
    service = action.split(":")[0]
    arn = f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{prefix or ''}${{N}}"
    resource = {"Fn::Sub": [arn, {"N": value}]}
    return [{"Effect": "Allow", "Action": action, "Resource": resource}]
