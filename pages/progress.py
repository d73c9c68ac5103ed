"""My progress: history, weak topics, due reviews and saved designs."""
import streamlit as st

from store import progress
from ui import identity, progress_view, quiz_state

st.title("My progress", anchor=False)
learner = identity.sign_in_panel("see your progress")
if learner is None:
    st.info("Your progress is private: sign in with a display name (you get a personal code to come back) "
            "or with your organisation's login where the site has one.")
else:
    quiz_state.sweep_abandoned()
    progress.close_abandoned(quiz_state.now(), owner=learner.key)     # nothing shows "in progress" for ever
    progress_view.show(learner)
