"""Engine figures, each a ratio against a baseline measured in this same run (issue 17).

1. The fan-out race: 300,000 publishes (SNS → 3 SQS → 3 Lambda, 5 % failures, 2 % duplicates, DLQ after 3
   receives, trace off) in our engine and in the SimPy model of the same rules (benchmarks/simpy_fanout.py),
   run alternately `repeat` times; hops per second of each (median) and their ratio (goal ≥ 3×). Wall time and
   CPU time are both given: on a shared machine CPU time is the steadier of the two.
2. 1 M events (hops) in metrics mode: seconds (goal ≤ 2 s), and the ratio against a bare `heapq` loop that
   pops and calls 1 M plain callbacks (the ceiling of any per-event loop in pure Python), measured now.
3. Memory in metrics mode: peak traced memory at 1 M events over the peak at 100 k (and at 500 k) events
   (flat ≈ 1).
4. The cost of recording the trace: time with the trace on over time with it off.
5. Why the engine drives plain callbacks (simulator/engine.py): the same heap loop resuming one generator per
   event instead of calling a function, as a ratio.

Which engine ran is printed first: the mypyc-compiled hot modules (`make compile`) or the pure-Python ones.
When the compiled one runs, the race is run again in a subprocess on the pure-Python modules (SPS_PURE=1),
against SimPy in that subprocess, so both ratios come from the same `make bench`.

Run alone: `python -m benchmarks.engine [--publishes N] [--repeat R] [--race-only]`.
"""
from __future__ import annotations

import argparse
import gc
import heapq
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from benchmarks.fanout import fanout_design, fanout_scenario
from benchmarks.simpy_fanout import run_simpy
from simulator._compiled import engine_info
from simulator.run import simulate

HOPS_PER_PUBLISH = 7.6       # the fan-out's hops per publish, a little under the measured 7.61 so "1 M" is ≥ 1 M


