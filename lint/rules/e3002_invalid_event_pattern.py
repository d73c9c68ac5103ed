from matching import PatternError, compile_filter_policy, compile_pattern

from lint.rule import Rule
from lint.view import DesignView, edge_path, node_path

SHOWN = 3


def pattern_problems(pattern, policy_scope: str | None = None) -> list[str]:
    try:
        if policy_scope is None:
            compile_pattern(pattern)
        else:
            compile_filter_policy(pattern, policy_scope)
    except PatternError as exc:
        return list(exc.problems)
    return []


def _listed(problems: list[str]) -> str:
    extra = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    return "; ".join(problems[:SHOWN]) + extra


class InvalidEventPattern(Rule):
    id = "E3002"
    name = "invalid-event-pattern"
    description = "An event pattern or filter that AWS rejects, or an EventBridge rule with no pattern"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for bus, name, edges in view.rules:
            patterns = [(e, e.props["pattern"]) for e in edges if e.props.get("pattern") is not None]
            if not patterns:
                found.append(self.finding(
                    edge_path(edges[0], "pattern"),
                    f"Rule {name!r} on {bus.title} has no event pattern: EventBridge needs one to create the "
                    "rule (and without one it matches nothing). Give it a pattern naming the events its "
                    "targets handle."))
            reported: list = []
            for edge, pattern in patterns:
                if pattern in reported:
                    continue   # the rule's targets share the pattern: report it once
                reported.append(pattern)
                if problems := pattern_problems(pattern):
                    found.append(self.finding(
                        edge_path(edge, "pattern"),
                        f"The event pattern of rule {name!r} on {bus.title} is not valid, so EventBridge refuses "
                        f"it (and nothing would ever match): {_listed(problems)}."))
        for node, prop in [(n, "filter") for n in view.of_type("pipe")] + \
                          [(n, "archive_pattern") for n in view.of_type("event_bus")]:
            if node.prop(prop) is not None and (problems := pattern_problems(node.prop(prop))):
                what = "filter" if prop == "filter" else "archive pattern"
                found.append(self.finding(
                    node_path(node.id, prop),
                    f"The {what} of {node.title} is not a valid event pattern, so AWS refuses it: "
                    f"{_listed(problems)}."))
        for edge in design.edges:
            policy = edge.props.get("filter_policy")
            if view.kind(edge) != "subscription" or policy is None:
                continue
            scope = edge.props.get("filter_policy_scope") or "MessageAttributes"
            if problems := pattern_problems(policy, scope):
                found.append(self.finding(
                    edge_path(edge, "filter_policy"),
                    f"The filter policy of the subscription of {view.label(edge.target)} to {view.label(edge.source)} "
                    f"is not valid, so SNS refuses it: {_listed(problems)}."))
        return found
