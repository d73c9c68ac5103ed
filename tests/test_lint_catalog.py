"""Catalog policy: good patterns have no E or W findings (I allowed); each anti-pattern has exactly the
rule it illustrates, and that rule fires on the function or edge the pattern is about."""
import pytest

from lint import lint, target_of
from lint.registry import ANTI_PATTERN_RULES, rule_by_id
from patterns.catalog import load_catalog

CATALOG = load_catalog()


def serious(findings):
    return [f for f in findings if f["severity"] in ("error", "warning")]


def test_the_mapping_covers_exactly_the_anti_patterns():
    anti = {pid for pid, p in CATALOG.items() if p.kind == "anti-pattern"}
    assert set(ANTI_PATTERN_RULES) == anti
    assert all(rule_by_id(rule_id).severity == "warning" for rule_id in ANTI_PATTERN_RULES.values())


@pytest.mark.parametrize("pid", [p for p in CATALOG if CATALOG[p].kind == "pattern"])
def test_good_patterns_are_lint_clean(pid):
    assert serious(lint(CATALOG[pid].design)) == []


@pytest.mark.parametrize("pid", sorted(ANTI_PATTERN_RULES))
def test_each_anti_pattern_triggers_exactly_its_rule(pid):
    findings = serious(lint(CATALOG[pid].design))
    assert findings, f"{pid} shows no problem"
    assert {f["id"] for f in findings} == {ANTI_PATTERN_RULES[pid]}


def test_anti_pattern_findings_point_at_the_culprits():
    where = {pid: sorted(target_of(f) for f in serious(lint(CATALOG[pid].design))) for pid in ANTI_PATTERN_RULES}
    assert where == {
        "sync-lambda-chain": [("edge", "checkout->pricing"), ("edge", "pricing->tax")],
        "lambda-chaining-instead-of-workflow": [("edge", "place_order->charge_card")],
        "long-running-lambda": [("node", "build_report")],
        "monolithic-lambda": [("node", "do_everything")],
    }


def test_info_findings_on_good_patterns_are_only_unwatched_dlqs():
    infos = {f["id"] for p in CATALOG.values() for f in lint(p.design) if f["severity"] == "info"}
    assert infos == {"I2004"}
    # the pattern that is about DLQs watches its own
    assert lint(CATALOG["dead-letter-queue-redrive"].design) == []
