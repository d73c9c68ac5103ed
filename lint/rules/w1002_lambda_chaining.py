from lint.rule import Rule
from lint.view import DesignView, edge_path


class LambdaChaining(Rule):
    id = "W1002"
    name = "lambda-chaining-instead-of-workflow"
    description = "A business process written as a chain of asynchronous function-to-function invocations"
    source = "https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/anti-patterns"
    MIN_HOPS = 2       # one fire-and-forget hand-off is fine; two or more is a process nobody can see
    SEARCH_BUDGET = 10_000

    def check(self, design):
        view = DesignView(design)
        links: dict[str, list] = {}
        for edge in design.edges:
            if view.kind(edge) == "async" and view.nodes[edge.source].type == view.nodes[edge.target].type == "lambda":
                links.setdefault(edge.source, []).append(edge)
        entered = {e.target for edges in links.values() for e in edges}
        found = []
        for head in [n.id for n in design.nodes if n.id in links and n.id not in entered]:
            path = self._longest(head, links)
            if len(path) - 1 >= self.MIN_HOPS:
                first = next(e for e in links[head] if e.target == path[1])
                found.append(self.finding(
                    edge_path(first),
                    f"{view.chain(path)} is a business process written as a chain of asynchronous invocations: "
                    "no one place shows where an event has got to, and when a late step fails nothing undoes "
                    "the earlier ones. Model the steps as a Step Functions workflow (a saga where steps must "
                    "be undone)."))
        return found

    def _longest(self, head: str, links: dict) -> list[str]:
        """The longest simple path from `head` (the first found on ties), within a search budget."""
        best, budget = [head], self.SEARCH_BUDGET
        stack = [[head]]
        while stack and budget:
            path = stack.pop()
            budget -= 1
            if len(path) > len(best):
                best = path
            for edge in reversed(links.get(path[-1], [])):
                if edge.target not in path:
                    stack.append(path + [edge.target])
        return best
