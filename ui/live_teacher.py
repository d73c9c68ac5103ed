"""The teacher's screen of a live lesson (the projector): the join code and its QR code, the presenter canvas
whose position every student follows, the class count, and live questions with the answers as a chart.

The presenter canvas reports its position itself, by POST to the site's position route (ui.serve, as this
teacher by the sign-in cookie) with no rerun; the reporter fragment (ui.live_bridge) is the Streamlit path for
what the route cannot take. A seek (a resumed tab returning to the stored position, a revealed answer) goes to
the canvas in its `live` data, applied before it reports anything.

Only the join code is shown (never a student's seat or anyone's personal code); names go in a closed box.
"""
from __future__ import annotations

import io
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from store import live
from ui import canvas_session as cs
from ui import identity, live_bridge
from ui import live_questions as lq
from ui.canvas import canvas
from ui.live_view import DB_ERRORS, _retry_until_back, live_data, load_run, reconnecting
from ui.style import md_escape

TEACHER_EVERY_S = 1.0     # the teacher's panel polls answers once a second


def join_url(code: str) -> str:
    """The address a student's phone opens: this site's Live page with the code filled in."""
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 — no browser context (bare mode)
        parts = urlsplit("")
    path = parts.path or "/live"
    if not path.rstrip("/").endswith("live"):
        path = path.rstrip("/") + "/live"
    return urlunsplit((parts.scheme or "http", parts.netloc or "localhost:8501", path, f"join={code}", ""))


def qr_svg(text: str) -> str:
    import segno
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="svg", scale=6, border=2, dark="#111111", light="#ffffff",
                                     xmldecl=False)
    return buf.getvalue().decode("utf-8")


def start(teacher, title: str, run_code: str) -> None:
    """Start a live session on `run_code` and open its teacher screen."""
    session = live.start(teacher.key, title, run_code)
    st.switch_page("pages/live.py", query_params={"session": str(session.id)})


def start_button(run_code: str, title: str, key: str) -> None:
    """A 'Start a live session' button for a run (classroom page); needs a signed-in teacher."""
    teacher = identity.current_learner()
    if teacher is None:
        st.caption("To drive this run live (students follow your canvas and answer your questions), sign in on "
                   "the Teacher page first.")
        return
    if st.button("Start a live session", key=key, icon=":material/cast_for_education:", type="primary"):
        try:
            start(teacher, title, run_code)
        except DB_ERRORS:
            reconnecting("the database")


def start_button_for(design, scenario: dict | None, title: str, key: str) -> None:
    """The same button for a design and its scenario (the designer's "Share with a class", a catalog pattern):
    the run is encoded as a classroom link's, and only when the button is pressed."""
    teacher = identity.current_learner()
    if teacher is None:
        st.caption("Signed in on the Teacher page, you can start a live session on this run here: students join "
                   "by code, follow your canvas and answer your questions.")
        return
    if not st.button("Start a live session", key=key, icon=":material/cast_for_education:",
                     help="Students join by a short code (no account) and their canvases follow yours."):
        return
    import copy
    from designer import links
    from designer.layout import ensure_positions
    scenario = copy.deepcopy(dict(scenario or {}))
    seed = int(scenario.pop("seed", 1))
    try:
        code = links.encode(ensure_positions(design), scenario, seed)
    except links.LinkError as exc:
        st.error(md_escape(exc))
        return
    try:
        start(teacher, title, code)
    except DB_ERRORS:
        reconnecting("the database")


def _pos(teacher, session_id: int):
    def write(value: dict) -> None:
        pending = {"hop": int(value.get("hop", 0)), "sim_t": float(value.get("t", 0) or 0),
                   "playing": bool(value.get("playing")), "speed": float(value.get("speed", 1) or 1)}
        st.session_state["live-pending"] = pending
        _flush(teacher, session_id)
    return write


def _flush(teacher, session_id: int) -> bool:
    pending = st.session_state.get("live-pending")
    if pending is None:
        return True
    try:
        live.set_position(teacher.key, session_id, **pending)
    except DB_ERRORS:
        return False
    st.session_state.pop("live-pending", None)
    return True


def _seek(payload: dict, hop: int) -> None:
    hops = payload["hops"]
    t = hops[hop - 1][0] if 0 < hop <= len(hops) else 0.0
    n = st.session_state.get("live-seeks", 0) + 1
    st.session_state["live-seeks"] = n
    st.session_state["live-seek"] = {"id": f"reveal-{n}", "hop": int(hop), "t": t}


