from lint.rule import Rule
from lint.view import DesignView, node_path, quoted


class MonolithicLambda(Rule):
    id = "W1004"
    name = "monolithic-lambda"
    description = "One function behind many unrelated kinds of trigger"
    source = "https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/monolith"
    MIN_KINDS = 3   # distinct kinds of service triggering one function

    def check(self, design):
        view = DesignView(design)
        found = []
        for fn in view.of_type("lambda"):
            sources: dict[str, str] = {}
            for edge in view.triggers(fn.id):
                sources.setdefault(view.nodes[edge.source].type, edge.source)
            if len(sources) >= self.MIN_KINDS:
                names = [view.label(node_id) for node_id in sources.values()]
                found.append(self.finding(
                    node_path(fn.id),
                    f"{fn.title} is triggered by {len(sources)} unrelated kinds of service ({quoted(names)}): "
                    "they share one timeout, memory size, concurrency limit, role and deployment, so a burst "
                    "on one path throttles the others. Give each trigger a small function of its own."))
        return found
