from lint.rule import Rule
from lint.view import DesignView, edge_path

_KIND = {True: "a FIFO queue", False: "a standard queue"}


class InvalidDlq(Rule):
    id = "E2005"
    name = "invalid-dlq"
    description = "A queue that is its own dead-letter queue, or whose DLQ is not of the same type (FIFO or standard)"
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for edge in design.edges:
            source, target = view.nodes[edge.source], view.nodes[edge.target]
            if view.kind(edge) != "dead_letter" or source.type != "sqs_queue" or target.type != "sqs_queue":
                continue
            if source.id == target.id:
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} is its own dead-letter queue: SQS refuses the redrive policy, and a failing "
                    "message would never leave. Give it a separate DLQ."))
            elif bool(source.prop("fifo")) != bool(target.prop("fifo")):
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} is {_KIND[bool(source.prop('fifo'))]} but its dead-letter queue "
                    f"{target.title} is {_KIND[bool(target.prop('fifo'))]}: SQS refuses the redrive policy. "
                    "Make the dead-letter queue the same type as the queue."))
        return found
