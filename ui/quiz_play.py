"""Playing a quiz: progress bar, the current question, feedback by mode, and the results."""
from __future__ import annotations

import streamlit as st

from ui import quiz_state, quiz_view
from ui.style import md_escape


def show() -> None:
    quiz = quiz_state.active()
    session = quiz["session"]
    items = quiz["items"]
    done, total = session.progress()
    st.subheader(md_escape(session.spec.title or "Quiz"), anchor=False)
    if quiz["attempt_id"] is None and not session.finished:
        st.caption("Not signed in: this quiz is not saved to your progress.")
    elif quiz.get("resumed") and not session.finished:
        st.caption(f":material/history: Picked up where you left off: {done} of {total} answered.")
    st.progress(done / total, text=f"{done} of {total} answered")
    left = session.time_left(quiz_state.now())
    if left is not None and not session.finished:
        if left > 0:
            st.markdown(f":material/timer: **Time left: {int(left // 60)} min {int(left % 60):02d} s** (answers after the limit "
                        "score 0; the clock is checked when you submit)")
        else:
            st.warning(":material/timer_off: Time is up. Answers you submit now are recorded but score 0.")
    if session.finished:
        _results(quiz)
        return
    shown = quiz["feedback_for"]
    if shown is not None:
        answer = session.answers[shown]
        quiz_view.show_feedback(items[shown], answer.response, answer.score, answer.late)
        label = "Next question" if session.current() is not None else "See my results"
        st.button(label, type="primary", on_click=quiz_state.next_question, key=f"next-{quiz['nonce']}-{shown}")
        return
    current = session.current()
    response = quiz_view.show_item(items[current], session.spec.seed, f"{quiz['nonce']}-{current}",
                                   done + 1, total)
    if response is not None:
        quiz_state.submit(current, response)
        st.rerun()
    st.button("Finish now (unanswered questions score 0)", on_click=quiz_state.finish, key=f"finish-{quiz['nonce']}")


def _results(quiz) -> None:
    session, items = quiz["session"], quiz["items"]
    st.markdown("### Results")
    quiz_view.show_results(session, items)
    if not session.feedback_each:
        st.markdown("### Answers and explanations")
        for n, iid in enumerate(session.item_ids, 1):
            answer = session.answers.get(iid)
            with st.expander(f"{n}. " + quiz_view.quiz_text(items[iid], items[iid].stem[:90])):
                st.markdown(quiz_view.quiz_text(items[iid], items[iid].stem))
                quiz_view.show_feedback(items[iid], answer.response if answer else {},
                                        answer.score if answer else 0.0, answer.late if answer else False)
    c1, c2 = st.columns(2)
    if session.missed():
        c1.button(f"Retake the {len(session.missed())} missed question(s)", on_click=quiz_state.retake,
                  type="primary", key=f"retake-{quiz['nonce']}")
    else:
        c1.success("Every question right.", icon=":material/check_circle:")
    c2.button("Start a new quiz", on_click=quiz_state.clear, key=f"new-{quiz['nonce']}")
