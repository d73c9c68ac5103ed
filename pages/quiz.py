"""Quiz: practise from the question bank, a class code, due reviews, or questions about a design."""
import streamlit as st

from ui import identity, quiz_play, quiz_setup, quiz_state

st.title("Quiz", anchor=False)
learner = identity.sign_in_panel("keep your progress", expanded=quiz_state.active() is None)
quiz_state.keep_only_for(learner.key if learner else None)
if identity.database_problem() is None:
    quiz_state.sweep_abandoned()
    quiz_state.resume(learner.key if learner else None)
quiz_setup.from_query(learner)
if quiz_state.active() is None:
    st.markdown("Every question explains every option: why the right ones are right and the others wrong. "
                "“Predict the outcome” questions are answered by the simulator itself.")
    quiz_setup.show(learner)
else:
    quiz_play.show()
