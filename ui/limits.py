"""The web server's own limits on simulator runs. A design (or a shared link) may carry `scenario.max_hops` up to
what the loader allows; in the web process that number is only ever lowered, never raised: every page that runs
the simulator goes through `simulate()` here, so a cycle or a runaway fan-out stops within a few seconds, and
the page says the run was cut short (`cap_notice`).

Measured here (2 cores, CPython 3.11): an SNS fan-out cycle runs about 400,000 hops/s with the trace on
(500,000 hops: 1.3 s and about 90 MB; 1,000,000 hops: 2.6 s and 130 MB), so WEB_MAX_HOPS ends a run in a
second or two on a quiet machine and in a few seconds while a class shares it. The simulator's own default
(for the command line) and the most a scenario may ask for are larger; neither applies here.
"""
from __future__ import annotations

import streamlit as st

from simulator.run import simulate as _simulate

WEB_MAX_HOPS = 500_000


def capped(scenario: dict | None, design=None) -> dict:
    """The scenario to run in the web process: the design's own when none is given, with `max_hops` at most
    WEB_MAX_HOPS (a smaller value the scenario asks for is kept)."""
    base = dict(scenario if scenario is not None else (getattr(design, "scenario", None) or {}))
    asked = base.get("max_hops")
    try:
        asked = int(asked) if asked is not None else WEB_MAX_HOPS
    except (TypeError, ValueError, OverflowError):
        asked = WEB_MAX_HOPS            # the simulator's own validation reports the bad value
    else:
        if asked < 1:
            base["max_hops"] = asked    # invalid: left for the simulator's validation to refuse
            return base
    base["max_hops"] = min(asked, WEB_MAX_HOPS)
    return base


def simulate(design, scenario: dict | None = None, **kwargs):
    """simulator.run.simulate with the server's hop cap (raises what it raises: ScenarioError)."""
    return _simulate(design, capped(scenario, design), **kwargs)


def within(value, low, high, cast=float):
    """A design's own number as a widget's default, inside the widget's range: a seed or a count the loader
    accepts may be beyond what a form offers, and a default outside the range would end the page."""
    try:
        value = cast(value)
    except (TypeError, ValueError, OverflowError):
        return cast(low)
    return cast(low) if value != value else cast(min(max(value, low), high))


def hit_cap(run) -> bool:
    return getattr(run, "stopped_by", None) == "max_hops"


def cap_notice(run) -> None:
    """A warning on the page when the run stopped at the server's hop cap (or the scenario's own lower one)."""
    if hit_cap(run):
        st.warning(f"This run was stopped after {run.hops:,} hops: this site ends every simulation at "
                   f"{WEB_MAX_HOPS:,} hops at most, so one design cannot keep the server busy. A cycle or a "
                   "runaway fan-out is the usual cause (see the findings); counts below cover the hops that ran. "
                   "On your own machine, `python -m simulator run` has its own cap.")
