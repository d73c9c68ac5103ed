"""The data the canvas receives matches frontend/contract.schema.json, the one contract both sides check
(frontend/test/contract.test.mjs checks the shared fixtures with the same schema)."""
import json
from pathlib import Path

import jsonschema
import pytest

from designer import playback, view
from lint import lint
from patterns.catalog import load_catalog
from simulator.run import simulate

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "frontend" / "contract.schema.json").read_text(encoding="utf-8"))
CATALOG = load_catalog()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def problems(data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def test_the_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("pattern_id", sorted(CATALOG))
def test_every_catalog_design_with_its_findings_and_playback_fits_the_contract(pattern_id):
    design = CATALOG[pattern_id].design
    data = {"editable": False, "presenter": False, "height": 500, "design": view.design_view(design, lint(design)),
            "selected": {"nodes": [], "edges": []}, "message": None, "fit": 1, "history": {},
            "playback": playback.build(simulate(design, trace=True), design)}
    assert problems(json.loads(json.dumps(data))) == []


def test_the_palette_and_two_designs_side_by_side_fit_the_contract():
    rows = tuple((pid, p.title, p.kind) for pid, p in CATALOG.items())
    chor, orch = CATALOG["choreography"].design, CATALOG["orchestration"].design
    data = view.side_by_side([("Choreography", chor, playback.build(simulate(chor, trace=True), chor)),
                              ("Orchestration", orch, None)])
    data = dict(data, editable=True, palette=view.palette(rows),
                message={"text": "Connected a → b.", "tone": "success", "seq": 3})
    assert problems(json.loads(json.dumps(data))) == []


def test_the_contract_refuses_what_the_canvas_cannot_draw():
    design = view.design_view(CATALOG["choreography"].design)
    bad_node = dict(design, nodes=[dict(design["nodes"][0], x="12")] + design["nodes"][1:])
    assert any("x" in p for p in problems({"design": bad_node}))
    extra = dict(design, edges=[dict(design["edges"][0], colour="red")] + design["edges"][1:])
    assert problems({"design": extra}), "an edge field the canvas does not know is a contract change"
    assert problems({"playback": None}), "the design is required"


SAMPLE = ROOT / "frontend" / "test" / "fixtures" / "canvas-data.json"


def sample_data() -> dict:
    """The canvas data of the first shared playback case, as the classroom view sends it."""
    from design import from_data
    shared = json.loads((ROOT / "frontend" / "test" / "fixtures" / "playback.json").read_text(encoding="utf-8"))
    case = shared["cases"][0]
    design = from_data(case["design"])
    return {"editable": False, "presenter": True, "height": 560, "design": view.design_view(design, lint(design)),
            "selected": {"nodes": [], "edges": []}, "message": None, "fit": 1, "history": {},
            "playback": playback.build(simulate(design, case["scenario"], trace=True), design)}


def test_the_sample_the_node_test_checks_is_what_python_sends_today():
    """frontend/test/contract.test.mjs validates this file with the same schema; it must be current."""
    data = json.loads(json.dumps(sample_data()))
    assert problems(data) == []
    assert json.loads(SAMPLE.read_text(encoding="utf-8")) == data, (
        "regenerate: python -c 'import json,tests.test_canvas_contract as t; print(json.dumps(t.sample_data()))'")


def test_the_live_pages_canvas_data_fits_the_contract():
    """The student's and the teacher's canvas on the live page carry `live` (ui.live_view.live_data)."""
    from ui.live_view import live_data
    base = json.loads(json.dumps(sample_data()))
    follow = dict(base, presenter=False, follow=True, live=live_data("follow", "K7Q-3MX"))
    teach = dict(base, live=live_data("teach", "K7Q-3MX", {"id": "resume-4", "hop": 12, "t": 3.5, "speed": 2.0}))
    assert problems(json.loads(json.dumps(follow))) == []
    assert problems(json.loads(json.dumps(teach))) == []
    assert follow["live"]["url"] == "/_sps/live/K7Q-3MX" and teach["live"]["role"] == "teach"
    assert problems(dict(base, live=dict(teach["live"], role="drive"))), "an unknown role is a contract change"
    assert problems(dict(base, live=dict(teach["live"], url="https://elsewhere.example/x"))), \
        "the route is this site's own path, never another origin"
