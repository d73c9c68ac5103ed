from lint.rule import Rule
from lint.view import ASYNC_INVOKE_KINDS, DesignView, node_path, num


class AsyncWithoutDestination(Rule):
    id = "W1007"
    name = "async-without-destination"
    description = "An asynchronously invoked function with no on-failure destination or DLQ: failures vanish"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for fn in view.of_type("lambda"):
            callers = [e for e in view.into(fn.id) if view.kind(e) in ASYNC_INVOKE_KINDS]
            if not callers or view.out(fn.id, "on_failure", "dead_letter"):
                continue
            retries = int(fn.prop("max_retry_attempts"))
            after = {0: "its only attempt", 1: "its one retry"}.get(retries, f"its {num(retries)} retries")
            found.append(self.finding(
                node_path(fn.id),
                f"{fn.title} is invoked asynchronously (by {view.label(callers[0].source)}) and has no on-failure "
                f"destination or dead-letter queue: an event that still fails after {after} is dropped, and "
                "nobody can see or replay it. Add an on-failure destination.",
                fix="add-on-failure-destination"))
        return found
