from states_language import validate_definition

from lint.rule import Rule
from lint.view import DesignView, node_path

SHOWN = 3


class InvalidAsl(Rule):
    id = "E4001"
    name = "invalid-asl"
    description = "A state machine whose definition is missing or is not valid Amazon States Language"
    source = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for node in view.of_type("state_machine"):
            definition = node.prop("definition")
            if definition is None:
                found.append(self.finding(
                    node_path(node.id, "definition"),
                    f"{node.title} has no definition: Step Functions cannot create a state machine without "
                    "one. Write its states in Amazon States Language."))
                continue
            problems = validate_definition(definition)
            if problems:
                extra = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
                found.append(self.finding(
                    node_path(node.id, "definition"),
                    f"The definition of {node.title} is not valid Amazon States Language, so Step Functions "
                    f"refuses it: {'; '.join(problems[:SHOWN])}{extra}."))
        return found
