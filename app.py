"""Serverless Pattern Studio: the site's entry point. `streamlit run app.py` (or `make run`)."""
import streamlit as st

from ui import style

# The one list of pages: only pages that work are listed.
PAGES = [
    st.Page("pages/home.py", title="Start here", icon=":material/home:", default=True),
    st.Page("pages/catalog.py", title="Pattern catalog", icon=":material/menu_book:"),
    st.Page("pages/compare.py", title="Choreography vs orchestration", icon=":material/compare_arrows:"),
    st.Page("pages/simulate.py", title="Simulator", icon=":material/play_circle:"),
    st.Page("pages/export.py", title="Export and import", icon=":material/download:"),
    st.Page("pages/quiz.py", title="Quiz", icon=":material/quiz:"),
    st.Page("pages/progress.py", title="My progress", icon=":material/insights:"),
    st.Page("pages/teacher.py", title="Teacher", icon=":material/school:"),
    st.Page("pages/designer.py", title="Designer", icon=":material/draw:"),
    st.Page("pages/classroom.py", title="Classroom", icon=":material/co_present:"),
    st.Page("pages/live.py", title="Live lesson", icon=":material/cast_for_education:"),
    st.Page("pages/compare_designs.py", title="Two designs side by side", icon=":material/splitscreen:"),
]

st.set_page_config(page_title="Serverless Pattern Studio", page_icon=style.ICON, layout="wide")
style.apply()
st.navigation(PAGES).run()
