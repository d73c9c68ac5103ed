from lint.rule import Rule
from lint.view import DesignView, node_path


class ScheduleWithoutDlq(Rule):
    id = "W3006"
    name = "schedule-without-dlq"
    description = "An EventBridge Scheduler schedule without a dead-letter queue"
    source = "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html"

    def check(self, design):
        view = DesignView(design)
        return [self.finding(
            node_path(node.id),
            f"{node.title} has no dead-letter queue: a run it cannot deliver after its retries is dropped, "
            "and the work silently does not happen. Add a DLQ.",
            fix="add-node-dlq")
            for node in view.of_type("schedule") if not view.out(node.id, "dead_letter")]
