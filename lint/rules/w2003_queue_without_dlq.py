from lint.rule import Rule
from lint.view import DesignView, node_path


class QueueWithoutDlq(Rule):
    id = "W2003"
    name = "queue-without-dlq"
    description = "A consumed queue without a redrive policy (dead-letter queue and max_receive_count)"
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for queue in view.of_type("sqs_queue"):
            if not view.out(queue.id, "event_source"):
                continue
            if not view.out(queue.id, "dead_letter"):
                found.append(self.finding(
                    node_path(queue.id),
                    f"{queue.title} has no dead-letter queue: a message its consumer can never process (a "
                    "poison message) comes back again and again until it expires, costing an attempt every "
                    "visibility timeout and hiding the failure. Add a DLQ and a max_receive_count.",
                    fix="add-queue-dlq"))
            elif queue.prop("max_receive_count") is None:
                found.append(self.finding(
                    node_path(queue.id, "max_receive_count"),
                    f"{queue.title} has a dead-letter queue but no max_receive_count, so nothing is ever moved "
                    "there: a poison message is retried until it expires. Set max_receive_count (AWS advises "
                    "at least 5 with Lambda).",
                    fix="set-max-receive-count"))
        return found
