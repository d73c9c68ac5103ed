"""How EventBridge rules, Scheduler and Pipes name a target, and the API destinations external systems need."""
from __future__ import annotations

from exporters.cfn_yaml import get_att, sub
from exporters.sam.context import Context


def target_arn(ctx: Context, target: str):
    t = ctx.type_of(target)
    if t == "external":
        return get_att(api_destination(ctx, target), "Arn")
    if t == "api_gateway":
        return execute_api_arn(ctx, target, None)
    return ctx.arn(target)


def execute_api_arn(ctx: Context, api: str, edge):
    """A REST API stage and route as an EventBridge/Pipes target (POST on the edge's route, else on /)."""
    ctx.rest_apis.add(ctx.lid(api))
    path = (edge.props.get("route") if edge is not None else None) or "/"
    return sub(f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{ctx.lid(api)}}}"
               f"/Prod/POST{path if path.startswith('/') else '/' + path}")


def api_destination(ctx: Context, external: str) -> str:
    """An EventBridge connection + API destination for an external HTTP system (one per system).
    The API key is a NoEcho parameter: never written into the template."""
    if external in ctx.destinations:
        return ctx.destinations[external]
    base = ctx.lid(external)
    key_param = ctx.new_id(base + "ApiKey")
    ctx.parameters[key_param] = {"Type": "String", "NoEcho": True, "Default": "replace-me",
                                 "Description": f"API key EventBridge sends to {ctx.nodes[external].title}"}
    connection = ctx.new_id(base + "Connection")
    ctx.add(connection, "AWS::Events::Connection", {
        "AuthorizationType": "API_KEY",
        "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                    "ApiKeyValue": {"Ref": key_param}}}})
    destination = ctx.new_id(base + "Destination")
    ctx.add(destination, "AWS::Events::ApiDestination", {
        "ConnectionArn": get_att(connection, "Arn"), "InvocationEndpoint": ctx.endpoint(external),
        "HttpMethod": "POST", "InvocationRateLimitPerSecond": 10})
    ctx.destinations[external] = destination
    return destination
