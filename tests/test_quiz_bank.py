"""The question banks: every item validates, answers agree with their explanations, coverage holds,
predicted answers equal what the simulator computes, and `python -m quizzes` behaves as documented."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from design.loader import from_data
from patterns.catalog import load_catalog
from quizzes.bank import BANK_DIR, check_dir, load_items
from quizzes.predict import evaluate
from quizzes.schema import CLASSIFY_LABELS, ITEM_TYPES
from simulator.run import simulate

ROOT = Path(__file__).resolve().parent.parent
ITEMS = load_items()


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "quizzes", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_check_passes_and_list_json_prints_every_item():
    done = cli("check")
    assert done.returncode == 0, done.stderr
    listed = json.loads(cli("list", "--json").stdout)
    assert [i["id"] for i in listed] == list(ITEMS)
    for row in listed:
        assert {"id", "topics", "type", "stem", "options", "answer", "sources"} <= set(row)


def test_list_json_is_deterministic():
    assert cli("list", "--json").stdout == cli("list", "--json").stdout


def test_coverage_counted_independently():
    assert len(ITEMS) >= 120
    assert sum("choreography-vs-orchestration" in i.topics for i in ITEMS.values()) >= 40
    for pid in load_catalog():
        assert sum(pid in i.topics for i in ITEMS.values()) >= 3, pid
    assert {i.type for i in ITEMS.values()} == set(ITEM_TYPES)


@pytest.mark.parametrize("item_id", list(ITEMS))
def test_answer_consistent_with_explanations(item_id):
    item = ITEMS[item_id]
    assert item.stem and item.sources and all(u.startswith("https://") for u in item.sources)
    for o in item.options + item.reasons:
        assert o.text.strip() and len(o.explanation.strip()) >= 10, (item_id, o.id)
    ids = [o.id for o in item.options]
    assert len(set(ids)) == len(ids)
    if item.kind == "order":
        assert sorted(item.answer) == sorted(ids) and len(ids) >= 3
        return
    # the options marked correct are exactly the answer, and right ones explain why they are right
    assert {o.id for o in item.options if o.correct} == set(item.answer)
    for o in item.options:
        if o.correct:
            assert o.explanation.lower().startswith("right"), (item_id, o.id)
        else:
            assert not o.explanation.lower().startswith("right"), (item_id, o.id)
    if item.kind == "one":
        assert len(item.answer) == 1
    if item.kind == "many":
        assert 1 <= len(item.answer) < len(ids)
    if item.kind == "classify":
        assert set(ids) == set(CLASSIFY_LABELS)
        assert {r.id for r in item.reasons if r.correct} == {item.answer_reason}


# Answers worked out by hand from the documented semantics, not by the simulator: if the simulator and
# the bank ever agree on something else, these fail. item id -> (answer, the reasoning).
HAND_REASONED = {
    "run-dup-not-idempotent": (20, "10 sends, each copied once into a standard queue: 20 deliveries, 20 charges"),
    "run-dup-idempotent": (0, "an idempotent consumer recognises each copy's event id: no charge is repeated"),
    "run-dlq-attempts": (15, "maxReceiveCount 3 counts every receive: 5 messages x 3 receives, then the DLQ"),
    "run-async-lost": (5, "1 attempt + 2 retries (about 1 and 2 minutes) per event, no destination: all 5 lost"),
    "run-async-age": (2, "attempts at 0 s and ~60 s; the next (~180 s) would be past the 90 s maximum age"),
    "run-sync-no-retry": (5, "Lambda never retries a synchronous invocation: 5 calls, 5 runs"),
    "run-sns-filter": (4, "totals 120, 900, 40, 500 twice over: 900, 500, 900, 500 are >= 500"),
    "run-batch-without-partial": (3, "messages 0-2 succeed before 3 throws; the whole batch comes back once "
                                     "(maxReceiveCount 2), so 0-2 are done again: 3 repeats"),
    "run-fifo-dedup": (6, "a FIFO queue drops a copy sent within its 5-minute deduplication window: 6 commands"),
    "run-sfn-retry": (16, "4 executions x (1 attempt + MaxAttempts 3 retries)"),
    "run-crash-after-effect": (8, "4 messages x 3 receives, each doing the side effect: 2 repeats each"),
    "run-sync-api-outage": (60, "one request a second; those reaching the function in [40 s, 100 s) fail: 60"),
    "run-storage-first-outage": (0, "the API only stores the request; the processor's outage is invisible to "
                                    "the shop"),
    "run-long-running-attempts": (9, "S3 invokes asynchronously; 25 min of work > the 15 min timeout, so 3 "
                                     "uploads x (1 + 2 retries) all time out within the hour"),
    "run-dlq-redrive-default": (10, "one order in six (10 of 60) always fails; a transient error three times "
                                    "in a row (0.05^3) is too rare to count"),
    "run-idempotent-balances": (60, "an idempotent consumer writes each of the 60 updates once, copies skipped"),
}


def test_hand_reasoned_answers_cover_at_least_ten_predict_items():
    assert len(HAND_REASONED) >= 10 and set(HAND_REASONED) <= {i for i, it in ITEMS.items() if it.type == "predict"}


@pytest.mark.parametrize("item_id", [i for i, it in ITEMS.items() if it.type == "predict"])
def test_predicted_answer_is_what_the_simulator_computes(item_id):
    item = ITEMS[item_id]
    raw = next(r for p in BANK_DIR.glob("*.yaml") for r in yaml.safe_load(p.read_text())["items"]
               if r["id"] == item_id)
    catalog = load_catalog()
    design = catalog[raw["design_ref"]].design if "design_ref" in raw else from_data(raw["design"])
    scenario = raw.get("scenario", design.scenario)
    run = simulate(design, scenario, seed=raw["seed"]).to_json()
    expected = evaluate(raw["answer_metric"], run)
    correct = [o for o in item.options if o.correct]
    assert len(correct) == 1 and correct[0].text.split()[0].replace(",", "") == (
        str(int(expected)) if float(expected).is_integer() else f"{expected:.2f}")
    if item_id in HAND_REASONED:
        answer, why = HAND_REASONED[item_id]
        assert expected == answer, f"worked out by hand: {why}"
        assert float(correct[0].text.split()[0].replace(",", "")) == answer
    values = [o.text.split()[0] for o in item.options]
    assert len(set(values)) == len(values), "options must be different numbers"


def _bank(tmp_path, items, name="mine"):
    folder = tmp_path / "banks"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump({"bank": name, "title": "t", "items": items}))
    return folder


GOOD = {"id": "q1", "type": "single", "topics": ["saga"], "difficulty": "beginner", "stem": "?",
        "options": [{"id": "a", "text": "A", "correct": True, "explanation": "Right, because."},
                    {"id": "b", "text": "B", "explanation": "No, because."}],
        "answer": ["a"], "sources": ["https://example.com/x"]}


@pytest.mark.parametrize("change, expected", [
    ({"answer": ["c"]}, "answer: unknown option ids ['c']"),
    ({"answer": ["b"]}, "disagrees with the options marked correct"),
    ({"topics": ["no-such-topic"]}, "unknown topic 'no-such-topic'"),
    ({"colour": "blue"}, "Additional properties are not allowed"),
    ({"sources": ["http://insecure.example"]}, "sources.0"),
    ({"options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "explanation": "x"}]},
     "'explanation' is a required property"),
    ({"type": "predict", "answer_metric": "nodes.fn.processed", "seed": 1, "explanation": "e",
      "distractors": [{"metric": "nodes.fn.processed", "explanation": "same"}, {"metric": "0", "explanation": "z"}],
      "design": {"nodes": [{"id": "c", "type": "client"}, {"id": "fn", "type": "lambda"}],
                 "edges": [{"source": "c", "target": "fn"}]},
      "scenario": {"workload": [{"source": "c", "count": 2}]}}, "the same as the answer"),
])
def test_check_reports_each_problem_on_one_line(tmp_path, change, expected):
    item = {**GOOD, **change}
    if item["type"] == "predict":
        item.pop("options"), item.pop("answer")
    problems = check_dir(_bank(tmp_path, [item]))
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_cli_check_fails_with_one_line_per_problem_and_no_traceback(tmp_path):
    folder = _bank(tmp_path, [{**GOOD, "answer": ["b"]}, {**GOOD, "id": "q2", "topics": ["nope"]}])
    done = cli("check", "--banks", str(folder))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert any("items[q1]" in line and "disagrees" in line for line in lines)
    assert any("items[q2]" in line and "unknown topic" in line for line in lines)
    assert "Traceback" not in done.stderr


def test_spot_items_render_their_design_as_dot():
    from exporters.dot import to_dot
    spots = [i for i in ITEMS.values() if i.type == "spot_antipattern"]
    assert len(spots) >= 5
    for item in spots:
        dot = to_dot(item.design)
        assert all(f'{n.id} [' in dot or f'"{n.id}" [' in dot for n in item.design.nodes), item.id


def test_cli_imports_no_streamlit():
    code = ("import sys, io, contextlib\nfrom quizzes.__main__ import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['list', '--json']) == 0\n"
            "assert main(['check']) == 0\nbad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'store')]\n"
            "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
