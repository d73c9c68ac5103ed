from design.graph import flow_cycles
from matching import PatternError, compile_pattern

from lint.rule import Rule
from lint.view import DesignView, node_path

ENVELOPE_KEYS = ("source", "detail-type")


class EndlessCycle(Rule):
    id = "W5001"
    name = "endless-cycle"
    description = "A loop along which an event can travel forever"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html"

    def check(self, design):
        """Every cycle of data-carrying edges (`design.graph.flow_cycles`) can loop forever unless a rule on
        the way refuses what comes round: the loop is broken at an event bus when every rule edge from the
        bus to the next node in the loop has a pattern whose `source` or `detail-type` rejects the value
        that the nearest function before the bus in the loop sets in its `emits` (or has no pattern)."""
        view = DesignView(design)
        order = {n.id: i for i, n in enumerate(design.nodes)}
        found = []
        for cycle in flow_cycles(design):
            start = min(range(len(cycle)), key=lambda i: order[cycle[i]])
            cycle = cycle[start:] + cycle[:start]
            if self._broken(view, cycle):
                continue
            found.append(self.finding(
                node_path(cycle[0]),
                f"Events can go round {view.chain(cycle + [cycle[0]])} forever: nothing on the way stops "
                "what comes back (Lambda's loop detection stops only some loops through SQS, SNS and S3, after "
                "about 16 rounds). Break the loop, or have a step publish a different event type that the rule "
                "leading back does not match."))
        return found

    def _broken(self, view: DesignView, cycle: list[str]) -> bool:
        for i, node_id in enumerate(cycle):
            if view.nodes[node_id].type != "event_bus":
                continue
            emits = self._last_emits(view, cycle, i)
            nxt = cycle[(i + 1) % len(cycle)]
            edges = [e for e in view.out(node_id, "rule_target") if e.target == nxt]
            if edges and all(self._refuses(view.rule_pattern(view.rule_of(e)[2]), emits) for e in edges):
                return True
        return False

    @staticmethod
    def _last_emits(view: DesignView, cycle: list[str], bus_index: int) -> dict:
        for step in range(1, len(cycle)):
            node = view.nodes[cycle[(bus_index - step) % len(cycle)]]
            if node.type == "lambda" and isinstance(node.prop("emits"), dict):
                return node.prop("emits")
        return {}

    @staticmethod
    def _refuses(pattern, emits: dict) -> bool:
        if pattern is None:
            return True
        for key in ENVELOPE_KEYS:
            if key in pattern and key in emits:
                try:
                    if not compile_pattern({key: pattern[key]}).matches({key: emits[key]}):
                        return True
                except PatternError:
                    return True   # an invalid pattern matches nothing (E3002)
        return False
