"""Benchmarks. Every figure is a ratio against a baseline measured in this same process and run.

1. Engine vs SimPy: the fan-out (100,000 publishes) in our engine with the trace off, and the same rules
   written in SimPy; hops per second for both and their ratio.
2. A run of at least 1 M events (hops): wall time, against the 5 s target.
3. Memory in metrics-only mode: peak traced memory at 100,000 publishes over the peak at 50,000 (≈ 1 is flat;
   both runs are past the 30 s visibility timeout, so the backlog of retrying messages has reached its level).
4. The cost of recording the trace: time with the trace on over time with it off.
"""
from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

from benchmarks.fanout import fanout_design, fanout_scenario
from benchmarks.simpy_fanout import run_simpy
from simulator.run import simulate


def timed(fn):
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def best_of(n, fn):
    runs = [timed(fn) for _ in range(n)]
    return min(runs, key=lambda r: r[1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--publishes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    design = fanout_design()
    n = args.publishes

    ours, t_ours = best_of(args.repeat, lambda: simulate(design, fanout_scenario(n), seed=1))
    simp, t_simpy = best_of(args.repeat, lambda: run_simpy(n, 1000.0, seed=1))
    ours_rate, simpy_rate = ours.hops / t_ours, simp["hops"] / t_simpy
    print(f"fan-out, {n:,} publishes (SNS → 3 SQS → 3 Lambda, 5 % failures, 2 % duplicates, DLQ after 3 receives)")
    print(f"  our engine, trace off : {ours.hops:>9,} hops in {t_ours:6.2f} s = {ours_rate:>10,.0f} hops/s "
          f"(conservation ok: {ours.conservation['ok']})")
    print(f"  SimPy, same rules     : {simp['hops']:>9,} hops in {t_simpy:6.2f} s = {simpy_rate:>10,.0f} hops/s")
    print(f"  ratio ours / SimPy    : {ours_rate / simpy_rate:.2f}×   (target ≥ 3×)")

    big = max(n, int(1_000_000 / (ours.hops / n)) + 1)
    run, t_big = timed(lambda: simulate(design, fanout_scenario(big), seed=2))
    print(f"1 M events: {big:,} publishes → {run.hops:,} hops in {t_big:.2f} s "
          f"({t_big / 5.0:.2f} of the 5 s target)")

    def peak(count):
        tracemalloc.start()
        simulate(design, fanout_scenario(count), seed=3)
        _cur, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top
    small, large = peak(n // 2), peak(n)
    print(f"memory, trace off: peak {small / 1e6:.2f} MB at {n // 2:,} publishes, {large / 1e6:.2f} MB at {n:,} "
          f"→ ratio {large / small:.2f} for 2× the events (flat ≈ 1)")

    m = n // 5
    _off, t_off = best_of(args.repeat, lambda: simulate(design, fanout_scenario(m), seed=4, trace=False))
    _on, t_on = best_of(args.repeat, lambda: simulate(design, fanout_scenario(m), seed=4, trace=True))
    print(f"trace recording: {t_on / t_off:.2f}× the time of a metrics-only run ({m:,} publishes; "
          f"trace capped at 200,000 hops)")

    from benchmarks.export_import import report
    report()

    from benchmarks import canvas as canvas_bench
    canvas_bench.main()


if __name__ == "__main__":
    main()
