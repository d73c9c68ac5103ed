from lint.rule import Rule
from lint.view import DesignView, node_path


class PipeWithoutDlq(Rule):
    id = "W3007"
    name = "pipe-without-dlq"
    description = "An EventBridge Pipe reading a stream without a dead-letter queue"
    source = "https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_UpdatePipeSourceParameters.html"

    def check(self, design):
        """A pipe that reads a queue hands failures back to it, so the queue's own redrive policy is its DLQ
        (W2003 checks that). A pipe that reads a stream needs a DLQ of its own."""
        view = DesignView(design)
        found = []
        for pipe in view.of_type("pipe"):
            sources = [view.nodes[e.source] for e in view.into(pipe.id, "event_source", "stream")]
            if view.out(pipe.id, "dead_letter") or not sources or all(s.type == "sqs_queue" for s in sources):
                continue
            found.append(self.finding(
                node_path(pipe.id),
                f"{pipe.title} reads the stream of {sources[0].title} with no dead-letter queue: a record that "
                "keeps failing blocks its shard until it expires and is then lost. Add a DLQ.",
                fix="add-node-dlq"))
        return found
