from lint.rule import Rule
from lint.view import DesignView, lambda_consumers, needed_visibility_s, node_path, num


class TimeoutExceedsVisibility(Rule):
    id = "E2001"
    name = "timeout-exceeds-visibility"
    description = "A function's timeout is longer than the visibility timeout of the queue it polls"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for queue in view.of_type("sqs_queue"):
            visibility = float(queue.prop("visibility_timeout_s"))
            over = [fn for fn, _ in lambda_consumers(view, queue.id) if float(fn.prop("timeout_s")) > visibility]
            if over:
                fn = max(over, key=lambda f: float(f.prop("timeout_s")))
                found.append(self.finding(
                    node_path(queue.id, "visibility_timeout_s"),
                    f"{fn.title} may run for {num(fn.prop('timeout_s'))} s but {queue.title} hides a message for "
                    f"only {num(visibility)} s: Lambda refuses to create this event source mapping. Set the "
                    f"visibility timeout to at least {num(needed_visibility_s(view, queue.id))} s (6 × the "
                    "function timeout).",
                    fix="raise-visibility-timeout"))
        return found
