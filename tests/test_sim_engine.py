"""Engine-wide properties: determinism, trace on/off equality, bounded cycles, the invariant."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_design

FANOUT = ([{"id": "src", "type": "client"}, {"id": "t", "type": "sns_topic"},
           {"id": "q1", "type": "sqs_queue", "props": {"visibility_timeout_s": 20, "max_receive_count": 3}},
           {"id": "q2", "type": "sqs_queue", "props": {"visibility_timeout_s": 20, "max_receive_count": 3}},
           {"id": "f1", "type": "lambda", "props": {"duration_s": 0.3}},
           {"id": "f2", "type": "lambda", "props": {"duration_s": 0.3, "idempotent": True}},
           {"id": "dlq", "type": "sqs_queue"}],
          [{"source": "src", "target": "t"}, {"source": "t", "target": "q1"}, {"source": "t", "target": "q2"},
           {"source": "q1", "target": "f1"}, {"source": "q2", "target": "f2"},
           {"source": "q1", "target": "dlq", "kind": "dead_letter"}, {"source": "q2", "target": "dlq", "kind": "dead_letter"}])
SCENARIO = {"until_s": 400, "workload": [{"source": "src", "count": 300, "rate_per_s": 5}],
            "inject": {"duplicate_probability": 0.05, "nodes": {"f1": {"failure_probability": 0.3},
                                                                "f2": {"outages": [[10, 40]]}}}}


def test_same_seed_same_trace_other_seed_other_trace():
    a = run_design(*FANOUT, SCENARIO, seed=11)
    b = run_design(*FANOUT, SCENARIO, seed=11)
    c = run_design(*FANOUT, SCENARIO, seed=12)
    assert a.trace == b.trace and json.dumps(a.to_json()) == json.dumps(b.to_json())
    assert a.trace != c.trace


def test_metrics_with_the_trace_off_equal_metrics_with_it_on():
    on = run_design(*FANOUT, SCENARIO, seed=5, trace=True)
    off = run_design(*FANOUT, SCENARIO, seed=5, trace=False)
    assert on.to_json() == off.to_json()
    assert off.trace is None and len(on.trace) > 1000


# A loop through EventBridge is not tracked by Lambda's recursive loop detection (SQS, SNS, S3 and Lambda are):
# only the simulator's hop cap or the end time stops it.
BUS_LOOP_NODES = [{"id": "src", "type": "client"}, {"id": "bus", "type": "event_bus"}]
BUS_LOOP_EDGES = [{"source": "src", "target": "bus"},
                  {"source": "bus", "target": "fn", "props": {"rule": "loop", "pattern": {"source": ["shop"]}}},
                  {"source": "fn", "target": "bus"}]
LOOP_EVENT = [{"source": "shop", "detail-type": "Tick", "detail": {}}]


def test_a_function_republishing_to_its_own_bus_stops_at_the_hop_cap():
    nodes = BUS_LOOP_NODES + [{"id": "fn", "type": "lambda", "props": {"duration_s": 0.01}}]
    run = run_design(nodes, BUS_LOOP_EDGES, {"until_s": 1e6, "max_hops": 5000,
                                             "workload": [{"source": "src", "count": 2, "payloads": LOOP_EVENT}]},
                     trace=False)
    assert run.stopped_by == "max_hops"
    assert [f["id"] for f in run.findings] == ["SIM-HOP-LIMIT"]
    assert run.conservation["ok"], run.conservation


def test_a_cycle_without_a_hop_cap_stops_at_the_end_time():
    nodes = BUS_LOOP_NODES + [{"id": "fn", "type": "lambda", "props": {"duration_s": 1}}]
    run = run_design(nodes, BUS_LOOP_EDGES, {"until_s": 100, "workload": [{"source": "src", "count": 1,
                                                                            "payloads": LOOP_EVENT}],
                                             "inject": {"duplicate_probability": 0}}, trace=False)
    assert run.stopped_by == "until_s" and run.nodes["fn"]["processed"] == 100
    assert run.conservation["ok"]


def test_a_function_republishing_to_its_own_topic_is_stopped_by_recursive_loop_detection():
    """Two chains (two client events): each runs 16 invocations, the 17th is stopped and dropped (no DLQ)."""
    nodes = [{"id": "src", "type": "client"}, {"id": "t", "type": "sns_topic"},
             {"id": "fn", "type": "lambda", "props": {"duration_s": 0.01}}]
    edges = [{"source": "src", "target": "t"}, {"source": "t", "target": "fn"}, {"source": "fn", "target": "t"}]
    run = run_design(nodes, edges, {"until_s": 1e6, "workload": [{"source": "src", "count": 2}],
                                    "inject": {"duplicate_probability": 0}}, trace=False)
    fn = run.nodes["fn"]
    assert fn["processed"] == 32 and fn["failed"] == 2 and fn["dropped_by_reason"] == {"recursive_loop": 2}
    assert "SIM-RECURSIVE-LOOP" in [f["id"] for f in run.findings] and run.stopped_by == "idle"
    assert run.conservation["ok"], run.conservation


# --- generated designs ----------------------------------------------------------------------
CHAINS = {
    "queue": lambda i: ([{"id": f"q{i}", "type": "sqs_queue", "props": {"visibility_timeout_s": 5, "max_receive_count": 2}},
                         {"id": f"d{i}", "type": "sqs_queue"}],
                        [{"source": f"q{i}", "target": f"d{i}", "kind": "dead_letter"}], f"q{i}"),
    "topic": lambda i: ([{"id": f"t{i}", "type": "sns_topic"}], [], f"t{i}"),
    "bus": lambda i: ([{"id": f"b{i}", "type": "event_bus"}], [], f"b{i}"),
    "fifo": lambda i: ([{"id": f"q{i}", "type": "sqs_queue", "props": {"fifo": True, "visibility_timeout_s": 5}}], [], f"q{i}"),
    "stream": lambda i: ([{"id": f"k{i}", "type": "kinesis_stream", "props": {"shard_count": 2}}], [], f"k{i}"),
}


@st.composite
def designs(draw):
    nodes = [{"id": "src", "type": "client"}]
    edges = []
    n_fns = draw(st.integers(1, 4))
    for i in range(n_fns):
        kind = draw(st.sampled_from(sorted(CHAINS)))
        extra_nodes, extra_edges, entry = CHAINS[kind](i)
        fn = {"id": f"f{i}", "type": "lambda", "props": {
            "duration_s": draw(st.sampled_from([0.01, 0.5, 4.0])), "timeout_s": 3,
            "idempotent": draw(st.booleans()), "max_retry_attempts": draw(st.integers(0, 2))}}
        nodes += extra_nodes + [fn]
        edges += extra_edges + [{"source": "src", "target": entry}]
        props = {"rule": "r", "pattern": {"source": ["custom.app"]}} if kind == "bus" else {}
        edge = {"source": entry, "target": f"f{i}", "props": props}
        if kind in ("queue", "fifo", "stream") and draw(st.booleans()):
            edge["props"]["report_batch_item_failures"] = True
        edges.append(edge)
        if i and draw(st.booleans()):   # sometimes a function feeds the next entry: chains and cycles
            edges.append({"source": f"f{i - 1}", "target": entry})
    inject = {"duplicate_probability": draw(st.sampled_from([0, 0.1, 1.0])), "nodes": {
        f"f{i}": {"failure_probability": draw(st.sampled_from([0, 0.3, 1.0])),
                  "crash_after_side_effect_probability": draw(st.sampled_from([0, 0.2])),
                  "outages": draw(st.sampled_from([[], [[5, 20]]]))} for i in range(n_fns)}}
    scenario = {"until_s": draw(st.sampled_from([30, 200])), "max_hops": 20_000, "inject": inject,
                "workload": [{"source": "src", "count": draw(st.integers(1, 40)), "rate_per_s": 5}]}
    return nodes, edges, scenario, draw(st.integers(0, 2**32))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_generated_designs_terminate_and_never_lose_an_event(case):
    nodes, edges, scenario, seed = case
    run = run_design(nodes, edges, scenario, seed=seed, trace=False)
    assert run.conservation["ok"], run.conservation
    assert run.stopped_by in ("idle", "until_s", "max_hops")
    idempotent = {n["id"] for n in nodes if n.get("props", {}).get("idempotent")}
    for node_id, stats in run.nodes.items():
        assert min(v for k, v in stats.items() if isinstance(v, int)) >= 0
        assert stats["dropped"] == sum(stats["dropped_by_reason"].values())
        if node_id in idempotent:
            assert stats["duplicate_side_effects"] == 0
