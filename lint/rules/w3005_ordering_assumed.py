from lint.rule import Rule
from lint.view import CARRIERS, DesignView, node_path, quoted, upstream


def _unordered(node) -> str | None:
    """Why events lose their order passing through this node (None when order is kept)."""
    if node.type == "sqs_queue" and not node.prop("fifo"):
        return f"the standard queue {node.title}"
    if node.type == "sns_topic" and not node.prop("fifo"):
        return f"the standard topic {node.title}"
    if node.type == "event_bus":
        return f"the event bus {node.title}"
    if node.type == "s3_bucket":
        return f"the notifications of {node.title}"
    return None


class OrderingAssumed(Rule):
    id = "W3005"
    name = "ordering-assumed"
    description = "A consumer that needs events in order behind a standard queue, SNS, EventBridge or S3"
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html"

    def check(self, design):
        """Walks upstream from each `requires_order` consumer through queues, topics, pipes, streams and APIs
        (stopping at functions, clients and other producers); every unordered hop on the way is named."""
        view = DesignView(design)
        found = []
        for node in design.nodes:
            if not node.props.get("requires_order"):
                continue
            hops: list[str] = []
            for edge in upstream(view, node.id, through=lambda n: _unordered(n) is None and n.type in CARRIERS):
                why = _unordered(view.nodes[edge.source])
                if why and why not in hops:
                    hops.append(why)
            if hops:
                found.append(self.finding(
                    node_path(node.id, "requires_order"),
                    f"{node.title} needs events in order, but they reach it through {quoted(hops)}, which "
                    f"{'does' if len(hops) == 1 else 'do'} not keep order: it will see some events before "
                    "earlier ones. Use a FIFO queue or topic (or a stream keyed by entity), or make the logic "
                    "order-independent (versions, timestamps)."))
        return found
