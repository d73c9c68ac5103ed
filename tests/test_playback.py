"""Playback frames: a run's trace as the canvas plays it. Deterministic, capped, and, for the shared cases of
frontend/test/fixtures/playback.json, exactly the payload the browser's rules (frontend/src/playback.js, run
here with node) turn into the counters, marks, badges and tokens worked out by hand."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from design import from_data
from designer import compare, playback
from designer.playback import K, KINDS
from patterns.catalog import load_catalog
from simulator.run import simulate

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()


def failing_queue():
    design = from_data({"name": "dlq", "nodes": [
        {"id": "shop", "type": "client"}, {"id": "q", "type": "sqs_queue",
                                           "props": {"max_receive_count": 3, "visibility_timeout_s": 30}},
        {"id": "fn", "type": "lambda"}, {"id": "dlq", "type": "sqs_queue"}],
        "edges": [{"source": "shop", "target": "q"}, {"source": "q", "target": "fn"},
                  {"source": "q", "target": "dlq", "kind": "dead_letter"}]})
    scenario = {"seed": 1, "until_s": 300, "workload": [{"source": "shop", "count": 1}],
                "inject": {"duplicate_probability": 0, "nodes": {"fn": {"failure_probability": 1.0}}}}
    return design, simulate(design, scenario, trace=True)


def test_an_always_failing_consumer_plays_as_three_failures_then_a_dlq_move():
    design, run = failing_queue()
    pb = playback.build(run, design)
    kinds = [KINDS[h[4]] for h in pb["hops"]]
    assert kinds.count("fail") == 3 and kinds.count("retry") == 3 and kinds.count("dlq") == 1
    dlq = next(h for h in pb["hops"] if h[4] == K["dlq"])
    assert design.edges[dlq[1]].key == "q->dlq", "the DLQ token rides the dead-letter edge"
    retries = [h for h in pb["hops"] if h[4] == K["move"] and h[3] == 2]
    assert [h[5] for h in retries] == [1, 2, 3], "each receive carries its attempt number"
    assert [h[0] for h in retries] == [0.0, 30.0, 60.0], "visible again after the 30 s visibility timeout"
    final = pb["final"]
    assert final[2]["fail"] == 3 and final[2]["retry"] == 2 and final[1]["dlq"] == 1 and final[3]["in"] == 1
    assert final[3]["parked"] == 1, "a DLQ without a consumer parks what it receives"
    assert kinds[:2] == ["move", "info"] and kinds[-2:] == ["dlq", "info"], "sent + enqueued is one journey, one token"
    assert len(pb["narration"]) == len(pb["hops"])
    assert "attempt 3" in pb["narration"][[i for i, h in enumerate(pb["hops"]) if h in retries][-1]]


def test_same_design_scenario_and_seed_give_the_same_playback():
    design = CATALOG["choreography"].design
    one = playback.build(simulate(design, trace=True), design)
    two = playback.build(simulate(design, trace=True), design)
    assert one == two
    other = playback.build(simulate(design, dict(design.scenario, seed=99), trace=True), design)
    assert other["hops"] != one["hops"]


def test_what_is_sent_to_the_browser_is_capped_and_says_so():
    design = CATALOG["fan-out-sns"].design
    run = simulate(design, trace=True)
    pb = playback.build(run, design, limit=50)
    assert len(pb["hops"]) == 50 == len(pb["narration"]) and pb["total"] == len(run.trace)
    assert "first 50 of" in pb["note"] and "whole run" in pb["note"]
    assert len(json.dumps(playback.build(run, design, limit=10**9))) < 6_000_000, "capped at MAX_LIMIT hops"


def test_every_catalog_pattern_plays_with_every_hop_placed():
    for pid, pattern in CATALOG.items():
        design = pattern.design
        pb = playback.build(simulate(design, trace=True), design)
        n = len(design.nodes)
        assert pb["hops"] == sorted(pb["hops"], key=lambda h: h[0]), pid
        for hop in pb["hops"]:
            _t, edge, src, dst, kind, *_ = hop
            assert -1 <= edge < len(design.edges) and -1 <= src < n and -1 <= dst < n, (pid, hop)
            if edge >= 0:
                e = design.edges[edge]
                assert (e.source, e.target) == (design.nodes[src].id, design.nodes[dst].id), (pid, hop)


SHARED = json.loads((ROOT / "frontend" / "test" / "fixtures" / "playback.json").read_text(encoding="utf-8"))


def _non_zero(counters):
    return [{k: v for k, v in c.items() if v} for c in counters]


@pytest.mark.parametrize("case", SHARED["cases"], ids=[c["name"][:40] for c in SHARED["cases"]])
def test_the_frame_builder_gives_the_shared_cases_payload(case):
    """The hops (and the end-of-run badges) of each shared case are what this builder makes of its run."""
    design = from_data(case["design"])
    pb = playback.build(simulate(design, case["scenario"], trace=True), design)
    assert {k: pb[k] for k in case["payload"]} == case["payload"]
    assert len(pb["narration"]) == len(pb["hops"]) and case["nodes"] == len(design.nodes)
    last = case["at_cursor"][-1]
    assert last["cursor"] == len(pb["hops"]) and _non_zero(pb["final"]) == last["badges"]


def test_the_browser_rules_turn_the_built_frames_into_the_hand_worked_values():
    """Python builds each shared case's frames afresh; the browser's own rules (node) must then give the
    counters, marks, badges, cursors and tokens written by hand in the fixture."""
    node = shutil.which("node")
    assert node, "node is needed to check the canvas bundle's playback rules (make frontend installs it)"
    for case in SHARED["cases"]:
        design = from_data(case["design"])
        pb = playback.build(simulate(design, case["scenario"], trace=True), design)
        cursors = [at["cursor"] for at in case["at_cursor"]]
        times = [at["t"] for at in case["at_time"]]
        spec = {"payload": pb, "nodes": len(design.nodes), "cursors": cursors, "times": times,
                "travel": case["travel"]}
        path = ROOT / "artifacts" / "playback-parity.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(spec), encoding="utf-8")
        out = subprocess.run([node, str(ROOT / "frontend" / "test" / "parity.mjs"), str(path)], capture_output=True,
                             text=True, check=True, timeout=60)
        js = json.loads(out.stdout)
        name = case["name"]
        assert [_non_zero(c) for c in js["counters"]] == [at["counters"] for at in case["at_cursor"]], name
        assert js["marks"] == [at["marks"] for at in case["at_cursor"]], name
        assert [_non_zero(b) for b in js["badges"]] == [at.get("badges", at["counters"]) for at in case["at_cursor"]]
        assert js["cursor"] == [at["cursor"] for at in case["at_time"]], name
        assert js["tokens"] == [[[i, pytest.approx(f, abs=1e-9)] for i, f in at["tokens"]] for at in case["at_time"]]


def test_side_by_side_coupling_and_state_for_choreography_and_orchestration():
    chor, orch = CATALOG["choreography"].design, CATALOG["orchestration"].design
    knows_c, knows_o = compare.knows(chor), compare.knows(orch)
    assert knows_c["place_order"] == ["shop_bus"], "a choreographed service knows only the bus"
    orchestrator = max(knows_o, key=lambda k: len(knows_o[k]))
    assert next(n for n in orch.nodes if n.id == orchestrator).type == "state_machine"
    assert compare.coupling(orch)["max"] > max(len(v) for k, v in knows_c.items()
                                               if next(n for n in chor.nodes if n.id == k).type == "lambda")
    assert {p["type"] for p in compare.state_places(orch)} >= {"state_machine"}
    assert "state_machine" not in {p["type"] for p in compare.state_places(chor)}
    runs = [simulate(d, compare.same_workload(d, 20, 1.0, 3, 600), trace=True) for d in (chor, orch)]
    assert [sum(c["sent"] for c in r.clients.values()) for r in runs] == [20, 20], "the same workload"
    summaries = [compare.summary(d, r) for d, r in zip((chor, orch), runs)]
    assert all(s["end-to-end p50 (s)"] is not None and s["hops per event"] > 1 for s in summaries)


@pytest.mark.parametrize("pattern_id", sorted(CATALOG))
def test_at_the_end_the_canvas_badges_are_the_results_table_numbers(pattern_id):
    """Canvas, table and --json use the same words and the same numbers (the badge words are the table's)."""
    design = CATALOG[pattern_id].design
    run = simulate(design, trace=True)
    pb = playback.build(run, design, limit=playback.MAX_LIMIT)
    if pb["shown"] < pb["total"]:
        assert pb["final"] is None and "first" in pb["note"]     # a partial playback says so, shows no totals
        return
    end = pb["final"]   # what the badges show once the whole run has played (frontend/src/playback.js badgesAt)
    for i, node in enumerate(design.nodes):
        row = run.nodes[node.id]
        assert end[i]["ok"] == row["processed"] and end[i]["in"] == row["received"], node.id
        assert end[i]["parked"] == row["parked"] and end[i]["flight"] == row["in_flight"], node.id
        assert end[i]["dlq"] == row["dead_lettered"] and end[i]["drop"] == row["dropped"], node.id
