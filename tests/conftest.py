"""Shared helpers: build designs and runs from plain dicts, read a run's trace."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import os

# The shared corpus lives beside the checkout (../shared); a clean CI checkout elsewhere on this
# machine finds it at /work/shared. SHARED_DIR overrides both.
SHARED = next((p for p in (Path(os.environ["SHARED_DIR"]) if os.environ.get("SHARED_DIR") else None,
                           ROOT.parent / "shared", Path("/work/shared")) if p is not None and p.exists()),
              ROOT.parent / "shared")


def run_design(nodes, edges, scenario, seed=None, trace=True):
    from design import from_data
    from simulator.run import simulate
    design = from_data({"name": "t", "nodes": nodes, "edges": edges})
    return simulate(design, scenario, seed=seed, trace=trace)


def hops(run, outcome=None, target=None):
    """Trace rows as dicts, optionally filtered by outcome and target node."""
    keys = ("time", "event", "trace", "source", "target", "attempt", "outcome", "detail", "copy")
    rows = [dict(zip(keys, row)) for row in run.trace]
    return [r for r in rows if (outcome is None or r["outcome"] == outcome) and (target is None or r["target"] == target)]


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.fail(f"the shared corpus is missing at {SHARED}; tests need ../shared next to the checkout")
    return SHARED
