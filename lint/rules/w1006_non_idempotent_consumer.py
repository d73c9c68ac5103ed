from lint.rule import Rule
from lint.view import ASYNC_INVOKE_KINDS, DesignView, node_path


class NonIdempotentConsumer(Rule):
    id = "W1006"
    name = "non-idempotent-consumer"
    description = "A function that is not idempotent behind an at-least-once source"
    source = "https://docs.aws.amazon.com/wellarchitected/latest/framework/rel04-bp04.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for fn in view.of_type("lambda"):
            if fn.prop("idempotent"):
                continue
            why = next((w for e in view.triggers(fn.id) if (w := self._at_least_once(view, e))), None)
            if why:
                found.append(self.finding(
                    node_path(fn.id, "idempotent"),
                    f"{fn.title} is not idempotent, yet {why}, and that delivery is at least once: a "
                    "duplicate repeats its side effect. Make it idempotent (remember each event id it has "
                    "handled, e.g. with Powertools idempotency or a conditional write).",
                    fix="mark-idempotent"))
        return found

    @staticmethod
    def _at_least_once(view: DesignView, edge) -> str | None:
        source, kind = view.nodes[edge.source], view.kind(edge)
        if kind == "event_source" and source.type == "sqs_queue" and not source.prop("fifo"):
            return f"it reads the standard queue {source.title}"
        if kind in ("event_source", "stream"):
            if source.type in ("kinesis_stream", "dynamodb_table"):
                return f"it reads the stream of {source.title} (a failed batch is retried)"
            return None
        if kind == "pipe_target":
            return f"it is the target of the pipe {source.title}"
        if kind in ASYNC_INVOKE_KINDS:
            return f"{source.title} invokes it asynchronously"
        return None
