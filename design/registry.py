"""The one list of service types: properties, defaults, ranges, SAM type, palette place, look, and every other
fact a package reads about a type (importer mapping, IAM actions, attributes, entry point, ...). The code that
acts per type registers itself against the name (design.adapters); the README's "Adding a service type" walks it.

Defaults and ranges come from ../shared/reference/semantics.md (the `source` of each
Prop names the row). Values AWS does not publish (natural duplicate rates, a function's
typical duration) are marked `illustrative` and the UI labels them so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from design.props import BOOL, ENUM, FLOAT, INT, MAPPING, NODE_REF, PATTERN, STR, Prop

# Palette groups, in the order the palette shows them.
PALETTE_GROUPS = ("Clients and edges", "Compute", "Messaging", "Orchestration", "Storage and streams",
                  "Operations")


@dataclass(frozen=True)
class ServiceType:
    name: str
    title: str
    group: str
    sam_type: str | None          # None: not an AWS resource (a client, an external system)
    colour: str                   # fill colour; never the only cue (glyph + label too)
    glyph: str                    # short text icon shown on the node
    shape: str                    # graphviz shape, so kinds differ by outline as well as colour
    description: str
    props: tuple[Prop, ...] = ()
    natural_duplicate_rate: float = 0.0   # illustrative: AWS publishes no figure
    is_consumer: bool = False             # may carry requires_order
    # Facts other packages read about the type (one place each; the code that acts on them registers itself
    # per type, see design.adapters):
    imported_from: tuple[tuple[str, bool], ...] = ()   # CloudFormation types the importer reads as this type,
    #                                                     each with whether the SAM exporter rebuilds it
    refs: tuple[str | None, str | None, str | None] = (None, None, None)   # ARN, name, URL: "Ref" or a GetAtt
    send_actions: tuple[str, ...] = ()     # IAM actions a service needs to deliver to it
    sam_policy: tuple[str, str, str] | None = None   # (SAM policy template, its parameter, "ref" or "name")
    policies_read: tuple[str, ...] = ()    # SAM policy templates on a function that the importer reads as a
    #                                        connection to it (a trailing * matches every template so named)
    sam_expanded: bool = False             # SAM expands it into resources named after its logical id
    entry_output: tuple[str, str, str] | None = None  # a stack Output for its callers: (suffix, getter, what)
    destination_type: str | None = None    # Lambda destination Type when it receives invocation records
    sdk_prefix: str | None = None          # prefix of the errors its Step Functions integration raises
    # The Task a generated state machine definition uses to call it: (Resource, Parameters), "${%s}" = the node.
    sfn_task: tuple[str, dict] | None = field(default=None, hash=False, compare=False)
    arn_example: str | None = None         # what `${node}` stands for in an exported definition (exporters asl)
    carries_events: bool = False           # passes events on without acting on them (lint looks through it)
    entry_point: bool = False              # fed by nothing in the design, events come in here
    entry_point_when: str | None = None    # ... only while this boolean prop is on (a table: its `stream`)
    outside_can_send: bool = True          # a workload may send into it (not an alarm or a pipe)
    holds_state: str | None = None         # what state it holds, in words (side-by-side comparison)
    not_priced: str | None = None          # why the cost model has no price for it (None: it is priced)
    price_keys: tuple[str, ...] = ()       # its billing dimensions: the price book entries its bill may use
    prop_index: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        self.prop_index.update({p.name: p for p in self.props})

    def default(self, prop: str):
        return self.prop_index[prop].default


_SEM = "reference/semantics.md"
_REQUIRES_ORDER = Prop("requires_order", BOOL, False, help="its logic depends on the order events arrive in")
_DURATION = Prop("duration_s", FLOAT, 0.1, 0, 86_400, help="how long one invocation works; longer than "
                 "timeout_s means a timeout", illustrative=True)
_EMITS = Prop("emits", MAPPING, None, help="the event published on outgoing edges after success, merged "
              "over the input (a new event id, the same trace id)")
_ERROR = Prop("error_name", STR, None, help="error name raised when an injected failure hits this node")

LAMBDA_PROPS = (
    Prop("timeout_s", FLOAT, 3, 1, 900, help="function timeout", source=f"{_SEM} §1 (3 s default †)"),
    Prop("memory_mb", INT, 128, 128, 10_240, help="memory size", export_only="it sets the price (GB-seconds in "
         "the run's cost) and the CPU share, not the timing: how long an invocation works is duration_s"),
    Prop("idempotent", BOOL, False, help="recognises a repeated event id and skips the side effect"),
    Prop("idempotency_expiry_s", FLOAT, 3600, 1, 31_536_000, help="how long a processed id is "
         "remembered (Powertools default 3,600 s)", source=f"{_SEM} §7"),
    Prop("idempotency_key", STR, None, help="dotted path of a business key in the payload (e.g. detail.orderId), "
         "like Powertools' event_key_jmespath; unset: the event id", source=f"{_SEM} §7"),
    Prop("reserved_concurrency", INT, None, 0, 900, help="caps (and guarantees) concurrent executions; at least "
         "100 of the account's 1,000 must stay unreserved",
         source=f"{_SEM} §1"),
    Prop("max_retry_attempts", INT, 2, 0, 2, help="async retries after a function error",
         source=f"{_SEM} §1"),
    Prop("max_event_age_s", FLOAT, 21_600, 60, 21_600, help="async events older than this are discarded",
         source=f"{_SEM} §1"),
    Prop("circuit_breaker", BOOL, False, help="stop calling a failing synchronous dependency for a while "
         "(closed → open → half-open with one probe)", source=f"{_SEM} §10"),
    Prop("breaker_failure_threshold", INT, 5, 1, 1000, help="consecutive failures that open the circuit",
         illustrative=True),
    Prop("breaker_open_s", FLOAT, 30, 1, 86_400, help="how long the circuit stays open before one probe",
         illustrative=True),
    _DURATION, _EMITS, _REQUIRES_ORDER, _ERROR,
)

TYPES: tuple[ServiceType, ...] = (
    ServiceType("client", "Client", "Clients and edges", None, "#e8eaf6", "USR", "house",
                "A caller outside AWS: a browser, a mobile app, another system's producer."),
    ServiceType("api_gateway", "API Gateway", "Clients and edges", "AWS::Serverless::Api", "#f3e5f5", "API",
                "invhouse", "A managed HTTP front door: authorisation, throttling, and direct service "
                "integrations.",
                (Prop("integration_timeout_s", FLOAT, 29, 0.05, 29, help="integration timeout → 504",
                      source=f"{_SEM} §8"),
                 Prop("throttle_rate_per_s", FLOAT, 10_000, 1, 10_000, help="token-bucket refill rate → 429",
                      source=f"{_SEM} §8"),
                 Prop("throttle_burst", INT, 5_000, 1, 5_000, help="token-bucket size", source=f"{_SEM} §8"),
                 Prop("api_kind", ENUM, "REST", choices=("REST", "HTTP"), help="REST or HTTP API",
                      export_only="REST and HTTP APIs differ in features and price (the run's cost uses it); the "
                      "simulator answers both with the timeout and throttle set here")),
                imported_from=(("AWS::Serverless::Api", False), ("AWS::Serverless::HttpApi", False),
                               ("AWS::ApiGateway::RestApi", False), ("AWS::ApiGatewayV2::Api", False)),
                refs=(None, None, "Ref"), send_actions=("execute-api:Invoke",), sam_expanded=True,
                carries_events=True, entry_point=True,
                arn_example="https://{name}.execute-api.{region}.amazonaws.com/Prod/",
                price_keys=("apigateway.rest_requests", "apigateway.http_requests")),
    ServiceType("appsync_api", "AppSync (GraphQL)", "Clients and edges", "AWS::AppSync::GraphQLApi", "#fce4ec",
                "GQL", "invhouse", "A managed GraphQL API whose resolvers fan one query out to many sources.",
                (Prop("resolver_timeout_s", FLOAT, 30, 1, 30, help="resolver time limit", illustrative=True),),
                imported_from=(("AWS::AppSync::GraphQLApi", False), ("AWS::Serverless::GraphQLApi", False)),
                refs=("Arn", None, "GraphQLUrl"), send_actions=("appsync:GraphQL",), entry_point=True,
                not_priced="AppSync query and mutation operations are not priced yet",
                arn_example="https://{name}.appsync-api.{region}.amazonaws.com/graphql"),
    ServiceType("lambda", "Lambda function", "Compute", "AWS::Serverless::Function", "#fff3e0", "λ", "box",
                "Runs code per event: synchronously for a caller, asynchronously from an internal queue, or "
                "polling a queue or stream.", LAMBDA_PROPS, natural_duplicate_rate=0.0005, is_consumer=True,
                imported_from=(("AWS::Serverless::Function", True), ("AWS::Lambda::Function", False)),
                refs=("Arn", "Ref", None), send_actions=("lambda:InvokeFunction",),
                sam_policy=("LambdaInvokePolicy", "FunctionName", "ref"), sam_expanded=True,
                policies_read=("LambdaInvokePolicy",),
                entry_output=("Name", "ref", "function name"), destination_type="Lambda",
                arn_example="arn:aws:lambda:{region}:{account}:function:{name}",
                price_keys=("lambda.requests", "lambda.gb_seconds")),
    ServiceType("external", "External system", "Compute", None, "#eceff1", "EXT", "box3d",
                "Something we do not run: a legacy system, a SaaS API, an HTTP endpoint.",
                (_DURATION, _REQUIRES_ORDER, _ERROR,
                 Prop("system_kind", ENUM, "http", choices=("http", "legacy", "saas", "aws_api"), help="what it is "
                      "(aws_api: an AWS API outside the design, such as a Scheduler universal target)",
                      export_only="a description for readers; every external system answers after duration_s "
                      "or fails as injected")),
                is_consumer=True,
                arn_example="https://{name}.example.com"),
    ServiceType("sqs_queue", "SQS queue", "Messaging", "AWS::SQS::Queue", "#fffde7", "SQS", "cylinder",
                "A durable buffer that consumers poll; messages reappear until deleted.",
                (Prop("fifo", BOOL, False, help="FIFO queue: order per message group, 5-min dedup window"),
                 Prop("visibility_timeout_s", FLOAT, 30, 0, 43_200, source=f"{_SEM} §2"),
                 Prop("max_receive_count", INT, None, 1, 1000, help="receives before redrive to the DLQ "
                      "(needs a dead_letter edge)", source=f"{_SEM} §2 (range †)"),
                 Prop("retention_s", FLOAT, 345_600, 60, 1_209_600, source=f"{_SEM} §2"),
                 Prop("content_based_dedup", BOOL, False, help="FIFO: identical bodies are duplicates")),
                natural_duplicate_rate=0.001,
                imported_from=(("AWS::SQS::Queue", True),), refs=("Arn", "QueueName", "Ref"),
                send_actions=("sqs:SendMessage",), sam_policy=("SQSSendMessagePolicy", "QueueName", "name"),
                policies_read=("SQSSendMessagePolicy",),
                entry_output=("Url", "url", "queue URL"), destination_type="SQS", sdk_prefix="SQS",
                carries_events=True, entry_point=True, holds_state="messages waiting or in flight",
                sfn_task=("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "${%s}", "MessageBody.$": "$"}),
                arn_example="https://sqs.{region}.amazonaws.com/{account}/{name}",
                price_keys=("sqs.standard_requests", "sqs.fifo_requests")),
    ServiceType("sns_topic", "SNS topic", "Messaging", "AWS::SNS::Topic", "#fce4ec", "SNS", "hexagon",
                "Pushes a copy of each message to every subscription whose filter policy accepts it.",
                (Prop("fifo", BOOL, False, help="FIFO topic: ordered per message group, 5-min dedup window; "
                      "delivers to SQS queues only", source="https://docs.aws.amazon.com/sns/latest/dg/fifo-message-grouping.html"),
                 Prop("content_based_dedup", BOOL, False, help="FIFO topic: identical bodies are duplicates")),
                natural_duplicate_rate=0.0005,
                imported_from=(("AWS::SNS::Topic", True),), refs=("Ref", "TopicName", None),
                send_actions=("sns:Publish",), sam_policy=("SNSPublishMessagePolicy", "TopicName", "name"),
                policies_read=("SNSPublishMessagePolicy",),
                entry_output=("Arn", "arn", "topic ARN"), destination_type="SNS", sdk_prefix="SNS",
                carries_events=True, entry_point=True,
                sfn_task=("arn:aws:states:::sns:publish", {"TopicArn": "${%s}", "Message.$": "$"}),
                arn_example="arn:aws:sns:{region}:{account}:{name}",
                price_keys=("sns.publishes", "sns.http_deliveries", "sns.sqs_deliveries", "sns.lambda_deliveries")),
    ServiceType("event_bus", "EventBridge bus", "Messaging", "AWS::Events::EventBus", "#ede7f6", "EB", "octagon",
                "Routes events to targets by rules with content-based event patterns.",
                (Prop("archive", BOOL, False, help="keep matching events for replay"),
                 Prop("archive_retention_days", INT, None, 1, 36_500, help="unset keeps events indefinitely",
                      source=f"{_SEM} §4"),
                 Prop("archive_pattern", PATTERN, None, help="which events the archive keeps")),
                natural_duplicate_rate=0.0005,
                imported_from=(("AWS::Events::EventBus", True),), refs=("Arn", "Ref", None),
                send_actions=("events:PutEvents",), sam_policy=("EventBridgePutEventsPolicy", "EventBusName", "ref"),
                policies_read=("EventBridgePutEventsPolicy",),
                entry_output=("Name", "ref", "event bus name"), destination_type="EventBridge",
                sdk_prefix="EventBridge", entry_point=True,
                sfn_task=("arn:aws:states:::events:putEvents", {"Entries": [
                    {"EventBusName": "${%s}", "Source": "workflow", "DetailType": "StepCompleted", "Detail.$": "$"}]}),
                price_keys=("eventbridge.custom_events",)),
    ServiceType("pipe", "EventBridge Pipe", "Messaging", "AWS::Pipes::Pipe", "#ede7f6", "PIPE", "cds",
                "Point-to-point: source → filter → enrichment → target, without glue code.",
                (Prop("filter", PATTERN, None, help="event pattern the source's records must match"),
                 Prop("enrichment", NODE_REF, None, help="id of the node that enriches each record"),
                 Prop("batch_size", INT, 1, 1, 10_000, help="records per batch from the source")),
                imported_from=(("AWS::Pipes::Pipe", False),), refs=("Arn", "Ref", None), carries_events=True,
                outside_can_send=False,
                price_keys=("eventbridge.pipes_requests",)),
    ServiceType("schedule", "EventBridge Scheduler", "Orchestration", "AWS::Scheduler::Schedule", "#e0f7fa",
                "⏱", "circle",
                "Invokes a target at a time, at a rate, or on a cron expression.",
                (Prop("expression", STR, "rate(1 minute)", help="at(...), rate(...) or cron(...)",
                      source=f"{_SEM} §4"),
                 Prop("retry_attempts", INT, 185, 0, 185, source=f"{_SEM} §4 (185 / 24 h †)"),
                 Prop("max_event_age_s", FLOAT, 86_400, 60, 86_400, source=f"{_SEM} §4"),
                 Prop("flexible_window_min", INT, None, 1, 1440, help="unset = OFF", source=f"{_SEM} §4")),
                imported_from=(("AWS::Scheduler::Schedule", False),), refs=("Arn", "Ref", None),
                price_keys=("eventbridge.scheduler_invocations",)),
    ServiceType("state_machine", "Step Functions", "Orchestration", "AWS::Serverless::StateMachine", "#e8f5e9",
                "SFN", "component", "A workflow in Amazon States Language: the orchestrator knows every step.",
                (Prop("type", ENUM, "STANDARD", choices=("STANDARD", "EXPRESS"),
                      help="STANDARD: exactly-once; EXPRESS: at-least-once when started asynchronously, at-most-once when "
                      "started synchronously; at most 5 minutes", source=f"{_SEM} §5"),
                 Prop("definition", MAPPING, None, help="the Amazon States Language document")),
                is_consumer=True,
                imported_from=(("AWS::Serverless::StateMachine", False),
                               ("AWS::StepFunctions::StateMachine", False)),
                refs=("Ref", "Name", None), send_actions=("states:StartExecution",),
                sam_policy=("StepFunctionsExecutionPolicy", "StateMachineName", "name"),
                policies_read=("StepFunctionsExecutionPolicy",), sam_expanded=True,
                entry_output=("Arn", "ref", "state machine ARN"), entry_point=True,
                holds_state="workflow state (each execution's position and data)",
                sfn_task=("arn:aws:states:::states:startExecution", {"StateMachineArn": "${%s}", "Input.$": "$"}),
                arn_example="arn:aws:states:{region}:{account}:stateMachine:{name}",
                price_keys=("stepfunctions.standard_transitions", "stepfunctions.express_requests",
                            "stepfunctions.express_gb_seconds")),
    ServiceType("dynamodb_table", "DynamoDB table", "Storage and streams", "AWS::DynamoDB::Table", "#e3f2fd",
                "DDB", "cylinder", "A key-value table; conditional writes; an optional change stream.",
                (Prop("stream", BOOL, False, help="emit item changes to a DynamoDB stream"),
                 Prop("stream_view_type", ENUM, "NEW_AND_OLD_IMAGES",
                      choices=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")),
                 Prop("conditional_writes", BOOL, False, help="writes use attribute_not_exists(pk): a repeated "
                      "event id is refused", source=f"{_SEM} §7"),
                 Prop("ttl_attribute", STR, None, help="attribute holding an expiry time")),
                imported_from=(("AWS::DynamoDB::Table", True), ("AWS::Serverless::SimpleTable", False)),
                refs=("Arn", "Ref", None),
                send_actions=("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"),
                sam_policy=("DynamoDBCrudPolicy", "TableName", "ref"), entry_output=("Name", "ref", "table name"),
                policies_read=("DynamoDB*",), entry_point=True, entry_point_when="stream",
                sdk_prefix="DynamoDB", holds_state="table items",
                sfn_task=("arn:aws:states:::dynamodb:putItem",
                          {"TableName": "${%s}", "Item": {"pk": {"S.$": "$$.Execution.Id"}}}),
                price_keys=("dynamodb.write_request_units", "dynamodb.read_request_units")),
    ServiceType("s3_bucket", "S3 bucket", "Storage and streams", "AWS::S3::Bucket", "#e8f5e9", "S3", "folder",
                "Object storage; notifies on object events at least once, unordered.",
                (Prop("eventbridge_notifications", BOOL, False, help="send object events to EventBridge"),
                 Prop("bucket_name", STR, None, help="the bucket's name in events (unset: the node id)")),
                natural_duplicate_rate=0.001,
                imported_from=(("AWS::S3::Bucket", True),), refs=("Arn", "Ref", None), send_actions=("s3:PutObject",),
                sam_policy=("S3WritePolicy", "BucketName", "name"), entry_output=("Name", "name", "bucket name"),
                policies_read=("S3*",),
                destination_type="S3Bucket", sdk_prefix="S3", entry_point=True, holds_state="objects",
                sfn_task=("arn:aws:states:::aws-sdk:s3:putObject",
                          {"Bucket": "${%s}", "Key.$": "$$.Execution.Name", "Body.$": "$"}),
                price_keys=("s3.put_requests", "s3.get_requests")),
    ServiceType("kinesis_stream", "Kinesis stream", "Storage and streams", "AWS::Kinesis::Stream", "#fff8e1",
                "KDS", "cds", "Ordered shards of records, read in order per shard.",
                (Prop("shard_count", INT, 1, 1, 500, help="shards; records hash to shards by partition key"),
                 Prop("retention_h", INT, 24, 24, 8760, source=f"{_SEM} §6"),
                 Prop("partition_key", STR, None, help="payload field used as the partition key "
                      "(unset: the event id)")),
                imported_from=(("AWS::Kinesis::Stream", True),), refs=("Arn", "Ref", None),
                send_actions=("kinesis:PutRecord", "kinesis:PutRecords"), entry_output=("Name", "ref", "stream name"),
                policies_read=("KinesisCrudPolicy",),
                sdk_prefix="Kinesis", carries_events=True, entry_point=True,
                holds_state="records kept for the retention period",
                sfn_task=("arn:aws:states:::aws-sdk:kinesis:putRecord",
                          {"StreamName": "${%s}", "Data.$": "States.JsonToString($)",
                           "PartitionKey.$": "$$.Execution.Name"}),
                price_keys=("kinesis.shard_hours", "kinesis.put_payload_units")),
    ServiceType("firehose", "Data Firehose", "Storage and streams", "AWS::KinesisFirehose::DeliveryStream",
                "#fff8e1", "FH", "cds", "Buffers records and delivers them in batches to S3 and other stores.",
                (Prop("buffer_interval_s", INT, 300, 0, 900, help="flush after this long", illustrative=True),),
                imported_from=(("AWS::KinesisFirehose::DeliveryStream", False),), refs=("Arn", "Ref", None),
                send_actions=("firehose:PutRecord", "firehose:PutRecordBatch"),
                sam_policy=("FirehoseWritePolicy", "DeliveryStreamName", "ref"),
                policies_read=("FirehoseWritePolicy",),
                entry_output=("Name", "ref", "delivery stream name"), sdk_prefix="Firehose",
                holds_state="buffered records",
                not_priced="Data Firehose ingestion (per GB, in 5 KB increments) is not priced yet",
                sfn_task=("arn:aws:states:::aws-sdk:firehose:putRecord",
                          {"DeliveryStreamName": "${%s}", "Record": {"Data.$": "States.JsonToString($)"}})),
    ServiceType("alarm", "CloudWatch alarm", "Operations", "AWS::CloudWatch::Alarm", "#ffebee", "!", "diamond",
                "Watches a metric of a node (a DLQ's depth, a function's errors) and notifies someone.",
                (Prop("metric", ENUM, "queue_depth", choices=("queue_depth", "errors", "throttles", "age"),
                      help="what it watches"),
                 Prop("threshold", FLOAT, 1, 0, 1e9, help="alarm when the metric reaches this")),
                imported_from=(("AWS::CloudWatch::Alarm", False),), refs=("Arn", "Ref", None), outside_can_send=False,
                not_priced="CloudWatch alarms (per alarm-month) are not priced yet"),
)

BY_NAME: dict[str, ServiceType] = {t.name: t for t in TYPES}
TYPE_NAMES: tuple[str, ...] = tuple(BY_NAME)


def registry_problems(types=TYPES) -> list[str]:
    """Facts an entry must carry for the adapters to work: an AWS type imports from its own SAM type."""
    problems = []
    for t in types:
        if t.sam_type and t.sam_type not in {cfn for cfn, _ in t.imported_from}:
            problems.append(f"service type '{t.name}' exports as {t.sam_type} but lists no importer mapping for it "
                            "(imported_from)")
    return problems


if registry_problems():   # at import: a new entry missing a fact fails here, naming the type
    raise ValueError("; ".join(registry_problems()))
