"""API Gateway (REST or HTTP; direct service integrations in an OpenAPI body) and AppSync GraphQL APIs."""
from __future__ import annotations

import re

from exporters.cfn_yaml import get_att, ref, sub
from exporters.sam.compute import api_url
from exporters.sam.context import Context, sam_builder, send_actions, statement
from exporters.sam.routing import add_event
from exporters.sam.storage import table_key

HTTP_SUBTYPES = {"sqs_queue": "SQS-SendMessage", "event_bus": "EventBridge-PutEvents",
                 "state_machine": "StepFunctions-StartExecution", "kinesis_stream": "Kinesis-PutRecord"}
# REST direct integrations: (service action path, request template). `{T}` is the target's Ref or name.
REST_ACTIONS = {
    "sqs_queue": ("sqs:path/${AWS::AccountId}/{N}", "application/x-www-form-urlencoded",
                  "Action=SendMessage&MessageBody=$util.urlEncode($input.body){G}"),
    "sns_topic": ("sns:action/Publish", "application/x-www-form-urlencoded",
                  "Action=Publish&TopicArn=$util.urlEncode('{T}')&Message=$util.urlEncode($input.body)"),
    "event_bus": ("events:action/PutEvents", "application/x-amz-json-1.1",
                  '{"Entries": [{"Source": "{S}", "DetailType": "{P}", "EventBusName": "{T}", '
                  '"Detail": "$util.escapeJavaScript($input.body)"}]}'),
    "state_machine": ("states:action/StartExecution", "application/x-amz-json-1.0",
                      '{"stateMachineArn": "{T}", "input": "$util.escapeJavaScript($input.body)"}'),
    "kinesis_stream": ("kinesis:action/PutRecord", "application/x-amz-json-1.1",
                       '{"StreamName": "{T}", "Data": "$util.base64Encode($input.body)", '
                       '"PartitionKey": "$context.requestId"}'),
    "dynamodb_table": ("dynamodb:action/PutItem", "application/x-amz-json-1.0",
                       '{"TableName": "{T}", "Item": {"{K}": {"S": "$context.requestId"}, '
                       '"body": {"S": "$util.escapeJavaScript($input.body)"}}}'),
}
_TARGET_HEADER = {"event_bus": "'AWSEvents.PutEvents'", "state_machine": "'AWSStepFunctions.StartExecution'",
                  "kinesis_stream": "'Kinesis_20131202.PutRecord'", "dynamodb_table": "'DynamoDB_20120810.PutItem'"}


def routes(ctx: Context, api: str) -> list[tuple]:
    """(edge, path) for every route of an API: the edge's `route`, else `/` for the first, `/<target>` after."""
    out, default_taken = [], False
    for edge in ctx.design.out_edges(api):
        if ctx.design.kind_of(edge) not in ("sync", "integration"):
            continue
        path = edge.props.get("route")
        if not path:
            path = "/" if not default_taken else "/" + edge.target.replace("_", "-")
            default_taken = True
        path = "/" + re.sub(r"[^A-Za-z0-9/_.{}+-]", "-", path).strip("/")
        out.append((edge, path))
    return out


def is_http(ctx: Context, api: str) -> bool:
    if ctx.nodes[api].prop("api_kind") != "HTTP" or ctx.lid(api) in ctx.rest_apis:
        return False
    for edge, _path in routes(ctx, api):
        if ctx.design.kind_of(edge) == "integration" and ctx.type_of(edge.target) not in HTTP_SUBTYPES:
            ctx.rest_apis.add(ctx.lid(api))
            ctx.notes.append(f"{api}: HTTP APIs cannot integrate {ctx.type_of(edge.target)} directly; written as a "
                             "REST API")
            return False
    return True