@st.fragment
def reporter(teacher, session: live.LiveSession) -> None:
    """The bridge alone in its fragment: a report the route could not take reruns only this (the write happens
    in its callback)."""
    live_bridge.report("live-report", _pos(teacher, session.id))


@st.fragment(run_every=TEACHER_EVERY_S)
def panel(teacher, session: live.LiveSession, design, payload: dict) -> None:
    flushed = _flush(teacher, session.id)
    try:
        snap = live.snapshot(session.id)
        names = live.participants(teacher.key, session.id)
    except DB_ERRORS:
        reconnecting()
        return
    if not flushed:
        reconnecting()
    total = len(payload["hops"])
    st.caption(f"{len(names)} student(s) joined · your canvas is at hop {min(snap['hop'], total):,} of {total:,} "
               f"({'playing' if snap['playing'] else 'paused'}, {snap['speed']:g}×): every student's canvas "
               "follows it.")
    q = snap["question"]
    if q and not q["revealed"]:
        open_question(teacher, session, q, payload)
    else:
        if q:
            open_question(teacher, session, q, payload)
        ask_forms(teacher, session, design, payload, snap["hop"])


def open_question(teacher, session, q: dict, payload: dict) -> None:
    st.subheader("Question to the class", anchor=False)
    st.markdown(md_escape(q["stem"]))
    try:
        tally = live.tally(teacher.key, session.id, q["id"])
        full = live.current_question(session.id)
    except DB_ERRORS:
        reconnecting()
        return
    letters = {o["id"]: chr(65 + n) for n, o in enumerate(q["options"])}
    for o in q["options"]:
        mark = " ✅" if q["revealed"] and o["id"] == full.answer else ""
        st.markdown(f"**{letters[o['id']]}.** {md_escape(o['text'])}{mark}")
    st.markdown(f"**{tally['answered']}** of {tally['seats']} answered.")
    if tally["withheld"]:
        st.caption(f"The distribution appears from {tally['min_group']} answers: in a smaller group it would show "
                   "what each student chose.")
    else:
        rows = [{"answer": f"{letters[o['id']]}. {o['text'][:48]}", "students": tally["counts"][o["id"]]}
                for o in q["options"]]
        st.bar_chart(rows, x="answer", y="students", horizontal=True, sort=False, height=60 + 44 * len(rows))
    if q["revealed"]:
        if full.explanation:
            st.caption(md_escape(full.explanation))
        return
    c1, c2 = st.columns(2)
    if c1.button("Reveal the answer" + (" and play it" if full.answer_hop else ""), type="primary",
                 key=f"reveal-{q['id']}", icon=":material/visibility:"):
        try:
            live.reveal(teacher.key, session.id, q["id"])
        except DB_ERRORS:
            reconnecting()
            return
        if full.answer_hop:
            _seek(payload, full.answer_hop)
            st.rerun()                 # the whole page: the canvas's live data carries the seek
        st.rerun(scope="fragment")
    c2.caption("Students can change their answer until you reveal it.")


@st.cache_data(show_spinner=False, max_entries=8)
def _quiz_questions(run_code: str) -> list[dict]:
    from ui.playback_classroom import _shared_run
    design = _shared_run(run_code, 2000)["design"]
    return [lq.from_quiz_item(i) for i in lq.quiz_items(design)]


def _ask(teacher, session, hop: int, q: dict) -> None:
    try:
        live.ask(teacher.key, session.id, hop=hop, stem=q["stem"], options=q["options"], answer=q.get("answer"),
                 source=q.get("source", "typed"), explanation=q.get("explanation", ""),
                 answer_hop=q.get("answer_hop"))
    except ValueError as exc:
        st.error(md_escape(exc))
        return
    except DB_ERRORS:
        reconnecting()
        return
    st.rerun(scope="fragment")


