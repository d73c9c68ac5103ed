"""Run the simulator on the design on the canvas with a scenario built here, and hand the trace to the canvas
for playback (the first N hops; the charts and metrics cover the whole run)."""
from __future__ import annotations

import copy
import hashlib

import streamlit as st

from design.documents import dump_yaml
from design.scenario import with_overrides
from designer import playback
from designer.forms import default_scenario, with_edge_faults
from simulator.run import ScenarioError
from ui import canvas_session as cs, fault_tables
from ui.limits import WEB_MAX_HOPS, capped, simulate, within
from ui.run_view import show_run
from ui.style import md_escape

MAX_EVENTS_FOR_PLAYBACK = 20_000
UI_MAX_HOPS = WEB_MAX_HOPS   # the server's cap (ui.limits): the run stops and says so (SIM-HOP-LIMIT)

# ?scenario=first-run on the designer (with ?pattern=fan-out-sns): the home page's three-minute walkthrough.
TOUR = "first-run"
TOUR_PATTERN = "fan-out-sns"
TOUR_QUESTION = "fan-out-queue-per-consumer"
TOUR_FAILING, TOUR_DUPLICATED = "confirm", "orders->analytics_q"


def tour_scenario(design) -> dict:
    """The walkthrough's scenario: ten orders, one in two confirmation attempts fails (retried from its queue,
    parked in its DLQ after three receives), and one in three deliveries to the analytics queue is duplicated."""
    base = copy.deepcopy(design.scenario or default_scenario(design))
    base["seed"], base["until_s"] = 1, 600         # seed 1: two orders fail three times and are parked
    workload = (base.get("workload") or [{}])[0]
    base["workload"] = [dict(workload, count=10, rate_per_s=2)]
    inject = base.setdefault("inject", {})
    inject.pop("duplicate_probability", None)
    inject["nodes"] = {TOUR_FAILING: {"failure_probability": 0.5}}
    inject["edges"] = {TOUR_DUPLICATED: {"duplicate_probability": 0.3}}
    return base


def tour_active(s) -> bool:
    return s._s.get("tour") == s.opened and s.opened > 0


def _apply_tour(s) -> None:
    """Preload the walkthrough's scenario once per opening of the fan-out pattern from the walkthrough's link."""
    if st.query_params.get("scenario") != TOUR or st.query_params.get("pattern") != TOUR_PATTERN:
        return
    if s._s.get("tour-seen") == s.opened or s.loaded != ("pattern", TOUR_PATTERN):
        return
    s._s["tour-seen"] = s.opened
    s.scenario = tour_scenario(s.design)
    s._s["faults"] = {"nodes": {}, "edges": {}}
    s._s["tour"] = s.opened


def _tour_steps(s, where: str) -> None:
    if not tour_active(s):
        return
    if where == "form":
        st.info("**Walkthrough, steps 2 and 3.** The scenario is preloaded: ten orders, **Send confirmation** fails "
                "one attempt in two, and **Order events → Analytics queue** duplicates one delivery in three (open "
                "“Faults to inject” to see or change them). Press **Run and play** and watch the events travel.",
                icon=":material/tour:")
    else:
        st.info("**Walkthrough, step 4.** Where did each event end? Read the totals: confirmations that failed "
                "were retried from their queue, and the ones that failed three times are parked in the "
                "Confirmation DLQ; the analytics function got duplicates and, being idempotent, did the work "
                "once.", icon=":material/tour:")
        st.page_link("pages/quiz.py", label="Step 5: answer one question", icon=":material/quiz:",
                     query_params={"question": TOUR_QUESTION})


def run_scenario(design, scenario: dict, limit: int, bar=None) -> dict:
    """Simulate with the trace on and build the playback payload; raises ScenarioError. At most the server's
    hop cap (the scenario may ask for fewer, never for more)."""
    scenario = capped(scenario)
    def progress(f: float) -> None:
        if bar is not None:
            bar.progress(f, text=f"Simulating… {f:.0%}")
    run = simulate(design, scenario, trace=True, progress=progress if bar is not None else None)
    payload = playback.build(run, design, limit)
    fp = cs.fingerprint(design)
    digest = hashlib.sha256(dump_yaml(scenario).encode("utf-8")).hexdigest()[:12]
    payload["id"] = f"{fp}-{run.seed}-{limit}-{digest}"
    return {"fp": fp, "run": run, "scenario": scenario, "payload": payload}


def current(s) -> dict | None:
    """The last run, if it still belongs to the design on the canvas."""
    if s.run and s.run["fp"] == cs.fingerprint(s.design):
        return s.run
    return None


def _fault_rows(s, base: dict) -> tuple[list[dict], list[dict]]:
    """The fault tables: what was edited in this session (by node id / edge key), else the scenario's."""
    kept = s._s.setdefault("faults", {"nodes": {}, "edges": {}})
    return (fault_tables.node_rows(s.design, base, kept["nodes"]),
            fault_tables.edge_rows(s.design, base, kept["edges"]))


