"""The rule registry and the golden fixtures: every rule finds exactly what its hand-written golden says."""
import ast
import json
import re
from pathlib import Path

import pytest

from design import load_file
from lint import lint, summary, target_of
from lint.fixes import FIXES
from lint.regenerate_golden import disagreements
from lint.registry import RegistryError, all_rules
from lint.rule import ID_RE, SEVERITIES, Rule

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "lint_fixtures").glob("*.yaml"))
RULE_FILES = sorted(p for p in (ROOT / "lint" / "rules").glob("*.py") if p.name != "__init__.py")


def golden(fixture: Path) -> list[dict]:
    return json.loads(fixture.with_name(fixture.name[:-5] + ".expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_fixture_findings_match_the_hand_written_golden(fixture):
    """Ids, severities, paths and fixes exactly; each message names the facts the golden lists."""
    assert disagreements(golden(fixture), lint(load_file(fixture))) == []


def test_a_golden_fails_when_a_message_drops_a_fact_or_a_path_moves():
    fixture = next(f for f in FIXTURES if golden(f))
    findings = lint(load_file(fixture))
    first = golden(fixture)[0]
    name = first["message_names"][0]
    reworded = [dict(findings[0], message=findings[0]["message"].replace(name, "it"))] + findings[1:]
    assert disagreements(golden(fixture), reworded), "a message that no longer names a fact must fail"
    moved = [dict(findings[0], path=findings[0]["path"] + ".x")] + findings[1:]
    assert disagreements(golden(fixture), moved), "a finding at another path must fail"
    assert disagreements(golden(fixture), findings[1:] + [findings[0]]) or len(findings) == 1


def test_every_fixture_has_a_golden_and_every_golden_a_fixture():
    goldens = {p.name[: -len(".expected.json")] for p in FIXTURES[0].parent.glob("*.expected.json")}
    assert goldens == {p.name[:-5] for p in FIXTURES}


def test_every_rule_has_a_bad_fixture_and_there_are_good_ones():
    found = {f["id"] for fixture in FIXTURES for f in golden(fixture)}
    assert {r.id for r in all_rules()} <= found
    assert [f.name for f in FIXTURES if not golden(f)] == ["good_saga.yaml", "good_watched_queue.yaml"]


def test_rule_ids_are_unique_well_formed_and_one_per_file():
    rules = all_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids)) == len(RULE_FILES)
    assert all(ID_RE.match(i) for i in ids)
    for path in RULE_FILES:
        classes = [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)]
        assert len(classes) == 1, path.name
        rule = next(r for r in rules if type(r).__name__ == classes[0].name)
        assert path.name.startswith(rule.id.lower() + "_"), (path.name, rule.id)


def test_rules_are_ordered_errors_then_warnings_then_info():
    letters = [r.id[0] for r in all_rules()]
    assert letters == sorted(letters, key="EWI".index)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_metadata(rule):
    assert rule.severity == SEVERITIES[rule.id[0]]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.description and not rule.description.endswith(".")
    assert rule.source.startswith("https://")


def test_rule_names_are_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_fix_labels_in_findings_come_from_the_one_fix_list():
    for fixture in FIXTURES:
        for finding in golden(fixture):
            if "fix" in finding:
                fix = finding["fix"]
                assert set(fix) == {"id", "label"} and fix["id"] in FIXES, (fixture.name, fix)
                assert fix["label"] == FIXES[fix["id"]].label, (fixture.name, fix)


def test_the_registry_refuses_clashing_or_malformed_ids_and_modules_with_two_rules():
    import types

    from lint.registry import checked, rule_in

    class One(Rule):
        id = "W9001"

    class Twin(Rule):
        id = "W9001"

    class Bad(Rule):
        id = "X12"

    with pytest.raises(RegistryError, match="rule id W9001 is used by both One and Twin"):
        checked([One(), Twin()])
    with pytest.raises(RegistryError, match="id 'X12' is not a letter E, W or I"):
        checked([Bad()])
    module = types.ModuleType("lint.rules.fake")
    for cls in (One, Twin):
        cls.__module__ = module.__name__
        setattr(module, cls.__name__, cls)
    with pytest.raises(RegistryError, match="must define exactly one rule, found 2"):
        rule_in(module)


def test_target_of_and_summary():
    assert target_of({"path": "nodes[q].props.visibility_timeout_s"}) == ("node", "q")
    assert target_of({"path": "edges[a->b].props.rule"}) == ("edge", "a->b")
    assert target_of({"path": "nonsense"}) is None
    findings = [{"severity": "error"}, {"severity": "warning"}, {"severity": "warning"}, {"severity": "info"}]
    assert summary(findings) == "1 error, 2 warnings, 1 info"
    assert summary([]) == "no findings"


def test_messages_name_nodes_by_label_not_id():
    design = load_file(ROOT / "tests" / "lint_fixtures" / "w1006_non_idempotent.yaml")
    for finding in lint(design):
        node_id = target_of(finding)[1]
        assert design.node(node_id).label in finding["message"]
        assert node_id not in finding["message"]
