"""Shared helpers: build designs and runs from plain dicts, read a run's trace."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, settings

# Property tests judge behaviour, not speed: on a loaded 2-core CI machine a 200 ms per-example deadline
# or the too-slow health check would fail correct code. Speed is measured in benchmarks/ instead.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def url():
    """The real site, started once per test module (tests/browser.py)."""
    from browser import site
    with site() as address:
        yield address


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright, once per test module."""
    from browser import browser
    with browser() as b:
        yield b


CORPUS = Path(__file__).resolve().parent / "corpus"   # a verbatim copy of ../shared/corpus


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


HEAVY_FIXTURES = {"chromium", "url", "cluster"}   # a real site, a Chromium, or a cluster of them


def pytest_collection_modifyitems(config, items):
    """Tests that start a real site and drive Chromium run one module at a time, on one worker (`make test`
    uses --dist loadgroup): two of them at once on a 2-core machine, with a site, a browser and a cluster each,
    starve each other until page loads time out. The rest of the suite shares the other worker."""
    heavy = {item.module.__name__ for item in items if HEAVY_FIXTURES & set(item.fixturenames)}
    for item in items:
        if item.module.__name__ in heavy:
            item.add_marker(pytest.mark.xdist_group("browser"))
