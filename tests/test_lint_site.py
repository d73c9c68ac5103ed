"""Lint on the site: the catalog's Lint tab and the simulator page show findings with severity in words."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.lint_view import finding_markdown

ROOT = Path(__file__).resolve().parent.parent


def page(path: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_an_anti_pattern_page_shows_its_rule_in_the_lint_tab():
    at = page("pages/catalog.py", pattern="monolithic-lambda")
    assert "Lint" in [t.label for t in at.tabs]
    assert any(h.value == "Lint: 1 warning, 2 info" for h in at.subheader)
    shown = texts(at)
    assert any("This anti-pattern is what rule **W1004** (monolithic-lambda) looks for" in t for t in shown)
    warning = next(t for t in shown if "W1004" in t and "Warning" in t)
    assert warning.startswith(":orange[:material/warning: **Warning · W1004**]")   # icon and word, not colour alone
    assert "Do\\-everything function is triggered by 4 unrelated kinds of service" in warning


def test_a_good_pattern_says_it_has_no_errors_or_warnings():
    at = page("pages/catalog.py", pattern="saga")
    assert any(h.value == "Lint: no findings" for h in at.subheader)
    assert any(t.startswith(":green[:material/check_circle:] No errors or warnings.") for t in texts(at))


def test_the_simulator_page_lints_the_loaded_design():
    at = page("pages/simulate.py", pattern="sync-lambda-chain")
    assert any(e.label == "Lint: 2 warnings" for e in at.expander)
    assert sum("Warning · W1001" in t for t in texts(at)) == 2


def test_user_text_cannot_become_markdown():
    finding = {"id": "W5002", "severity": "warning", "path": "nodes[a]",
               "message": "[click](javascript:alert(1)) is not connected", "fix": {"id": "remove-node", "label": "Remove"}}
    text = finding_markdown(finding)
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\)" in text
    assert ":material/build: Fix available: **Remove**" in text
