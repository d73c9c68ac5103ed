from lint.rule import Rule
from lint.view import DesignView, edge_path, num

NEAR = 0.8                    # "near the timeout": the expected time reaches 80 % of it
DEFAULT_RATE_PER_S = 10_000   # API Gateway's account default throttle (semantics.md §8)
DEFAULT_TIMEOUT_S = 29


class SyncApiFragileDependency(Rule):
    id = "W1008"
    name = "sync-api-fragile-dependency"
    description = "A synchronous API whose function waits on a slow or unreliable dependency (no storage-first)"
    source = "https://aws.amazon.com/blogs/compute/building-storage-first-applications-with-http-apis-service-integrations/"

    def check(self, design):
        """For each API Gateway or AppSync call to a function:
        - slow: the expected time of the synchronous call tree (the function's `duration_s` plus that of
          everything it calls synchronously, in turn) reaches 80 % of the API's time limit;
        - unreliable: the function calls an external system synchronously, without a circuit breaker on
          the function, behind an API that is not guarded as a legacy proxy (throttled below the account
          default and with an integration timeout below 29 s).
        A function calling another function synchronously is W1001's finding and is not repeated here."""
        view = DesignView(design)
        found = []
        for edge in design.edges:
            api, fn = view.nodes[edge.source], view.nodes[edge.target]
            if api.type not in ("api_gateway", "appsync_api") or fn.type != "lambda" or view.kind(edge) != "sync":
                continue
            limit = float(api.prop("integration_timeout_s" if api.type == "api_gateway" else "resolver_timeout_s"))
            reasons = []
            expected = self._expected(view, fn.id, {}, set())
            if expected >= NEAR * limit:
                reasons.append(f"works about {num(round(expected, 2))} s in all (near the {num(limit)} s the "
                               "API waits)")
            externals = [view.label(e.target) for e in view.out(fn.id, "sync")
                         if view.nodes[e.target].type == "external"]
            if externals and not fn.prop("circuit_breaker") and not self._guarded(api):
                reasons.append(f"waits on {externals[0]}, an external system, without a circuit breaker")
            if reasons:
                found.append(self.finding(
                    edge_path(edge),
                    f"{api.title} answers callers only when {fn.title} finishes, and {fn.title} "
                    f"{' and '.join(reasons)}: callers get timeouts and errors while the work may still happen. Store the request first "
                    "(an SQS, EventBridge or DynamoDB integration) and answer 202, or fail fast with a circuit "
                    "breaker."))
        return found

    def _expected(self, view: DesignView, node_id: str, memo: dict, active: set) -> float:
        """Own duration plus the expected time of each synchronous callee, called one after another
        (a call back into a node already waiting counts nothing more)."""
        if node_id in memo:
            return memo[node_id]
        if node_id in active:
            return 0.0
        active.add(node_id)
        node = view.nodes[node_id]
        calls = [e.target for e in view.out(node_id, "sync") if view.nodes[e.target].type in ("lambda", "external")]
        total = float(node.prop("duration_s") or 0) + sum(self._expected(view, c, memo, active) for c in calls)
        active.discard(node_id)
        memo[node_id] = total
        return total

    @staticmethod
    def _guarded(api) -> bool:
        return api.type == "api_gateway" and float(api.prop("throttle_rate_per_s")) < DEFAULT_RATE_PER_S \
            and float(api.prop("integration_timeout_s")) < DEFAULT_TIMEOUT_S
