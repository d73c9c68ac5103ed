"""The designer, classroom and side-by-side pages in Streamlit's AppTest: they render, load what the URL
names, apply the properties panel through the same edit path as the canvas, and refuse bad links clearly."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from designer import links
from patterns.catalog import load_catalog
from ui.style import md_escape

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()


def app_at(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def state(at):
    return at.session_state["sps-designer"]


def test_designer_opens_empty_and_says_how_to_start():
    at = app_at("pages/designer.py")
    assert at.title[0].value == "Designer"
    assert state(at)["design"].nodes == []
    assert any("Add services" in i.value for i in at.info)


def test_designer_opens_a_catalog_pattern_from_the_url_with_positions():
    at = app_at("pages/designer.py", pattern="saga")
    design = state(at)["design"]
    assert [n.id for n in design.nodes] == [n.id for n in CATALOG["saga"].design.nodes]
    assert all(n.position is not None for n in design.nodes), "auto-laid out"
    assert "Opened the catalog pattern" in state(at)["message"]["text"]


def test_properties_panel_edits_go_through_the_loader_and_can_be_undone():
    at = app_at("pages/designer.py", pattern="choreography")
    state(at)["selected"] = {"nodes": ["ship_order"], "edges": []}
    at.run()
    timeout = next(n for n in at.number_input if n.label == "timeout_s")
    assert (timeout.min, timeout.max, timeout.value) == (1.0, 900.0, 10.0)
    timeout.set_value(25.0)
    next(b for b in at.button if b.label == "Apply changes").click()
    at.run()
    assert not at.exception
    assert state(at)["design"].node("ship_order").props["timeout_s"] == 25
    assert state(at)["history"].can_undo
    assert state(at)["message"]["text"].startswith("Updated")


def test_an_invalid_filter_policy_is_refused_with_the_matchers_reason():
    at = app_at("pages/designer.py", pattern="fan-out-sns")
    edge = next(e for e in state(at)["design"].edges if e.props.get("filter_policy"))
    state(at)["selected"] = {"nodes": [], "edges": [edge.key]}
    at.run()
    area = next(t for t in at.text_area if t.label.startswith("filter_policy"))
    area.set_value('{"total": [{"numerik": [">", 1]}]}')
    next(b for b in at.button if b.label == "Apply changes").click()
    at.run()
    message = state(at)["message"]
    assert message["tone"] == "error" and "filter_policy" in message["text"] and "numerik" in message["text"]
    assert state(at)["design"].to_dict()["edges"] == CATALOG["fan-out-sns"].design.to_dict()["edges"], "unchanged"
    area = next(t for t in at.text_area if t.label.startswith("filter_policy"))
    area.set_value("{not json")
    next(b for b in at.button if b.label == "Apply changes").click()
    at.run()
    assert "invalid JSON" in state(at)["message"]["text"]


def test_run_and_play_runs_the_scenario_and_keeps_the_playback_payload():
    at = app_at("pages/designer.py", pattern="dead-letter-queue-redrive")
    next(b for b in at.button if b.label == "Run and play").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    run = state(at)["run"]
    assert run and run["payload"]["hops"] and run["payload"]["narration"]
    assert run["run"].conservation["ok"]
    assert any("nothing vanished" in c.value for c in at.caption)


def test_a_shared_link_opens_in_the_designer_and_a_bad_one_says_why():
    code = links.encode(CATALOG["choreography"].design, {"until_s": 100}, 5)
    at = app_at("pages/designer.py", run=code)
    assert len(state(at)["design"].nodes) == len(CATALOG["choreography"].design.nodes)
    assert state(at)["scenario"]["seed"] == 5
    at = app_at("pages/designer.py", run="1garbage")
    assert state(at)["message"]["tone"] == "error"
    assert "cannot be opened" in state(at)["message"]["text"]


def test_classroom_runs_the_shared_link_and_refuses_a_tampered_one():
    code = links.encode(CATALOG["fan-out-sns"].design, {"until_s": 200}, 3)
    at = app_at("pages/classroom.py", run=code)
    # the presenter view (the default) spends no row on the page title: the design's name heads the page
    assert [t.value for t in at.title] == [md_escape(CATALOG["fan-out-sns"].design.name)]   # escaped: user text
    assert any(m.value.startswith("Classroom · seed 3") for m in at.markdown)
    at.toggle(key="presenter").set_value(False).run()
    assert at.title[0].value == "Classroom"
    assert any("seed 3" in m.value for m in at.markdown)
    at = app_at("pages/classroom.py", run=code[:-10])
    assert any("cannot be opened" in e.value for e in at.error)
    at = app_at("pages/classroom.py")
    next(b for b in at.button if b.label == "Make the classroom link").click()
    at.run()
    assert any("/classroom?run=1" in c.value for c in at.code)


def test_side_by_side_compares_choreography_and_orchestration():
    at = app_at("pages/compare_designs.py")
    table = at.table[0].value
    assert "direct dependencies (total)" in list(table.iloc[:, 0])
    assert "places holding state" in list(table.iloc[:, 0])
    # who knows whom and where state lives, per side: tables (they wrap every name; a grid cut them off)
    assert len(at.table) == 5 and not at.dataframe
    who = at.table[1].value.set_index("service")
    assert who.loc["Shop event bus", "knows"] == "3" and who.loc["Shop event bus", "who"].count(",") == 2
