"""Teacher: class quizzes with a join code, and per-question results for your own classes."""
import streamlit as st

from ui import identity, teacher_view

st.title("Teacher", anchor=False)
teacher = identity.sign_in_panel("create class quizzes")
if teacher is None:
    st.info("Sign in to create a class quiz. Only you will see its results, and only as totals per question.")
else:
    teacher_view.create_form(teacher)
    st.subheader("Results", anchor=False)
    teacher_view.results(teacher)
    st.subheader("Live sessions", anchor=False)
    teacher_view.live_sessions(teacher)