def timed(fn):
    """(result, wall seconds, CPU seconds) of one call, after a collection so runs start alike."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def race(publishes: int, repeat: int) -> dict:
    """Our engine and SimPy on the same fan-out, alternating so both see the same machine load."""
    design = fanout_design()
    ours, simp = [], []
    for _ in range(repeat):
        ours.append(timed(lambda: simulate(design, fanout_scenario(publishes), seed=1)))
        simp.append(timed(lambda: run_simpy(publishes, 1000.0, seed=1)))
    run, s_hops = ours[0][0], simp[0][0]["hops"]
    med = {k: statistics.median(r[i] for r in rows) for k, rows, i in
           (("ours_wall", ours, 1), ("ours_cpu", ours, 2), ("simpy_wall", simp, 1), ("simpy_cpu", simp, 2))}
    return {"run": run, "hops": run.hops, "simpy_hops": s_hops, **med,
            "ratio_wall": (run.hops / med["ours_wall"]) / (s_hops / med["simpy_wall"]),
            "ratio_cpu": (run.hops / med["ours_cpu"]) / (s_hops / med["simpy_cpu"])}


def _noop(_arg) -> None:
    pass


def heap_loop(events: int, resume_generators: bool = False) -> None:
    """A steady heap of ~1,000 pending events: pop one, run it, push its successor; `events` times."""
    heap: list = []
    push, pop = heapq.heappush, heapq.heappop
    if resume_generators:
        def process():
            while True:
                yield
        gens = [process() for _ in range(1000)]
        for g in gens:
            next(g)
        for i, g in enumerate(gens):
            push(heap, (i * 0.001, i, g.send, None))
    else:
        for i in range(1000):
            push(heap, (i * 0.001, i, _noop, None))
    seq = 1000
    for _ in range(events):
        t, _s, fn, arg = pop(heap)
        fn(arg)
        seq += 1
        push(heap, (t + 1.0, seq, fn, arg))


def peak_memory(publishes: int) -> int:
    design, scenario = fanout_design(), fanout_scenario(publishes)
    gc.collect()
    tracemalloc.start()
    simulate(design, scenario, seed=3)
    _cur, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def pure_race(publishes: int, repeat: int) -> dict | None:
    """The race on the pure-Python modules, in a subprocess (SPS_PURE=1): its ratios, or None if it failed."""
    env = {**os.environ, "SPS_PURE": "1"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.engine", "--race-only", "--publishes", str(publishes),
                           "--repeat", str(repeat)], cwd=Path(__file__).resolve().parent.parent, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(publishes: int = 300_000, repeat: int = 3) -> None:
    info = engine_info()
    print(f"engine: {info['engine']} ({info['reason']})")
    r = race(publishes, repeat)
    print(f"fan-out race, {publishes:,} publishes (SNS → 3 SQS → 3 Lambda, 5 % failures, 2 % duplicates, DLQ "
          f"after 3 receives, trace off), {repeat} alternating runs each, medians")
    print(f"  our engine : {r['hops']:>10,} hops in {r['ours_wall']:6.2f} s wall ({r['ours_cpu']:6.2f} s CPU) = "
          f"{r['hops'] / r['ours_wall']:>10,.0f} hops/s (conservation ok: {r['run'].conservation['ok']})")
    print(f"  SimPy      : {r['simpy_hops']:>10,} hops in {r['simpy_wall']:6.2f} s wall ({r['simpy_cpu']:6.2f} s CPU) = "
          f"{r['simpy_hops'] / r['simpy_wall']:>10,.0f} hops/s")
    print(f"  ratio ours / SimPy: {r['ratio_wall']:.2f}× by wall time, {r['ratio_cpu']:.2f}× by CPU time "
          f"(goal ≥ 3×; {info['engine']} engine)")
    if info["engine"] == "compiled":
        pure = pure_race(publishes, repeat)
        if pure is None:
            print("  pure-Python engine: the subprocess failed")
        else:
            print(f"  pure-Python engine (SPS_PURE=1, a subprocess, against SimPy there): {pure['ratio_wall']:.2f}× by "
                  f"wall time, {pure['ratio_cpu']:.2f}× by CPU time ({pure['ours_cpu']:.2f} s CPU vs SimPy "
                  f"{pure['simpy_cpu']:.2f} s); compiled over pure by CPU: {pure['ours_cpu'] / r['ours_cpu']:.2f}×")

    big = int(1_000_000 / HOPS_PER_PUBLISH) + 1
    design = fanout_design()
    run, t_big, c_big = timed(lambda: simulate(design, fanout_scenario(big), seed=2))
    _none, t_heap, c_heap = timed(lambda: heap_loop(run.hops))
    print(f"1 M events, metrics mode: {big:,} publishes → {run.hops:,} hops in {t_big:.2f} s wall "
          f"({c_big:.2f} s CPU; goal ≤ 2 s) = {c_big / c_heap:.1f}× a bare heapq loop of as many plain "
          f"callbacks ({c_heap:.2f} s CPU)")

    small, half, large = (peak_memory(int(events / HOPS_PER_PUBLISH) + 1) for events in (100_000, 500_000, 1_000_000))
    print(f"memory, metrics mode: peak {small / 1e6:.2f} MB at 100 k events, {half / 1e6:.2f} MB at 500 k, "
          f"{large / 1e6:.2f} MB at 1 M → ratio 1 M / 100 k {large / small:.2f}, 1 M / 500 k {large / half:.2f} "
          f"(flat ≈ 1; 100 k events are 13 s of traffic, less than the 30 s visibility timeout, so the backlog of "
          f"messages waiting to reappear is still building there)")

    m = max(1, publishes // 15)
    _off, t_off, _c = min((timed(lambda: simulate(design, fanout_scenario(m), seed=4, trace=False))
                           for _ in range(repeat)), key=lambda x: x[1])
    _on, t_on, _c = min((timed(lambda: simulate(design, fanout_scenario(m), seed=4, trace=True))
                         for _ in range(repeat)), key=lambda x: x[1])
    print(f"trace recording: {t_on / t_off:.2f}× the time of a metrics-only run ({m:,} publishes; "
          f"trace capped at 200,000 hops)")

    _n, _w, c_cb = timed(lambda: heap_loop(1_000_000))
    _n, _w, c_gen = timed(lambda: heap_loop(1_000_000, resume_generators=True))
    print(f"heap loop, 1 M events: resuming a generator per event takes {c_gen / c_cb:.2f}× the time of calling "
          f"a plain callback ({c_cb:.2f} s vs {c_gen:.2f} s CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine")
    parser.add_argument("--publishes", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--race-only", action="store_true", help="only the race; one JSON line of its figures")
    args = parser.parse_args()
    if args.race_only:
        r = race(args.publishes, args.repeat)
        print(json.dumps({"engine": engine_info()["engine"], "hops": r["hops"],
                          **{k: r[k] for k in ("ours_wall", "ours_cpu", "simpy_wall", "simpy_cpu", "ratio_wall",
                                               "ratio_cpu")}}))
        return
    report(args.publishes, args.repeat)


if __name__ == "__main__":
    main()
