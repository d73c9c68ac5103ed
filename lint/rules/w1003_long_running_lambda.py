from lint.rule import Rule
from lint.view import DesignView, node_path, num

LAMBDA_MAX_S = 900.0


class LongRunningLambda(Rule):
    id = "W1003"
    name = "long-running-lambda"
    description = "A function whose work takes longer than 15 minutes or than its own timeout"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for fn in view.of_type("lambda"):
            duration, timeout = float(fn.prop("duration_s")), float(fn.prop("timeout_s"))
            if duration > LAMBDA_MAX_S:
                found.append(self.finding(
                    node_path(fn.id, "duration_s"),
                    f"{fn.title} works about {num(duration)} s per invocation, longer than Lambda's hard limit "
                    f"of {num(LAMBDA_MAX_S)} s: it is stopped every time and can never finish. Split the work "
                    "into steps a workflow runs (a Step Functions Map over chunks) or run it in a container "
                    "task."))
            elif duration > timeout:
                found.append(self.finding(
                    node_path(fn.id, "duration_s"),
                    f"{fn.title} works about {num(duration)} s per invocation but times out after "
                    f"{num(timeout)} s: every invocation fails. Raise its timeout above the work it does, or "
                    "split the work."))
        return found
