from lint.rule import Rule
from lint.view import DesignView, edge_path


class FifoTargetUnsupported(Rule):
    id = "E3010"
    name = "fifo-target-unsupported"
    description = "S3 notifying a FIFO queue, or a schedule sending to a FIFO queue without content-based dedup"
    source = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for edge in design.edges:
            source, target = view.nodes[edge.source], view.nodes[edge.target]
            if target.type != "sqs_queue" or not target.prop("fifo"):
                continue
            if view.kind(edge) == "notification":
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} sends event notifications to {target.title}, a FIFO queue; S3 can only "
                    "notify standard queues, so the notification configuration is refused. Use a standard "
                    "queue, or send the events through EventBridge."))
            elif view.kind(edge) == "schedule_target" and not target.prop("content_based_dedup"):
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} sends to {target.title}, a FIFO queue without content-based deduplication; "
                    "Scheduler needs it on a FIFO target, so the schedule is refused. Turn on "
                    "content_based_dedup."))
        return found