@sam_builder("api_gateway", phase="after_wiring")
def api_gateway(ctx: Context, node) -> None:
    lid = ctx.lid(node.id)
    http = is_http(ctx, node.id)
    paths: dict = {}
    role_statements = []
    for edge, path in routes(ctx, node.id):
        t_type = ctx.type_of(edge.target)
        if t_type == "lambda":
            event = {"Path": path, "Method": "ANY", ("ApiId" if http else "RestApiId"): ref(lid)}
            if "integration_timeout_s" in node.props:
                event["TimeoutInMillis"] = int(node.prop("integration_timeout_s") * 1000)
            if ctx.implicit(node.id):
                event.pop("RestApiId", None)
            add_event(ctx, edge, edge.target, "HttpApi" if http else "Api", event)
            continue
        integration = _integration(ctx, node, edge, path, http)
        if t_type != "external":
            role_statements.append(statement(send_actions(ctx, edge.target), ctx.arn(edge.target)))
        method = "x-amazon-apigateway-any-method" if t_type == "external" else "post"
        paths.setdefault(path, {})[method] = {"x-amazon-apigateway-integration": integration,
                                              "responses": {"200": {"description": "Accepted"}}}
    props: dict = {"Name": sub(f"${{AWS::StackName}}-{lid}")}
    if not http:
        props["StageName"] = "Prod"
    if paths:
        if role_statements:
            role = ctx.service_role(lid + "Role", "apigateway.amazonaws.com", role_statements)
            for methods in paths.values():
                for spec in methods.values():
                    if spec["x-amazon-apigateway-integration"].get("type") != "http_proxy":
                        spec["x-amazon-apigateway-integration"]["credentials"] = get_att(role, "Arn")
        # SAM takes the API's name from the body's title (and refuses a Name beside an inline body)
        props["DefinitionBody"] = {"openapi": "3.0.1", "info": {"title": props.pop("Name"), "version": "1.0",
                                                                "description": node.title}, "paths": paths}
    if "throttle_rate_per_s" in node.props or "throttle_burst" in node.props:
        limits = {"ThrottlingRateLimit": node.prop("throttle_rate_per_s"),
                  "ThrottlingBurstLimit": int(node.prop("throttle_burst"))}
        if http:
            props["DefaultRouteSettings"] = limits
        else:
            props["MethodSettings"] = [{"ResourcePath": "/*", "HttpMethod": "*", **limits}]
    ctx.add(lid, "AWS::Serverless::HttpApi" if http else "AWS::Serverless::Api", props)
    ctx.outputs[lid + "Url"] = {"Description": f"{node.title} URL", "Value": api_url(ctx, node.id)}


def _integration(ctx: Context, node, edge, path: str, http: bool) -> dict:
    target, t_type = edge.target, ctx.type_of(edge.target)
    timeout = int(node.prop("integration_timeout_s") * 1000)
    if t_type == "external":
        return {"type": "http_proxy", "httpMethod": "ANY", "uri": ctx.endpoint(target),
                "payloadFormatVersion": "1.0", "timeoutInMillis": timeout} if http else \
            {"type": "http_proxy", "httpMethod": "ANY", "uri": ctx.endpoint(target), "timeoutInMillis": timeout}
    group = edge.props.get("message_group_field")
    if http:
        params = {"sqs_queue": {"QueueUrl": ctx.ref(target), "MessageBody": "$request.body"},
                  "event_bus": {"EventBusName": ctx.ref(target), "Source": node.id, "DetailType": path,
                                "Detail": "$request.body"},
                  "state_machine": {"StateMachineArn": ctx.ref(target), "Input": "$request.body"},
                  "kinesis_stream": {"StreamName": ctx.ref(target), "Data": "$request.body",
                                     "PartitionKey": "$context.requestId"}}[t_type]
        if t_type == "sqs_queue" and ctx.nodes[target].prop("fifo"):
            params["MessageGroupId"] = f"$request.body.{group}" if group else node.id
        return {"type": "aws_proxy", "integrationSubtype": HTTP_SUBTYPES[t_type], "connectionType": "INTERNET",
                "payloadFormatVersion": "1.0", "requestParameters": params, "timeoutInMillis": timeout}
    action, content_type, template = REST_ACTIONS[t_type]
    fifo_group = ""
    if t_type == "sqs_queue" and ctx.nodes[target].prop("fifo"):
        fifo_group = "&MessageGroupId=" + (f"$util.urlEncode($input.path('$.{group}'))" if group else node.id)
    tlid = ctx.lid(target)
    name_var = {"sqs_queue": f"${{{tlid}.QueueName}}"}.get(t_type, f"${{{tlid}}}")
    text = (template.replace("{T}", f"${{{tlid}}}").replace("{N}", name_var).replace("{G}", fifo_group)
            .replace("{S}", node.id).replace("{P}", path)
            .replace("{K}", table_key(ctx, target) if t_type == "dynamodb_table" else ""))
    headers = {"integration.request.header.Content-Type": f"'{content_type}'"}
    if t_type in _TARGET_HEADER:
        headers["integration.request.header.X-Amz-Target"] = _TARGET_HEADER[t_type]
    return {"type": "aws", "httpMethod": "POST", "uri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:"
                                                             + action.replace("{N}", name_var)),
            "requestParameters": headers, "requestTemplates": {"application/json": sub(text)},
            "passthroughBehavior": "NEVER", "timeoutInMillis": timeout,
            "responses": {"default": {"statusCode": "200"}}}