def _fault_editors(s, base: dict) -> tuple[list[dict], list[dict]]:
    """Two tables in an expander that renders only when open (a 100-service design stays light)."""
    rows, edge_rows = _fault_rows(s, base)
    box = st.expander("Faults to inject: failures, outages, latency, throttling, duplicates per connection",
                      key=f"faults-open-{s.opened}", on_change="rerun")
    if not box.open:
        return rows, edge_rows
    with box:
        st.caption("Per service: failure probability, one outage window [from, to) in simulated seconds, added "
                   "latency, a concurrency cap (throttling), crash after the side effect.")
        rows = fault_tables.node_editor(rows, key=f"faults-{s.version}")
        st.caption("Per connection: duplicate probability (overrides the one below), latency and jitter (s).")
        edge_rows = fault_tables.edge_editor(edge_rows, key=f"edge-faults-{s.version}")
    s._s["faults"] = {"nodes": {r["node"]: r for r in rows}, "edges": {r["connection"]: r for r in edge_rows}}
    return rows, edge_rows


def scenario_form(s) -> None:
    design = s.design
    if not design.nodes:
        st.info("Add services to the canvas first (drag a block or a whole pattern from the palette).")
        return
    _apply_tour(s)
    _tour_steps(s, "form")
    base = copy.deepcopy(s.scenario or default_scenario(design))
    ids = [n.id for n in design.nodes]
    workload = (base.get("workload") or [{}])[0]
    titles = {n.id: f"{n.title} ({n.id})" for n in design.nodes}   # unique: two services may share a label
    rows, edge_rows = _fault_editors(s, base)
    with st.form(f"scenario-{s.opened}"):
        c1, c2, c3, c4, c5 = st.columns(5)
        seed = c1.number_input("Seed", 0, 2**31 - 1, within(base.get("seed", 1), 0, 2**31 - 1, int),
                               help="Same seed, same run.")
        until = c2.number_input("Simulated seconds", 1.0, 30 * 86400.0,
                                within(base.get("until_s", 300), 1.0, 30 * 86400.0))
        source = c3.selectbox("Events enter at", ids, index=ids.index(workload["source"]) if workload.get("source")
                              in ids else 0, format_func=titles.get)
        count = c4.number_input("Events", 0, MAX_EVENTS_FOR_PLAYBACK, within(workload.get("count", 10), 0,
                                                                             MAX_EVENTS_FOR_PLAYBACK, int))
        rate = c5.number_input("Events per second", 0.001, 10_000.0,
                               within(workload.get("rate_per_s", 1.0), 0.001, 10_000.0))
        inject = base.get("inject") or {}
        d1, d2, d3 = st.columns([1, 2, 1])
        natural = d1.checkbox("Natural duplicate rates", value="duplicate_probability" not in inject,
                              help="Each service's own small at-least-once rate (illustrative).")
        dup = d2.slider("Duplicate probability per delivery (when not natural)", 0.0, 1.0,
                        within(inject.get("duplicate_probability", 0.0), 0.0, 1.0), 0.01)
        limit = d3.select_slider("Hops sent to the canvas", [500, 1000, 2000, 5000, 10000], value=2000,
                                 help="The canvas plays the first hops only; metrics cover the whole run.")
        submitted = st.form_submit_button("Run and play", type="primary")
    if not submitted:
        return
    base["workload"] = [dict(workload, source=source)] + (base.get("workload") or [])[1:]
    scenario = with_overrides(base, seed=seed, until_s=until, count=count, rate_per_s=rate,
                              duplicate_probability=None if natural else dup, fault_rows=rows)
    scenario = with_edge_faults(scenario, edge_rows)
    bar = st.progress(0.0, text="Simulating…")
    try:
        s.run = run_scenario(design, scenario, limit, bar)
    except ScenarioError as exc:
        bar.empty()
        st.error("The scenario is not valid:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        return
    bar.empty()
    s.scenario = scenario
    s._s["faults"] = {"nodes": {}, "edges": {}}      # the scenario now holds them
    st.rerun()


def summary_line(s) -> None:
    """One line under the canvas about the run being played (the full results are in their tab)."""
    last = current(s)
    if last is None:
        return
    run, t = last["run"], last["run"].totals
    ok = "nothing vanished" if run.conservation["ok"] else "CONSERVATION CHECK FAILED (a simulator bug)"
    if run.nothing_entered:
        st.warning("No event entered the design in this run: nothing was sent, so there is nothing to play.")
        ok = "no event entered"
    if run.stopped_by == "max_hops":
        st.warning(f"The run stopped after {run.hops:,} hops: a cycle or a fan-out keeps the design busy (see the "
                   "findings in “Results and charts”).")
    st.caption(f"Playing seed {run.seed}: {run.hops:,} hops · processed {t['processed']:,} · failed attempts "
               f"{t['failed']:,} · dead-lettered {t['dead_lettered']:,} · parked {t['parked']:,} · dropped {t['dropped']:,} · "
               f"in flight {t['in_flight']:,} — {ok}. Charts and per-service numbers: “Results and charts”.")


def results(s) -> None:
    last = current(s)
    if last is None:
        if s.run:
            st.info("The design changed since the last run: run it again to play it.")
        else:
            st.info("No run yet: set a scenario in “Run a scenario” and press **Run and play**.")
        return
    _tour_steps(s, "results")
    show_run(last["run"], s.design, key=f"designer-run-{s.version}")
    with st.expander("The scenario that produced this run"):
        st.code(dump_yaml(last["scenario"]), language="yaml")
