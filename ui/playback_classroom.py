"""Classroom mode: one link (design + scenario + seed) gives every student the identical run; the presenter
view steps one hop at a time with the narration in large text. A signed-in teacher can start a live session
on the run (ui.live_teacher): students join by code and their canvases follow the teacher's."""
from __future__ import annotations

import streamlit as st

from design.documents import dump_yaml
from designer import links
from designer.layout import ensure_positions
from patterns.catalog import load_catalog
from ui import canvas_session as cs, style
from ui.canvas import canvas
from ui.canvas_files import share_url
from ui.style import md_escape
from ui.playback import run_scenario
from ui.run_view import show_run


@st.cache_data(show_spinner=False, max_entries=16)
def _shared_run(code: str, limit: int) -> dict:
    design, scenario, seed = links.decode(code)
    design = ensure_positions(design)
    result = run_scenario(design, dict(scenario, seed=seed), limit)
    return {"design": design, **result}


def teacher_form() -> None:
    st.markdown("Open a design in the **Designer** and use *Share with a class*, or make a link for a catalog "
                "pattern here. Everyone who opens the link sees the same run, hop by hop.")
    catalog = load_catalog()
    with st.form("make-link"):
        pid = st.selectbox("Catalog pattern", list(catalog), format_func=lambda p: catalog[p].title,
                           index=list(catalog).index("fan-out-sns") if "fan-out-sns" in catalog else 0)
        seed = st.number_input("Seed", 0, 2**31 - 1, 1)
        made = st.form_submit_button("Make the classroom link", type="primary")
    if made:
        design = catalog[pid].design
        scenario = dict(design.scenario or {})
        scenario.pop("seed", None)
        code = links.encode(ensure_positions(design), scenario, int(seed))
        st.session_state["classroom-made"] = (code, catalog[pid].title)
    if st.session_state.get("classroom-made"):
        code, title = st.session_state["classroom-made"]
        st.code(share_url(code), language=None)
        st.page_link("pages/classroom.py", label="Open it", query_params={"run": code}, icon=":material/co_present:")
        from ui import live_teacher
        live_teacher.start_button(code, title, key="live-start-form")


def show(code: str | None) -> None:
    # The presenter view (the default) keeps the first screen for what the room reads: one row with the design's
    # name and the switch, then the controls, the current hop and the canvas. The rest (going live, the metrics,
    # the scenario) sits below the canvas.
    presenter = bool(st.session_state.get("presenter", True)) and bool(code)
    if not presenter:
        st.title("Classroom", anchor=False)
    if not code:
        teacher_form()
        return
    try:
        with st.spinner("Running the shared scenario (the same seed gives everyone the same run)…"):
            shared = _shared_run(code, 2000)
    except links.LinkError as exc:
        if presenter:
            st.title("Classroom", anchor=False)
        st.error("This classroom link cannot be opened. Ask for the link again (it may have been cut short when "
                 "it was copied).\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        return
    design, run = shared["design"], shared["run"]
    facts = f"seed {run.seed}, {run.hops:,} hops, {shared['payload']['total']:,} recorded steps"
    from ui import live_teacher
    if presenter:
        style.presenter_view()
        with st.container(key="sps-presenter-head"):
            name, about, switch = st.columns([5, 4, 3], vertical_alignment="center")
            with name:
                st.title(md_escape(design.name), anchor=False)
            about.markdown(f"Classroom · {facts}")
            with switch:
                presenter = st.toggle("Presenter view", value=True, key="presenter",
                                      help="Large text, one hop at a time; the clicker's keys step. Off: the "
                                           "page's usual layout, with the live session button at the top.")
    else:
        st.markdown(f"**{md_escape(design.name)}** — {facts}")
        live_teacher.start_button(code, design.name, key="live-start")
        presenter = st.toggle("Presenter view (large text, one hop at a time)", value=True, key="presenter")
    if run.stopped_by == "max_hops":
        st.warning(f"This run stopped after {run.hops:,} hops: a cycle or a fan-out keeps the design busy.")
    canvas(cs.readonly_data(design, shared["payload"], presenter=presenter, height=1000 if presenter else 520),
           key="sps-classroom")
    if presenter:
        live_teacher.start_button(code, design.name, key="live-start")
    with st.expander("Metrics and charts of the whole run"):
        show_run(run, design, key="classroom-run")
    with st.expander("The scenario"):
        st.code(dump_yaml(shared["scenario"]), language="yaml")
    st.page_link("pages/designer.py", label="Open this design in the designer", query_params={"run": code},
                 icon=":material/draw:")
