from lint.rule import Rule
from lint.view import DesignView, node_path


class UnwatchedDlq(Rule):
    id = "I2004"
    name = "unwatched-dlq"
    description = "A dead-letter queue or failure destination that no alarm watches and nothing redrives"
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html"

    def check(self, design):
        view = DesignView(design)
        return [self.finding(
            node_path(queue.id),
            f"Nobody is told when messages land in {queue.title}: no alarm watches its depth and nothing "
            "consumes or redrives it, so failed work can sit there unnoticed until it expires. Add a CloudWatch "
            "alarm on its depth (or a consumer that redrives it).",
            fix="add-dlq-alarm")
            for queue in view.dead_letter_queues() if not view.out(queue.id, "metric", "event_source")]
