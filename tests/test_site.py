"""Every page renders without an exception (Streamlit AppTest), and the core never imports streamlit."""
import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/home.py", "pages/catalog.py", "pages/compare.py", "pages/simulate.py"]


def app_at(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/home.py":
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(page):
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value


def test_home_says_what_the_site_is():
    at = app_at("pages/home.py")
    assert at.title[0].value == "Serverless Pattern Studio"
    assert any("simulator" in m.value.lower() for m in at.markdown)


def test_catalog_search_filters_and_shows_a_pattern():
    at = app_at("pages/catalog.py", pattern="saga")
    assert at.header[0].value == "Saga with compensations (orchestrated)"
    at.text_input(key="q").input("zzzz-no-such-word").run()
    assert any("Nothing matches" in i.value for i in at.info)


def test_catalog_runs_a_pattern_default_scenario():
    at = app_at("pages/catalog.py", pattern="storage-first")
    at.toggle(key="run-storage-first").set_value(True).run()
    assert not at.exception
    assert any("Nothing vanished" in s.value for s in at.success)


def test_simulator_runs_the_chosen_pattern():
    at = app_at("pages/simulate.py", pattern="fan-out-sns")
    submit = [b for b in at.button if b.label == "Run"]
    assert submit, "the Run button is missing"
    submit[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Nothing vanished" in s.value for s in at.success)


def test_nothing_outside_pages_and_ui_imports_streamlit():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("pages", "ui", "tests", ".venv", "benchmarks") or rel.name == "app.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(rel))
    assert offenders == []


def test_user_text_cannot_become_markdown():
    from ui.style import md_escape
    escaped = md_escape("[click](javascript:alert(1)) **bold** <b>")
    assert escaped == r"\[click\]\(javascript:alert\(1\)\) \*\*bold\*\* \<b\>"
