import json

from matching import PatternError, compile_pattern

from lint.rule import Rule
from lint.view import DesignView, edge_path

# Envelope fields every EventBridge event carries, always as strings.
ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region")
# Events that share nothing but the envelope: a pattern judged to match everything must match them all.
PROBES = (
    {"version": "0", "id": "1", "detail-type": "", "source": "", "account": "0", "time": "t", "region": "r",
     "resources": [], "detail": {}},
    {"version": "0", "id": "2", "detail-type": "X", "source": "aws.s3", "account": "123456789012",
     "time": "2024-01-01T00:00:00Z", "region": "eu-west-1", "resources": ["arn:x"], "detail": {"a": 1}},
)


def _always_true(test) -> bool:
    """A match value that every string satisfies."""
    if not isinstance(test, dict) or len(test) != 1:
        return False
    (op, value), = test.items()
    if op in ("prefix", "suffix"):
        return value == "" or value == {"equals-ignore-case": ""}
    if op == "wildcard":
        return value == "*"
    return op == "exists" and value is True


def matches_everything(pattern) -> bool:
    """True when some alternative of the pattern only tests envelope fields, each with an always-true match
    value (prefix "", wildcard "*", exists true): it matches every event on the bus."""
    if not isinstance(pattern, dict):
        return False
    rest = {k: v for k, v in pattern.items() if k != "$or"}
    if not all(k in ENVELOPE and isinstance(v, list) and any(_always_true(t) for t in v) for k, v in rest.items()):
        return False
    alternatives = pattern.get("$or")
    if alternatives is not None and not (isinstance(alternatives, list) and
                                         any(matches_everything(a) for a in alternatives)):
        return False
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        return False   # E3002's finding
    return all(compiled.matches(probe) for probe in PROBES)


class MatchAllPattern(Rule):
    id = "W3003"
    name = "match-all-pattern"
    description = "An EventBridge rule whose pattern matches every event on the bus"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for bus, name, edges in view.rules:
            pattern = view.rule_pattern(edges)
            if pattern is not None and matches_everything(pattern):
                edge = next(e for e in edges if e.props.get("pattern") is not None)
                found.append(self.finding(
                    edge_path(edge, "pattern"),
                    f"Rule {name!r} on {bus.title} matches every event on the bus "
                    f"({json.dumps(pattern, sort_keys=True)}): its targets receive events they never asked "
                    "for, including ones other teams add later. Name the sources and detail-types they handle."))
        return found