def ask_forms(teacher, session, design, payload: dict, hop: int) -> None:
    st.subheader("Ask the class", anchor=False)
    t_run, t_quiz, t_typed = st.tabs(["About this hop", "From the quiz engine", "Type a question"])
    with t_run:
        q = lq.next_for_event(design, payload, hop)
        if q is None:
            st.caption("Step to a hop first: the question is about the event at your current hop.")
        else:
            st.markdown(md_escape(q["stem"]))
            st.caption(" · ".join(f"{chr(65 + n)}. {md_escape(o['text'])}" for n, o in enumerate(q["options"])))
            if st.button("Ask this question", key=f"ask-run-{hop}", type="primary"):
                _ask(teacher, session, hop, q)
    with t_quiz:
        if st.toggle("Generate from this design (a few seeded runs)", key="quiz-gen"):
            with st.spinner("Running the design with a poison event…"):
                items = _quiz_questions(session.run_code)
            if not items:
                st.caption("The quiz engine has no run-derived question for this design.")
            else:
                pick = st.selectbox("Question", range(len(items)), format_func=lambda i: items[i]["stem"][:120],
                                    key="quiz-pick")
                if st.button("Ask this question", key="ask-quiz", type="primary"):
                    _ask(teacher, session, hop, items[pick])
    with t_typed:
        with st.form("ask-typed", clear_on_submit=True):
            stem = st.text_input("Question", max_chars=live.MAX_STEM)
            opts = [st.text_input(f"Answer {chr(65 + n)}", max_chars=live.MAX_OPTION, key=f"typed-{n}")
                    for n in range(4)]
            right = st.selectbox("The right answer", ["A", "B", "C", "D", "none (a poll)"])
            if st.form_submit_button("Ask", type="primary"):
                options = [{"id": chr(97 + n), "text": t} for n, t in enumerate(opts) if t.strip()]
                answer = None if right.startswith("none") else right.lower()
                if answer is not None and answer not in {o["id"] for o in options}:
                    st.error("The right answer must be one of the answers you filled in.")
                else:
                    _ask(teacher, session, hop, {"stem": stem, "options": options, "answer": answer,
                                                 "source": "typed"})


def show(session_param: str) -> None:
    teacher = identity.current_learner()
    if teacher is None:
        st.title("Live lesson", anchor=False)
        st.info("Sign in on the Teacher page to drive your live session; it is listed there under "
                "“Live sessions”, ready to resume.")
        st.page_link("pages/teacher.py", label="Teacher page", icon=":material/school:")
        return
    try:
        session = live.owner_session(teacher.key, int(session_param))
    except (ValueError, KeyError, PermissionError):
        st.title("Live lesson", anchor=False)
        st.error("This live session is not one of yours. Open your sessions from the Teacher page.")
        return
    except DB_ERRORS:
        st.title("Live lesson", anchor=False)
        _retry_until_back()
        return
    if not session.active():
        st.title(f"Live: {session.title}", anchor=False)
        st.info("This live session has ended. Its results are on the Teacher page.")
        return
    shared = load_run(session.run_code)
    if shared is None:
        return
    design, payload = shared["design"], shared["payload"]
    left, right = st.columns([4, 1])
    with left:
        st.title(f"Live: {session.title}", anchor=False)
        st.markdown(f"Join at **{md_escape(join_url(session.code).split('?')[0])}** with the code")
        st.markdown(f"<p data-testid='join-code' style='font-size:2.6rem;font-weight:700;letter-spacing:.12em;"
                    f"margin:0'>{session.code}</p>", unsafe_allow_html=True)
    with right:
        st.image(qr_svg(join_url(session.code)), caption="Scan to join", width=150)
    resumed = st.session_state.get("live-resumed")
    if resumed != session.id:
        # a new tab (or a reconnect to another replica): bring this canvas to the stored position before
        # reporting anything, so that resuming never pulls the class back to hop 0
        try:
            snap = live.snapshot(session.id)
            st.session_state["live-seek"] = {"id": f"resume-{session.id}", "hop": int(snap["hop"]),
                                             "t": float(snap["sim_t"]), "speed": float(snap["speed"])}
            st.session_state["live-resumed"] = session.id
        except DB_ERRORS:
            reconnecting()
    data = cs.readonly_data(design, payload, presenter=True, height=640)
    data["live"] = live_data("teach", session.code, st.session_state.get("live-seek"))
    canvas(data, key="sps-live-canvas")
    reporter(teacher, session)
    panel(teacher, session, design, payload)
    with st.expander("Who joined (display names)"):
        try:
            names = live.participants(teacher.key, session.id)
        except DB_ERRORS:
            names = []
        st.markdown(", ".join(md_escape(n) for n in names) or "Nobody yet.")
    if st.button("End the live session", key="live-end", icon=":material/stop_circle:"):
        live.end(teacher.key, session.id)
        st.rerun()
