"""Playback frames: a run's trace as the canvas plays it. Deterministic, capped, and the browser's rules
(frontend/src/playback.js, run here with node) agree with designer/playback.py hop for hop."""
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
    final = playback.counters_at(pb, len(pb["hops"]), len(design.nodes))
    assert final[2]["fail"] == 3 and final[1]["dlq"] == 1 and final[3]["in"] == 1
    assert final[1]["in"] == 1, "sent + enqueued is one journey, one token, one delivery in"
    assert kinds[:2] == ["move", "info"] and kinds[-2:] == ["dlq", "info"]
    assert playback.marks_at(pb, len(pb["hops"]), 4)[2] == ["failed"]
    assert playback.marks_at(pb, 0, 4)[2] == []
    assert len(pb["narration"]) == len(pb["hops"])
    assert "attempt 3" in pb["narration"][[i for i, h in enumerate(pb["hops"]) if h in retries][-1]]


def test_same_design_scenario_and_seed_give_the_same_playback():
    design = CATALOG["choreography"].design
    one = playback.build(simulate(design, trace=True), design)
    two = playback.build(simulate(design, trace=True), design)
    assert one == two
    other = playback.build(simulate(design, dict(design.scenario, seed=99), trace=True), design)
    assert other["hops"] != one["hops"]


def test_tokens_move_forward_and_a_hop_leaves_after_its_travel_time():
    design = CATALOG["fan-out-sns"].design
    pb = playback.build(simulate(design, trace=True), design)
    first = pb["hops"][0][0]
    early = dict(playback.tokens_at(pb, first + 0.1, 1.0))
    later = dict(playback.tokens_at(pb, first + 0.6, 1.0))
    common = set(early) & set(later)
    assert common and all(later[i] > early[i] for i in common)
    assert all(0 <= f <= 1 for f in later.values())
    assert 0 not in dict(playback.tokens_at(pb, first + 1.5, 1.0))
    assert playback.cursor_at(pb, -1) == 0 and playback.cursor_at(pb, 1e9) == len(pb["hops"])


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


def test_the_browser_rules_match_the_python_rules():
    node = shutil.which("node")
    assert node, "node is needed to check the canvas bundle's playback rules (make frontend installs it)"
    design = CATALOG["choreography"].design
    pb = playback.build(simulate(design, trace=True), design)
    cursors = [0, 1, 7, 100, len(pb["hops"]) // 2, len(pb["hops"])]
    times = [0.0, 0.5, 1.0, 3.3, 60.0, pb["end"]]
    spec = {"payload": pb, "nodes": len(design.nodes), "cursors": cursors, "times": times, "travel": 2.0}
    path = ROOT / "artifacts" / "playback-parity.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(spec), encoding="utf-8")
    out = subprocess.run([node, str(ROOT / "frontend" / "test" / "parity.mjs"), str(path)], capture_output=True,
                         text=True, check=True, timeout=60)
    js = json.loads(out.stdout)
    assert js["counters"] == [playback.counters_at(pb, c, len(design.nodes)) for c in cursors]
    assert js["marks"] == [playback.marks_at(pb, c, len(design.nodes)) for c in cursors]
    assert js["badges"] == [playback.badges_at(pb, c, len(design.nodes)) for c in cursors]
    assert js["cursor"] == [playback.cursor_at(pb, t) for t in times]
    py_tokens = [[[i, f] for i, f in playback.tokens_at(pb, t, 2.0)] for t in times]
    assert [[[i, pytest.approx(f)] for i, f in row] for row in js["tokens"]] == py_tokens


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
    end = playback.badges_at(pb, len(pb["hops"]), len(design.nodes))
    for i, node in enumerate(design.nodes):
        row = run.nodes[node.id]
        assert end[i]["ok"] == row["processed"] and end[i]["in"] == row["received"], node.id
        assert end[i]["parked"] == row["parked"] and end[i]["flight"] == row["in_flight"], node.id
        assert end[i]["dlq"] == row["dead_lettered"] and end[i]["drop"] == row["dropped"], node.id
