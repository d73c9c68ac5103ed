"""My progress: due reviews, weak topics, quiz history and saved designs — the signed-in learner's only."""
from __future__ import annotations

import secrets

import streamlit as st

from quizzes.bank import load_items
from quizzes.engine import Spec
from quizzes.spaced import BOX_DAYS
from quizzes.topics import title as topic_title
from store import designs, progress
from ui import quiz_state


def _topics_of(item_id: str):
    item = load_items().get(item_id)
    return item.topics if item else ()


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M UTC") if dt else "—"


def show(learner) -> None:
    now = quiz_state.now()
    st.subheader("Due reviews", anchor=False)
    states = progress.review_states(learner.key)
    due = [s for s in states.values() if s.is_due(now)]
    if due:
        st.markdown("Due now: " + ", ".join(f"**{topic_title(s.concept)}**" for s in due))
        if st.button("Start my review", type="primary", key="progress-review"):
            spec = Spec(topics=tuple(s.concept for s in due), size=min(10, 3 * len(due)),
                        seed=secrets.randbelow(2**31), mode="review", title="Spaced review")
            quiz_state.start(load_items(), spec, learner.key)
            st.switch_page("pages/quiz.py")
    else:
        st.markdown(":material/check_circle: Nothing due right now.")
    if states:
        rows = [{"concept": topic_title(s.concept), "box": f"{s.box} of {len(BOX_DAYS)}", "next review": _when(s.due_at),
                 "due now": "yes" if s.is_due(now) else "no"} for s in sorted(states.values(), key=lambda s: s.due_at)]
        st.dataframe(rows, hide_index=True)
    st.caption("Spaced review: a concept you miss comes back after 1 day; each right answer on its due date moves it "
               "to the next box (3, 7, then 14 days); right in the last box and it leaves the schedule. A miss sends "
               "it back to box 1.")

    st.subheader("Topics", anchor=False)
    stats = progress.topic_stats(learner.key, topics_of=_topics_of)
    if not stats:
        st.markdown("No answers yet. Take a quiz to see your topics here.")
    else:
        weak = progress.weak_topics(stats)
        if weak:
            st.markdown("**Weakest topics** (at least two answers): " + ", ".join(
                f"{topic_title(t)} ({100 * r:.0f} %)" for t, r in weak))
        rows = [{"topic": topic_title(t), "answers": s["answered"], "percent": round(100 * s["score"] / s["answered"], 1)}
                for t, s in stats.items()]
        st.bar_chart(rows, x="topic", y="percent", horizontal=True, height=max(200, 30 * len(rows)))

    st.subheader("History", anchor=False)
    history = progress.history(learner.key)
    if not history:
        st.markdown("No quizzes yet.")
    else:
        st.dataframe([{"quiz": h["title"] or h["mode"], "mode": h["mode"], "started": _when(h["started_at"]),
                       "answered": f"{h['answered']} of {h['items']}",
                       "score": "in progress" if h["finished_at"] is None else f"{h['score']:g} / {h['max_score']:g}"}
                      for h in history], hide_index=True)

    st.subheader("Saved designs", anchor=False)
    saved = designs.list(learner.key)
    if saved:
        st.dataframe([{"name": d.name, "last saved": _when(d.updated_at)} for d in saved], hide_index=True)
    else:
        st.markdown("No saved designs.")
