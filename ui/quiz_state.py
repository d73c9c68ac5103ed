"""The quiz in progress, kept in st.session_state["quiz"], and saved to the store as it goes.

Every answer is written to the database before the next question is shown (when a learner is signed
in), so an acknowledged answer survives a restart of the server — and a reload: a reload opens a new session,
and `resume` rebuilds the learner's newest open attempt from the store (bank questions only; an attempt about a
design cannot be rebuilt, its questions were generated, so it is closed). Starting another quiz closes the
attempt left open; the store closes attempts nobody came back to (store.progress.close_abandoned).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

import streamlit as st

from quizzes.bank import load_items
from quizzes.engine import MODES, Answer, Session, Spec
from store import progress

STATE = "quiz"
_CHECKED = "quiz-resume-checked"
_SWEPT: dict[str, float] = {}
SWEEP_EVERY_S = 600


def now() -> datetime:
    return datetime.now(timezone.utc)


def active() -> dict | None:
    return st.session_state.get(STATE)


def keep_only_for(owner: str | None) -> None:
    """Drop a quiz whose answers would be saved for someone other than `owner` (the learner signed in now)."""
    quiz = active()
    if quiz is not None and quiz["owner"] is not None and quiz["owner"] != owner:
        clear()


def start(items: dict, spec: Spec, owner: str | None, class_id: int | None = None) -> None:
    session = Session.start(items, spec, now())
    attempt_id = progress.start_attempt(owner, session, class_id=class_id) if owner else None
    if owner:
        progress.close_open_attempts(owner, keep=attempt_id)     # only one quiz at a time resumes
    st.session_state[STATE] = {"session": session, "items": {i: items[i] for i in session.item_ids},
                               "attempt_id": attempt_id, "owner": owner, "class_id": class_id,
                               "nonce": secrets.randbelow(10**9), "feedback_for": None}


def submit(item_id: str, response: dict) -> None:
    quiz = active()
    session: Session = quiz["session"]
    item = quiz["items"][item_id]
    answer = session.answer(quiz["items"], item_id, response, now())
    if quiz["attempt_id"] is not None:
        progress.record_answer(quiz["owner"], quiz["attempt_id"], item_id, answer, item.topics)
    if session.feedback_each:
        quiz["feedback_for"] = item_id
    if session.current() is None and not session.feedback_each:
        finish()


def next_question() -> None:
    quiz = active()
    quiz["feedback_for"] = None
    if quiz["session"].current() is None:
        finish()


def finish() -> None:
    quiz = active()
    session: Session = quiz["session"]
    session.finish(now())
    if quiz["attempt_id"] is not None:
        progress.finish_attempt(quiz["owner"], quiz["attempt_id"], session)


def retake() -> None:
    quiz = active()
    spec = quiz["session"].retake_spec(seed=secrets.randbelow(2**31))
    start(quiz["items"], spec, quiz["owner"])


def clear() -> None:
    st.session_state.pop(STATE, None)


def sweep_abandoned() -> None:
    """Close everyone's abandoned attempts, at most every SWEEP_EVERY_S per process."""
    t = now().timestamp()
    if t - _SWEPT.get("at", 0.0) < SWEEP_EVERY_S:
        return
    _SWEPT["at"] = t
    progress.close_abandoned(now())


def _session_from(doc: dict, items: dict) -> Session | None:
    spec_doc = doc.get("spec")
    if not spec_doc or any(i not in items for i in doc["item_ids"]):
        return None
    try:
        spec = Spec(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec_doc.items()})
        if spec.mode not in MODES:
            return None
    except TypeError:
        return None
    answers = {k: Answer(response=a["response"], score=float(a["score"]), answered_at=a["answered_at"],
                         late=a["late"]) for k, a in doc["answers"].items() if k in doc["item_ids"]}
    return Session(spec=spec, item_ids=list(doc["item_ids"]), started_at=doc["started_at"],
                   deadline=doc["deadline"], answers=answers)


def resume(owner: str | None) -> bool:
    """Once per session and learner: take up the learner's open attempt (after a reload). True when resumed."""
    if owner is None or active() is not None or st.session_state.get(_CHECKED) == owner:
        return False
    st.session_state[_CHECKED] = owner
    progress.close_abandoned(now(), owner=owner)
    doc = progress.open_attempt(owner)
    if doc is None:
        return False
    items = load_items()
    session = _session_from(doc, items)
    if session is None:
        progress.close_attempt(owner, doc["id"])
        return False
    st.session_state[STATE] = {"session": session, "items": {i: items[i] for i in session.item_ids},
                               "attempt_id": doc["id"], "owner": owner, "class_id": doc["class_id"],
                               "nonce": secrets.randbelow(10**9), "feedback_for": None, "resumed": True}
    if session.current() is None:
        finish()
    return True
