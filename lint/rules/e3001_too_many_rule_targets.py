from lint.rule import Rule
from lint.view import DesignView, edge_path

MAX_TARGETS = 5


class TooManyRuleTargets(Rule):
    id = "E3001"
    name = "too-many-rule-targets"
    description = "An EventBridge rule with more than 5 targets"
    source = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html"

    def check(self, design):
        view = DesignView(design)
        return [self.finding(
            edge_path(edges[0], "rule"),
            f"Rule {name!r} on {bus.title} has {len(edges)} targets; EventBridge accepts at most {MAX_TARGETS} "
            f"per rule, so the deployment fails. Split it into {-(-len(edges) // MAX_TARGETS)} rules with the "
            "same pattern.",
            fix="split-rule")
            for bus, name, edges in view.rules if len(edges) > MAX_TARGETS]
