from lint.rule import Rule
from lint.view import DesignView, edge_path

# A FIFO topic delivers to SQS queues only; a standard topic cannot deliver to a FIFO queue; S3 cannot notify a
# FIFO topic (fifo-message-delivery; S3 EventNotifications: "SNS (standard topics only)").
_QUEUE_ONLY = ("sqs_queue",)


class FifoTopicSubscriber(Rule):
    id = "E3011"
    name = "fifo-topic-subscriber-unsupported"
    description = "A FIFO topic with a subscriber that is not an SQS queue, a standard topic feeding a FIFO queue, " \
                  "or S3 notifying a FIFO topic"
    source = "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for edge in design.edges:
            source, target = view.nodes[edge.source], view.nodes[edge.target]
            kind = view.kind(edge)
            if kind == "subscription" and source.prop("fifo") and target.type not in _QUEUE_ONLY:
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} is a FIFO topic and {target.title} is not an SQS queue: a FIFO topic delivers "
                    "only to SQS queues, so SNS refuses this subscription. Subscribe a FIFO queue and let "
                    f"{target.title} poll it."))
            elif kind == "subscription" and not source.prop("fifo") and target.type == "sqs_queue" \
                    and target.prop("fifo"):
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} is a standard topic and {target.title} a FIFO queue: only a FIFO topic can "
                    "deliver to a FIFO queue, so SNS refuses this subscription. Make the topic FIFO too."))
            elif kind == "notification" and target.type == "sns_topic" and target.prop("fifo"):
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} notifies {target.title}, a FIFO topic; S3 can notify standard topics only, "
                    "so the notification configuration is refused. Use a standard topic or EventBridge."))
        return found
