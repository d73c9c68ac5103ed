"""The Live page: join a live lesson by code (students, no account), follow the teacher's canvas, answer the
teacher's questions; the teacher's own screen is ui.live_teacher.

URL: `?join=CODE` (the QR code: the join form, code filled in) · `?seat=TOKEN` (a student in the lesson: the
seat token stays in the student's own address bar, so a reconnect to another replica keeps the seat) ·
`?session=ID` (the teacher, signed in as its owner).

A student's canvas follows the teacher by itself: it polls the site's position route (ui.serve,
`/_sps/live/{code}`) a few times a second and moves its playback there without a Streamlit rerun
(frontend/src/live.js). The page's own poll (one fragment, once a second) is the Streamlit path beside it: the
question panel, the captions, "Rejoin the teacher", and the store's position handed to the canvas through the
live bridge (ui.live_bridge) in case the route cannot be reached; the canvas takes whichever is newer.

Every poll reads the store (store.live), never this process's memory; a database that does not answer shows
"reconnecting" and the page keeps trying.
"""
from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from designer import links
from store import live
from ui import identity, live_bridge
from ui.canvas import canvas
from ui import canvas_session as cs
from ui.playback_classroom import _shared_run
from ui.style import md_escape

LESSON_EVERY_S = 1.0      # the page's poll: questions, captions, and the position for the Streamlit path
POLL_MS = 300             # the canvas's own poll of the position route (no rerun: a cached read on the server)
LIMIT = 2000              # hops sent to the canvas (the classroom page's default)
DB_ERRORS = (sa.exc.SQLAlchemyError, OSError)


def reconnecting(what: str = "the lesson") -> None:
    st.warning(f"Reconnecting to {what}… the database is not answering; this screen keeps trying every second "
               "and nothing you have already sent is lost.", icon=":material/sync:")


@st.fragment(run_every=1.0)
def _retry_until_back() -> None:
    """Shown while the database is down on a full run: reruns the page once it answers again."""
    try:
        with live.open_database().read() as conn:
            conn.execute(sa.text("SELECT 1"))
    except DB_ERRORS:
        reconnecting()
        return
    st.rerun()


def load_run(run_code: str) -> dict | None:
    try:
        return _shared_run(run_code, LIMIT)
    except links.LinkError:
        st.error("This lesson's run cannot be opened (its link is damaged). Ask the teacher to start a new one.")
        return None


def join_form(prefill: str = "") -> None:
    st.markdown("Type the **join code** your teacher shows (or scan the QR code) and a display name. No account "
                "is needed; the name is only a label for this lesson.")
    with st.form("live-join"):
        code = st.text_input("Join code", value=prefill, max_chars=12, placeholder="ABC-DEF")
        name = st.text_input("Your display name", max_chars=80, placeholder="e.g. Ada")
        go = st.form_submit_button("Join the lesson", type="primary")
    if not go:
        return
    shown = md_escape(live.normal_code(code) or code)
    try:
        seat, token = live.join(code, name)
    except live.UnknownCode:
        st.error(f"No live lesson has the code **{shown}**. Check the code on the board: six letters and digits "
                 "(0/O and 1/I/L are never used).")
        return
    except live.Expired:
        st.error(f"The live lesson **{shown}** has ended or expired. Ask your teacher for the code of the "
                 "lesson running now.")
        return
    except ValueError as exc:
        st.error(md_escape(exc))
        return
    except DB_ERRORS:
        reconnecting()
        return
    st.query_params.from_dict({"seat": token})
    st.rerun()


def _away(_value) -> None:
    st.session_state["live-following"] = False


def _rejoin() -> None:
    st.session_state["live-following"] = True
    st.session_state["live-epoch"] = st.session_state.get("live-epoch", 0) + 1


def _snap(seat: live.Seat) -> tuple[dict | None, bool]:
    """The latest snapshot (None before the first), and whether the database failed to answer just now."""
    try:
        snap = live.snapshot(seat.session_id, seat.id)
    except DB_ERRORS:
        return st.session_state.get("live-last-snap"), True
    st.session_state["live-last-snap"] = snap
    return snap, False


def position_url(code: str) -> str:
    """The position route of the live session with this join code (ui.serve.LIVE_PATH)."""
    return identity.route_url(f"/_sps/live/{code}")


def live_data(role: str, code: str, seek: dict | None = None) -> dict:
    """The canvas's `live` input (frontend/contract.schema.json): follow or report through the route."""
    data = {"role": role, "url": position_url(code), "channel": live_bridge.CHANNEL, "every_ms": POLL_MS}
    if seek is not None:
        data["seek"] = seek
    return data


