"""Choosing a quiz: from the bank (topics, difficulty, size, mode, seed), due reviews, a class code, or
questions generated about a design (a catalog pattern, one of my saved designs, or an uploaded file)."""
from __future__ import annotations

import secrets

import streamlit as st

from design import DesignError, load_text
from patterns.catalog import load_catalog
from patterns.schema import LEVELS
from quizzes.bank import load_items
from quizzes.engine import MODES, QuizError, Spec
from quizzes.generate import items_for_design
from quizzes.topics import all_topics
from store import classes, designs, progress
from ui import design_input, limits, quiz_state
from ui.style import md_escape

SOURCES = ["Question bank", "My due reviews", "Class quiz (join code)", "Questions about a design"]
QUESTION_PARAM = "question"      # ?question=ID: one bank question (the home page's walkthrough ends with one)


def from_query(learner) -> None:
    """Start the one bank question `?question=ID` names, once per session and id, when no quiz is under way."""
    wanted = st.query_params.get(QUESTION_PARAM)
    if not wanted or st.session_state.get("quiz-from-query") == wanted:
        return
    items = load_items()
    if wanted not in items:
        st.session_state["quiz-from-query"] = wanted
        st.warning("That link names a question this site does not have: choose a quiz below instead.")
        return
    if quiz_state.active() is not None and not quiz_state.active()["session"].finished:
        st.info("Your quiz in progress comes first: finish it, then open the walkthrough's question again.")
        return
    st.session_state["quiz-from-query"] = wanted
    spec = Spec(item_ids=(wanted,), size=1, seed=secrets.randbelow(2**31), mode="review",
                title="Walkthrough: one question")
    try:
        quiz_state.start(items, spec, learner.key if learner else None)
    except QuizError as exc:
        st.error(md_escape(exc))


def show(learner) -> None:
    source = st.radio("What to practise", SOURCES, horizontal=True, key="quiz-source")
    if source == SOURCES[0]:
        _bank(learner)
    elif source == SOURCES[1]:
        _reviews(learner)
    elif source == SOURCES[2]:
        _class(learner)
    else:
        _design(learner)


def _start(items: dict, spec: Spec, learner, class_id: int | None = None) -> None:
    try:
        quiz_state.start(items, spec, learner.key if learner else None, class_id)
    except QuizError as exc:
        st.error(md_escape(exc))
        return
    st.rerun()


def _mode_fields(prefix: str) -> tuple[str, int | None]:
    mode = st.radio("Mode", list(MODES), format_func=lambda m: MODES[m]["title"], key=f"{prefix}-mode")
    minutes = st.number_input("Time limit (minutes, timed exam only)", 1, 180, 10, key=f"{prefix}-minutes",
                              disabled=not MODES[mode]["timed"])
    return mode, int(minutes * 60) if MODES[mode]["timed"] else None


def _bank(learner) -> None:
    items = load_items()
    topics = all_topics()
    if "quiz-seed" not in st.session_state:
        st.session_state["quiz-seed"] = secrets.randbelow(100_000)
    with st.form("bank-quiz"):
        chosen = st.multiselect("Topics (none = all)", list(topics), format_func=topics.get, key="bank-topics")
        levels = st.multiselect("Difficulty (none = all)", list(LEVELS), key="bank-levels")
        c1, c2 = st.columns(2)
        size = c1.number_input("Number of questions", 1, 50, 10, key="bank-size")
        seed = c2.number_input("Seed (same seed, same questions in the same order)", 0, 2**31 - 1,
                               key="quiz-seed")
        mode, limit = _mode_fields("bank")
        if st.form_submit_button("Start quiz", type="primary"):
            spec = Spec(topics=tuple(chosen), difficulties=tuple(levels), size=int(size), seed=int(seed), mode=mode,
                        time_limit_s=limit, title="Question bank")
            _start(items, spec, learner)
    st.caption(f"{len(items)} questions in the bank.")


def _reviews(learner) -> None:
    if learner is None:
        st.info("Sign in to get spaced reviews: concepts you missed come back after 1, 3, 7 and 14 days.")
        return
    due = progress.due_reviews(learner.key, quiz_state.now())
    if not due:
        st.success("Nothing is due for review. Missed concepts come back after 1, 3, 7 and 14 days.")
        return
    topics = all_topics()
    st.markdown("Due now: " + ", ".join(topics.get(s.concept, s.concept) for s in due))
    if st.button("Start review", type="primary", key="start-review"):
        spec = Spec(topics=tuple(s.concept for s in due), size=min(10, 3 * len(due)),
                    seed=secrets.randbelow(2**31), mode="review", title="Spaced review")
        _start(load_items(), spec, learner)


def _class(learner) -> None:
    if learner is None:
        st.info("Sign in first, so your teacher's class results can include your answers.")
        return
    with st.form("join-class"):
        code = st.text_input("Join code from your teacher", max_chars=10, placeholder="ABC-123")
        if st.form_submit_button("Join and start", type="primary"):
            try:
                klass = classes.join(learner.key, code)
            except KeyError:
                st.error("No class quiz has that code. Check it with your teacher.")
                return
            _start(load_items(), klass.spec, learner, class_id=klass.id)


# Questions about a design run it a few times (a clean run, a poisoned event, duplicated deliveries), under the
# quizzes' own scenario; the clean run is tried first under a tenth of the server's hop cap.
QUIZ_MAX_HOPS = limits.WEB_MAX_HOPS // 10


def _too_busy(design) -> bool:
    from quizzes.generate_runs import scenario_for
    from simulator.run import ScenarioError
    scenario = scenario_for(design)
    if scenario is None:
        return False
    try:
        return limits.hit_cap(limits.simulate(design, dict(scenario, max_hops=QUIZ_MAX_HOPS)))
    except ScenarioError:
        return False        # items_for_design makes only the structural question then


def _design(learner) -> None:
    catalog = load_catalog()
    options = ["A catalog pattern", "Upload a design file"] + (["One of my saved designs"] if learner else [])
    where = st.radio("Design", options, horizontal=True, key="gen-where")
    design = None
    if where == options[0]:
        pid = st.selectbox("Pattern", list(catalog), format_func=lambda p: catalog[p].title, key="gen-pattern")
        design = catalog[pid].design
    elif where == options[1]:
        design = design_input.upload_design(key="gen-upload")
    else:
        saved = designs.list(learner.key)
        if not saved:
            st.info("You have no saved designs yet.")
        else:
            pick = st.selectbox("Saved design", saved, format_func=lambda d: d.name, key="gen-saved")
            try:
                design = load_text(pick.yaml_text, "yaml", name=pick.name)
            except DesignError as exc:
                design_input.show_problems("That saved design does not load:", exc.problems, 10)
    if design is None:
        return
    if st.button("Make questions about this design", type="primary", key="gen-start"):
        if _too_busy(design):
            st.warning(f"This design keeps the simulator busy for more than {QUIZ_MAX_HOPS:,} hops with three "
                       "events (a cycle or a runaway fan-out), so this site makes no simulated questions about "
                       "it. Run it in the Simulator to see where the hops go.")
            return
        with st.spinner("Running your design in the simulator…"):
            generated = {i.id: i for i in items_for_design(design, seed=secrets.randbelow(1000))}
        if not generated:
            st.warning("No questions can be generated for this design yet: it needs a client that sends events "
                       "to a function, or a workflow or event chain to classify.")
            return
        _start(generated, Spec(item_ids=tuple(generated), size=len(generated), seed=secrets.randbelow(2**31),
                               mode="review", title=f"About {design.name}"), learner)
