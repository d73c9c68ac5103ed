from lint.rule import Rule
from lint.view import DesignView, lambda_consumers, needed_visibility_s, node_path, num


class VisibilityBelowSixTimes(Rule):
    id = "W2002"
    name = "visibility-below-6x-timeout"
    description = "A queue's visibility timeout is shorter than 6 × its consumer function's timeout"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for queue in view.of_type("sqs_queue"):
            consumers = lambda_consumers(view, queue.id)
            visibility = float(queue.prop("visibility_timeout_s"))
            if not consumers or any(float(fn.prop("timeout_s")) > visibility for fn, _ in consumers):
                continue   # no function polls it, or E2001 already reports the queue
            needed = needed_visibility_s(view, queue.id)
            if visibility < needed:
                fn = max((fn for fn, _ in consumers), key=lambda f: float(f.prop("timeout_s")))
                found.append(self.finding(
                    node_path(queue.id, "visibility_timeout_s"),
                    f"{queue.title} hides a message for {num(visibility)} s, less than 6 × the "
                    f"{num(fn.prop('timeout_s'))} s timeout of {fn.title}: a retried or throttled batch can "
                    f"reappear while it is still being worked on and be processed twice. Raise it to "
                    f"{num(needed)} s.",
                    fix="raise-visibility-timeout"))
        return found
