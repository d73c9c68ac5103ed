from lint.rule import Rule
from lint.view import DesignView, edge_path


class SyncLambdaChain(Rule):
    id = "W1001"
    name = "sync-lambda-chain"
    description = "A function calls another function synchronously and waits for it"
    source = "https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/anti-patterns"

    def check(self, design):
        view = DesignView(design)
        found = []
        for edge in design.edges:
            source, target = view.nodes[edge.source], view.nodes[edge.target]
            if source.type == target.type == "lambda" and view.kind(edge) == "sync":
                found.append(self.finding(
                    edge_path(edge),
                    f"{source.title} calls {target.title} synchronously and waits for it: both are billed while "
                    f"one waits, their timeouts must nest, and an error or a slow call in {target.title} fails "
                    f"{source.title} too. Let a Step Functions workflow call them in turn, or decouple them "
                    "with a queue."))
        return found
