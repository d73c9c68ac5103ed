"""Two designs side by side under the same workload: hops, latency, coupling (who knows whom) and where
state lives, with both runs playable on read-only canvases."""
from __future__ import annotations

import streamlit as st

from design.model import Design
from designer import compare, view
from simulator.cost import price_run
from designer.layout import ensure_positions
from patterns.catalog import load_catalog
from simulator.run import ScenarioError
from ui import canvas_session as cs
from ui.canvas import canvas
from ui.limits import cap_notice
from ui.playback import run_scenario
from ui.style import md_escape

CURRENT = "(the design in the designer)"


def _choices() -> tuple[list[str], dict]:
    catalog = load_catalog()
    names = {pid: p.title for pid, p in catalog.items()}
    if cs.get().design.nodes:
        names = {CURRENT: "The design on the designer's canvas", **names}
    return list(names), names


def _design(choice: str) -> Design:
    if choice == CURRENT:
        return cs.get().design
    return load_catalog()[choice].design


@st.cache_data(show_spinner=False, max_entries=32)
def _run_pattern(pid: str, count: int, rate: float, seed: int, until: float) -> dict:
    design = ensure_positions(load_catalog()[pid].design)
    return {"design": design, **run_scenario(design, compare.same_workload(design, count, rate, seed, until), 2000)}


def _run(choice: str, count: int, rate: float, seed: int, until: float) -> dict:
    if choice != CURRENT:
        return _run_pattern(choice, count, rate, seed, until)
    design = ensure_positions(_design(choice))
    return {"design": design, **run_scenario(design, compare.same_workload(design, count, rate, seed, until), 2000)}


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else f"{value:,.3g}" if value < 1000 else f"{value:,.0f}"
    return md_escape(value)        # st.table cells are Markdown; a service's label is user text


def _rows(rows: list[dict]) -> list[dict]:
    return [{key: _cell(value) for key, value in row.items()} for row in rows]


def show() -> None:
    st.title("Two designs side by side", anchor=False)
    st.markdown("The same workload (the same number of events, at the same times, with the same seed) through "
                "two designs. Compare how many hops each event takes, how long it takes end to end, how many "
                "services each one must know about (coupling), and where state lives.")
    ids, names = _choices()
    c1, c2 = st.columns(2)
    left = c1.selectbox("Left design", ids, index=ids.index("choreography") if "choreography" in ids else 0,
                        format_func=names.get, key="cmp-left")
    right = c2.selectbox("Right design", ids, index=ids.index("orchestration") if "orchestration" in ids else 1,
                         format_func=names.get, key="cmp-right")
    w1, w2, w3, w4 = st.columns(4)
    count = int(w1.number_input("Events", 1, 5000, 40, key="cmp-count"))
    rate = float(w2.number_input("Events per second", 0.01, 1000.0, 1.0, key="cmp-rate"))
    seed = int(w3.number_input("Seed", 0, 2**31 - 1, 3, key="cmp-seed"))
    until = float(w4.number_input("Simulated seconds", 10.0, 86400.0, 900.0, key="cmp-until"))
    try:
        runs = [_run(choice, count, rate, seed, until) for choice in (left, right)]
    except ScenarioError as exc:
        st.error("The workload does not fit one of the designs:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        return
    titles = [names[left], names[right]]
    summaries = [compare.summary(r["design"], r["run"]) for r in runs]
    st.subheader("At a glance", anchor=False)
    bills = [price_run(r["run"]) for r in runs]
    for summary, bill in zip(summaries, bills):
        summary["cost of this run (USD, list prices)"] = f"${bill.total_usd:,.4f}"
        summary["cost per million events in (USD)"] = "—" if bill.per_million_usd is None else \
            f"${bill.per_million_usd:,.2f}"
        summary["share of the cost caused by retries and duplicates"] = f"{bill.retries_share:.0%}"
    st.table([{"": key, titles[0] + " ": _cell(summaries[0][key]), " " + titles[1]: _cell(summaries[1][key])}
              for key in summaries[0]])
    st.caption(f"Costs: {md_escape(bills[0].book.region)} list prices as of {md_escape(bills[0].book.as_of)}, "
               "without the free tier (sources in each run's cost breakdown).")
    st.caption("Hops: every delivery. End-to-end: from the first to the last hop of everything one workload "
               "event caused. Direct dependencies: for each service, the others it names in its own code or "
               "configuration (calls, publishes to, polls).")
    cols = st.columns(2)
    for col, run, title in zip(cols, runs, titles):
        with col:
            st.markdown(f"**{md_escape(title)}**")
            cap_notice(run["run"])
            # tables, not data grids: a grid cuts "who" off at its column's width (and on a projector
            # nobody hovers to read the rest); a table wraps every name
            st.caption("Who knows whom")
            st.table(_rows(compare.coupling(run["design"])["rows"]), hide_index=True)
            st.caption("Where state lives")
            st.table(_rows(compare.state_places(run["design"]) or [{"service": "—", "holds": "no state"}]),
                     hide_index=True)
    if st.toggle("Play both runs on canvases", key="cmp-play"):
        st.caption("Both runs play on one clock with one set of controls: the same simulated second on both sides.")
        canvas(view.side_by_side([(t, r["design"], r["payload"]) for t, r in zip(titles, runs)], height=460),
               key="sps-compare")