_JS = {
    "dynamodb_table": "import { util } from '@aws-appsync/utils';\n"
                      "export function request(ctx) {\n"
                      "  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ KEY: ctx.args.id }) };\n}\n"
                      "export function response(ctx) { return JSON.stringify(ctx.result); }\n",
    "event_bus": "export function request(ctx) {\n"
                 "  return { operation: 'PutEvents', events: [{ source: 'SOURCE', detailType: 'FIELD', "
                 "detail: JSON.parse(ctx.args.input || '{}') }] };\n}\n"
                 "export function response(ctx) { return JSON.stringify(ctx.result); }\n",
    "external": "export function request(ctx) {\n"
                "  return { method: 'POST', resourcePath: '/', params: { headers: { 'content-type': "
                "'application/json' }, body: ctx.args.input || '{}' } };\n}\n"
                "export function response(ctx) { return ctx.result.body; }\n",
    "state_machine": "export function request(ctx) {\n"
                     "  return { method: 'POST', resourcePath: '/', params: { headers: {\n"
                     "    'content-type': 'application/x-amz-json-1.0', 'x-amz-target': "
                     "'AWSStepFunctions.StartExecution' },\n"
                     "    body: JSON.stringify({ stateMachineArn: '${ARN}', input: ctx.args.input || '{}' }) } };\n}\n"
                     "export function response(ctx) { return ctx.result.body; }\n",
}


@sam_builder("appsync_api", phase="after_wiring")
def appsync(ctx: Context, node) -> None:
    lid = ctx.lid(node.id)
    ctx.add(lid, "AWS::AppSync::GraphQLApi", {"Name": sub(f"${{AWS::StackName}}-{lid}"),
                                              "AuthenticationType": "API_KEY", "XrayEnabled": True})
    ctx.add(ctx.new_id(lid + "Key"), "AWS::AppSync::ApiKey", {"ApiId": get_att(lid, "ApiId")})
    schema_id = ctx.new_id(lid + "Schema")
    fields, statements, resolvers = [], [], []
    for edge in ctx.design.out_edges(node.id):
        target, t_type = edge.target, ctx.type_of(edge.target)
        field = re.sub(r"[^A-Za-z0-9_]", "_", target)
        field = field[0].lower() + field[1:]
        ds = ctx.new_id(lid + ctx.lid(target) + "Source")
        props: dict = {"ApiId": get_att(lid, "ApiId"), "Name": ds}
        if t_type == "lambda":
            props.update(Type="AWS_LAMBDA", LambdaConfig={"LambdaFunctionArn": ctx.arn(target)})
        elif t_type == "dynamodb_table":
            props.update(Type="AMAZON_DYNAMODB", DynamoDBConfig={"TableName": ctx.ref(target),
                                                                 "AwsRegion": ref("AWS::Region")})
        elif t_type == "event_bus":
            props.update(Type="AMAZON_EVENTBRIDGE", EventBridgeConfig={"EventBusArn": ctx.arn(target)})
        elif t_type == "state_machine":
            props.update(Type="HTTP", HttpConfig={
                "Endpoint": sub("https://states.${AWS::Region}.${AWS::URLSuffix}/"),
                "AuthorizationConfig": {"AuthorizationType": "AWS_IAM", "AwsIamConfig": {
                    "SigningRegion": ref("AWS::Region"), "SigningServiceName": "states"}}})
        else:
            props.update(Type="HTTP", HttpConfig={"Endpoint": ctx.endpoint(target)})
        if t_type != "external":
            statements.append(statement(send_actions(ctx, target) if t_type != "lambda" else
                                        ["lambda:InvokeFunction"], ctx.arn(target)))
        fields.append(f"  {field}(id: ID, input: AWSJSON): AWSJSON")
        resolver: dict = {"ApiId": get_att(lid, "ApiId"), "TypeName": "Query", "FieldName": field,
                          "DataSourceName": get_att(ds, "Name"), "Kind": "UNIT"}
        if t_type != "lambda":
            code = (_JS[t_type].replace("KEY", table_key(ctx, target) if t_type == "dynamodb_table" else "")
                    .replace("SOURCE", node.id).replace("FIELD", field))
            resolver["Runtime"] = {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
            resolver["Code"] = sub(code, {"ARN": ctx.ref(target)}) if t_type == "state_machine" else code
        resolvers.append((ds, props, resolver, field))
    role = ctx.service_role(lid + "Role", "appsync.amazonaws.com", statements) if statements else None
    for ds, props, resolver, field in resolvers:
        if role and props["Type"] != "HTTP" or (role and "AuthorizationConfig" in props.get("HttpConfig", {})):
            props["ServiceRoleArn"] = get_att(role, "Arn")
        ctx.add(ds, "AWS::AppSync::DataSource", props)
        ctx.add(ctx.new_id(lid + field[:1].upper() + field[1:] + "Resolver"), "AWS::AppSync::Resolver", resolver,
                DependsOn=[schema_id])
    schema = "schema {\n  query: Query\n}\n\ntype Query {\n" + ("\n".join(fields) or "  ping: String") + "\n}\n"
    ctx.add(schema_id, "AWS::AppSync::GraphQLSchema", {"ApiId": get_att(lid, "ApiId"), "Definition": schema})
    ctx.outputs[lid + "Url"] = {"Description": f"{node.title} GraphQL URL", "Value": get_att(lid, "GraphQLUrl")}
