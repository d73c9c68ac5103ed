from lint.rule import Rule
from lint.view import DesignView, edge_path


class RuleTargetWithoutDlq(Rule):
    id = "W3004"
    name = "rule-target-without-dlq"
    description = "An EventBridge rule target without a dead-letter queue"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for bus, name, edges in view.rules:
            for edge in edges:
                if not edge.props.get("dead_letter"):
                    found.append(self.finding(
                        edge_path(edge),
                        f"Rule {name!r} on {bus.title} delivers to {view.label(edge.target)} with no dead-letter "
                        "queue: an event it still cannot deliver after its retries (24 hours by default) is "
                        "dropped. Give the target a DLQ.",
                        fix="add-rule-target-dlq"))
        return found
