"""Cross-check: our engine and an independent SimPy model of the same fan-out agree on the metrics.

The two share no code but the counter class, use different random streams, and are compared within
statistical tolerances (the expected counts are large enough that the bounds are several sigma wide).
"""
from benchmarks.fanout import fanout_design, fanout_scenario
from benchmarks.simpy_fanout import run_simpy
from simulator.run import simulate

N = 20_000


def close(a, b, rel):
    return abs(a - b) <= rel * max(a, b)


def test_engine_and_simpy_model_agree_on_the_fan_out():
    ours = simulate(fanout_design(), fanout_scenario(N), seed=11)
    simp = run_simpy(N, 1000.0, seed=11)
    assert ours.conservation["ok"]
    assert close(ours.hops, simp["hops"], 0.02)
    for i in range(3):
        a, b = ours.nodes[f"f{i}"], simp["nodes"][f"f{i}"]
        # ~26,900 message deliveries, ~6,400 failed (while the pollers scale up from five batches, messages share
        # batches of up to 10 and one failure returns the whole batch), ~1,100 duplicate copies per consumer
        assert close(a["received"], b["received"], 0.02)
        assert close(a["processed"], b["processed"], 0.02)
        assert close(a["failed"], b["failed"], 0.15)
        assert close(a["duplicates_delivered"], b["duplicates_delivered"], 0.15)
        assert close(a["duplicate_side_effects"], b["duplicate_side_effects"], 0.15)
        assert a["latency_s"]["p50"] == b["latency_s"]["p50"]
        assert a["latency_s"]["p99"] == b["latency_s"]["p99"]      # retries after one and two 30 s visibility timeouts