@st.fragment(run_every=LESSON_EVERY_S)
def lesson(seat: live.Seat, payload: dict) -> None:
    """One read a second: the Streamlit path of the position, the captions and the question."""
    snap, down = _snap(seat)
    follower(snap, down, payload)
    if snap is not None:
        question(seat, snap)


def follower(snap: dict | None, down: bool, payload: dict) -> None:
    following = st.session_state.setdefault("live-following", True)
    epoch = st.session_state.setdefault("live-epoch", 0)
    ended = bool(snap and snap["ended"])
    position = None if snap is None else {k: snap[k] for k in ("hop", "playing", "speed", "seq")} | \
        {"t": snap["sim_t"]}
    live_bridge.follow("live-follow", position, following=following and not ended, epoch=epoch, ended=ended,
                       on_away=_away)
    if down:
        reconnecting()
    if snap is None:
        return
    if ended:
        st.info("The teacher has ended this live lesson. You can keep exploring the run on your own.")
    elif following:
        total = len(payload["hops"])
        state = "playing" if snap["playing"] else "paused"
        st.caption(f"Following the teacher: hop {min(snap['hop'], total):,} of {total:,}, {state}, "
                   f"speed {snap['speed']:g}×.")
    else:
        c1, c2 = st.columns([3, 1])
        c1.info("You are exploring on your own; the teacher's canvas goes on without you.")
        c2.button("Rejoin the teacher", type="primary", on_click=_rejoin, key="live-rejoin",
                  icon=":material/sync:")


def question(seat: live.Seat, snap: dict) -> None:
    q = snap.get("question")
    if not q:
        return
    st.subheader("Question from your teacher", anchor=False)
    st.markdown(md_escape(q["stem"]))
    labels = {o["id"]: f"{chr(65 + n)}. {o['text']}" for n, o in enumerate(q["options"])}
    if q["revealed"]:
        right = q.get("answer")
        for oid, text in labels.items():
            mark = "✅ " if oid == right else ""
            mine = " — your answer" if oid == snap.get("mine") else ""
            st.markdown(f"{mark}{md_escape(text)}{mine}")
        if snap.get("mine") is None:
            st.caption("You did not answer this one.")
        elif right is not None:
            (st.success if snap["mine"] == right else st.warning)(
                "Right." if snap["mine"] == right else "Not this time.")
        if q.get("explanation"):
            st.caption(md_escape(q["explanation"]))
        return
    options = list(labels)
    current = snap.get("mine")
    choice = st.radio("Your answer", options, format_func=labels.get, index=None, key=f"live-choice-{q['id']}")
    sent = st.button("Send my answer", type="primary", key=f"live-send-{q['id']}")
    if sent:
        if choice is None:
            st.warning("Choose an answer first.")
        else:
            try:
                ok = live.answer(st.query_params.get("seat", ""), q["id"], choice)
            except DB_ERRORS:
                reconnecting()
                return
            if ok:
                current = choice
            else:
                st.warning("This question is closed: the teacher has revealed the answer or moved on.")
    if current is not None:
        st.success(f"Your answer is in: {md_escape(labels.get(current, current))}. You can change it until the "
                   "teacher reveals the answer.")


def student(token: str) -> None:
    try:
        found = live.seat(token)
    except DB_ERRORS:
        st.title("Live lesson", anchor=False)
        _retry_until_back()
        return
    if found is None:
        st.title("Live lesson", anchor=False)
        st.error("This seat is not known (the link may be cut short, or the lesson was removed). Join again with "
                 "the code on the board.")
        st.query_params.clear()
        join_form()
        return
    seat, session = found
    st.title(f"Live: {session.title}", anchor=False)
    st.caption(f"You are **{md_escape(seat.display_name)}** · teacher {md_escape(session.teacher)} · "
               "your screen follows the teacher's canvas.")
    shared = load_run(session.run_code)
    if shared is None:
        return
    design = shared["design"]
    data = cs.readonly_data(design, shared["payload"], presenter=False, height=460)
    data["follow"] = True                      # the viewport follows the playback
    data["live"] = live_data("follow", session.code)
    canvas(data, key="sps-live-canvas")
    lesson(seat, shared["payload"])


def show() -> None:
    params = st.query_params
    if params.get("session"):
        from ui import live_teacher
        live_teacher.show(params.get("session"))
        return
    if params.get("seat"):
        student(params.get("seat"))
        return
    st.title("Join a live lesson", anchor=False)
    join_form(params.get("join", ""))
