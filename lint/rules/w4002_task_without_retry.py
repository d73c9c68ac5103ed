from lint.asl_walk import iter_states, state_path, task_call, valid_machines
from lint.rule import Rule
from lint.view import DesignView

_WHAT = {"lambda": "a Lambda function", "external": "an external system", "http": "an HTTP endpoint"}


class TaskWithoutRetry(Rule):
    id = "W4002"
    name = "task-without-retry"
    description = "A Step Functions task calling a function or an external system with neither Retry nor Catch"
    source = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for machine, definition in valid_machines(view):
            for path, name, state in iter_states(definition):
                target, kind = task_call(state, view)
                if kind not in _WHAT or state.get("Retry") or state.get("Catch"):
                    continue
                called = f"{view.label(target)} ({_WHAT[kind]})" if target else _WHAT[kind]
                found.append(self.finding(
                    state_path(machine.id, path),
                    f"State {name!r} of {machine.title} calls {called} with neither Retry nor Catch: one "
                    "transient error (a throttle, a timeout, a brief outage) fails the step at once, with no second "
                    "try. Retry the transient errors, and Catch what is left.",
                    fix="add-task-retry"))
        return found
