"""My progress: history, weak topics, due reviews and saved designs."""
import streamlit as st

from ui import identity, progress_view

st.title("My progress", anchor=False)
learner = identity.sign_in_panel("see your progress")
if learner is None:
    st.info("Your progress is private: sign in with a display name (you get a personal code to come back) "
            "or with your organisation's login where the site has one.")
else:
    progress_view.show(learner)
