"""The quiz in progress, kept in st.session_state["quiz"], and saved to the store as it goes.

Every answer is written to the database before the next question is shown (when a learner is signed
in), so an acknowledged answer survives a restart of the server.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

import streamlit as st

from quizzes.engine import Session, Spec
from store import progress

STATE = "quiz"


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

