from lint.asl_walk import iter_states, state_path, valid_machines
from lint.rule import Rule
from lint.view import DesignView

_PATTERNS = (".sync", ".waitForTaskToken")


class ExpressIntegrationPattern(Rule):
    id = "E4005"
    name = "express-integration-pattern"
    description = "An Express state machine with a .sync or .waitForTaskToken task (Express supports request-response only)"
    source = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-supported-services.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for machine, definition in valid_machines(view):
            if str(machine.prop("type")).upper() != "EXPRESS":
                continue
            for path, name, state in iter_states(definition):
                resource = state.get("Resource")
                if state.get("Type") != "Task" or not isinstance(resource, str):
                    continue
                pattern = next((p for p in _PATTERNS if p in resource), None)
                if pattern is None:
                    continue
                found.append(self.finding(
                    state_path(machine.id, path),
                    f"State {name!r} of {machine.title} uses {pattern}, but {machine.title} is an Express workflow: "
                    "Express workflows support request-response integrations only, so Step Functions refuses "
                    "the definition. Make it a Standard workflow, or call the service request-response."))
        return found
