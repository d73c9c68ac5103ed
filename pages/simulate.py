"""Simulator: run a catalog pattern or your own design under a scenario you set, and see every event's fate."""
import hashlib

import streamlit as st

from design.documents import dump_yaml
from design.scenario import with_overrides
from designer.forms import with_edge_faults
from patterns.catalog import load_catalog
from simulator.run import ScenarioError
from ui import design_input, diagram, fault_tables, lint_view
from ui.limits import capped, simulate, within
from ui.style import md_escape
from ui.run_view import show_run

catalog = load_catalog()
st.title("Simulator", anchor=False)
st.markdown("Pick a design, set the workload and the faults, run. Every event ends **processed**, "
            "**dead-lettered**, **dropped with a reason**, **filtered**, or **still in flight** — nothing vanishes.")

source = st.radio("Design", ["A catalog pattern", "Upload my own"], horizontal=True)
design = None
if source == "A catalog pattern":
    design = catalog[design_input.pick_pattern(catalog, key="simulate-pattern")].design
else:
    design = design_input.upload_design(key="simulate-upload")
if design is None:
    st.stop()

diagram.show(design)
lint_view.show(design, collapsed=True)
base = design.scenario or {}
workload = (base.get("workload") or [{}])[0]

with st.form("scenario"):
    c1, c2, c3, c4 = st.columns(4)
    seed = c1.number_input("Seed", 0, 2**31 - 1, within(base.get("seed", 1), 0, 2**31 - 1, int),
                           help="Same seed, same run.")
    until = c2.number_input("Simulated seconds", 1.0, 30 * 86400.0,
                            within(base.get("until_s", 3600), 1.0, 30 * 86400.0, float))
    count = c3.number_input("Events", 0, 200_000, within(workload.get("count", 1), 0, 200_000, int))
    rate = c4.number_input("Events per second", 0.001, 100_000.0,
                           within(workload.get("rate_per_s", 1.0), 0.001, 100_000.0, float))
    natural = st.checkbox("Natural duplicate rates (each service's own, illustrative)",
                          value="duplicate_probability" not in (base.get("inject") or {}))
    dup = st.slider("Duplicate probability per delivery", 0.0, 1.0,
                    within((base.get("inject") or {}).get("duplicate_probability", 0.0), 0.0, 1.0, float), 0.01, disabled=False,
                    help="Ignored while natural rates are on. 0 is the perfect network a teacher starts from.")
    st.caption("Faults per service (failure probability, one outage window [from, to) in simulated seconds, added "
               "latency, a concurrency cap, crash after the side effect). A cell showing None is not set: no fault there. "
               "Wider than the page, the table scrolls sideways.")
    tables = hashlib.sha256("\n".join([n.id for n in design.nodes] + [e.key for e in design.edges])
                            .encode("utf-8")).hexdigest()[:12]     # another design: fresh tables, no stale edits
    rows = fault_tables.node_editor(fault_tables.node_rows(design, base), key=f"faults-{tables}")
    st.caption("Faults per connection: duplicate probability (overrides the slider above), latency and jitter (s). "
               "None: not set (the slider's probability, no added latency).")
    edge_rows = fault_tables.edge_editor(fault_tables.edge_rows(design, base), key=f"edge-faults-{tables}")
    trace = st.checkbox("Record the hop-by-hop trace (slower for big runs)", value=count <= 5000)
    submitted = st.form_submit_button("Run", type="primary")

if submitted:
    scenario = capped(with_edge_faults(with_overrides(base, seed=seed, until_s=until, count=count, rate_per_s=rate,
                                                      duplicate_probability=None if natural else dup,
                                                      fault_rows=rows), edge_rows))
    bar = st.progress(0.0, text="Simulating…")
    try:
        run = simulate(design, scenario, trace=trace, progress=lambda f: bar.progress(f, text=f"Simulating… {f:.0%}"))
    except ScenarioError as exc:
        bar.empty()
        st.error("The scenario is not valid:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        st.stop()
    bar.empty()
    st.session_state["last_run"] = (run, scenario)

if "last_run" in st.session_state:
    run, scenario = st.session_state["last_run"]
    show_run(run, design, key="sim")
    with st.expander("The scenario that produced this run"):
        st.code(dump_yaml(scenario), language="yaml")
