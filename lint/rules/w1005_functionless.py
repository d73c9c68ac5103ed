from design.connections import allowed_kinds
from lint.rule import Rule
from lint.view import DesignView, node_path

# Pushes whose source service can deliver to the next service itself, and how it is called there.
_PUSHES = {"sync": "api_gateway", "rule_target": "event_bus", "subscription": "sns_topic",
           "notification": "s3_bucket"}
_DIRECT = ("integration", "rule_target", "subscription", "notification")
_SENDER = {"api_gateway": ("API Gateway", "a service integration"),
           "event_bus": ("An EventBridge rule", "a rule target"),
           "sns_topic": ("SNS", "a subscription"), "s3_bucket": ("S3", "an event notification")}
# Only hand-offs to messaging services count: a write to a table or bucket is usually the function's
# own logic (validation, business rules), which the design cannot show.
_FORWARD_TO = {"sqs_queue": "an SQS queue", "sns_topic": "an SNS topic", "event_bus": "an event bus",
               "kinesis_stream": "a Kinesis stream", "firehose": "a Firehose stream", "state_machine": "a state machine"}


class Functionless(Rule):
    id = "W1005"
    name = "functionless-integration"
    description = "A function that only moves events between two services that could be connected directly"
    source = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html"

    def check(self, design):
        """A function with no `emits`, one trigger (a push from API Gateway, an EventBridge rule, SNS or S3)
        and one data edge out (a publish to a messaging service), where the trigger's service connects
        to that messaging service directly. Pollers (queues, streams) are left alone: a function there is
        usually a transforming stage, and a pipe would need one as its enrichment anyway."""
        view = DesignView(design)
        found = []
        for fn in view.of_type("lambda"):
            ins, outs = view.triggers(fn.id), view.flows_out(fn.id)
            if fn.prop("emits") or len(ins) != 1 or len(outs) != 1 or view.kind(outs[0]) != "publish":
                continue
            source, target = view.nodes[ins[0].source], view.nodes[outs[0].target]
            if _PUSHES.get(view.kind(ins[0])) != source.type or target.type not in _FORWARD_TO:
                continue
            if any(k in _DIRECT for k in allowed_kinds(source.type, target.type)):
                sender, how = _SENDER[source.type]
                found.append(self.finding(
                    node_path(fn.id),
                    f"{fn.title} only passes events from {source.title} to {target.title}: {sender} can send to "
                    f"{_FORWARD_TO[target.type]} directly ({how}), with no function to run, pay for and patch. "
                    "If it transforms the event, say so with `emits`."))
        return found
