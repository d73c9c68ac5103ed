"""Speed work must not change a result: seeded runs compared byte for byte with golden files.

The goldens (tests/speed_golden/*.json) were written by the engine as it was before the issue-17
optimisations (the commit that added them says which engine commit produced them). Each holds, for one
seeded run: the metrics JSON (`run.to_json()`, nothing removed, keys in the engine's order), the
sampled series, and a SHA-256 of the full trace of the same run with the trace on — so the order of
every random draw and every hop is pinned, not only the counters.

The runs: every catalog pattern under its default scenario, every conformance case under
tests/conformance/, and the benchmark fan-out (benchmarks/fanout.py) at a small size.

To regenerate (only when a behaviour change is intended, never to make a speed-up pass):
    SPS_WRITE_SPEED_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_speed_identical.py
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "speed_golden"
WRITE = os.environ.get("SPS_WRITE_SPEED_GOLDEN") == "1"
FANOUT_SIZES = ((2_000, 1), (2_000, 2), (5_000, 7))      # (publishes, seed)


def _runs() -> dict:
    """name → a function returning (design, scenario, seed) for one seeded run."""
    from patterns.catalog import load_catalog
    from simulator.conformance import load_cases
    runs = {}
    for pid, pattern in sorted(load_catalog().items()):
        runs[f"catalog-{pid}"] = (lambda p=pattern: (p.design, None, None))
    for case in load_cases():
        def build(case=case):
            from design import from_data
            return from_data({"name": case.id, **case.design}), case.scenario, None
        runs[f"conformance-{case.id}"] = build
    for publishes, seed in FANOUT_SIZES:
        def fan(publishes=publishes, seed=seed):
            from benchmarks.fanout import fanout_design, fanout_scenario
            return fanout_design(), fanout_scenario(publishes), seed
        runs[f"fanout-{publishes}-seed{seed}"] = fan
    return runs


RUNS = _runs()


def _trace_digest(trace) -> str:
    h = hashlib.sha256()
    for row in trace:
        h.update(json.dumps(row, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def observe(name: str) -> str:
    """The golden text of one run: what the engine computes, serialised deterministically."""
    from simulator.run import simulate
    design, scenario, seed = RUNS[name]()
    off = simulate(design, scenario, seed=seed, trace=False)
    on = simulate(design, scenario, seed=seed, trace=True)
    doc = {"metrics": off.to_json(), "series": off.series,
           "trace": {"rows": len(on.trace), "truncated": on.trace_truncated, "sha256": _trace_digest(on.trace)}}
    traced = on.to_json()
    if traced != doc["metrics"]:
        doc["metrics_with_trace_on"] = traced      # kept if the two ever differ, so a change there shows too
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(RUNS))
def test_run_is_byte_identical_to_the_golden(name):
    path = GOLDEN / f"{name}.json"
    text = observe(name)
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path.name}: no golden (a new pattern or case? generate it from the engine before " \
                          "any speed change, see this module's docstring)"
    want = path.read_text(encoding="utf-8")
    if text != want:
        got, exp = json.loads(text), json.loads(want)
        diffs = [k for k in sorted(set(got) | set(exp)) if got.get(k) != exp.get(k)]
        detail = []
        if "metrics" in diffs:
            gm, em = got["metrics"], exp["metrics"]
            detail = [k for k in em if gm.get(k) != em.get(k)]
        pytest.fail(f"{name}: differs from the golden in {diffs} (metrics keys: {detail})")


def test_every_golden_belongs_to_a_run():
    """A golden left behind by a renamed pattern or case would silently check nothing."""
    stale = sorted(p.stem for p in GOLDEN.glob("*.json") if p.stem not in RUNS)
    assert not stale, stale
