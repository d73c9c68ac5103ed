"""Serverless Pattern Studio: the site's entry point. `streamlit run app.py` (or `make run`)."""
import streamlit as st

from ui import style

# The one list of pages: only pages that work are listed.
PAGES = [
    st.Page("pages/home.py", title="Start here", icon=":material/home:", default=True),
    st.Page("pages/catalog.py", title="Pattern catalog", icon=":material/menu_book:"),
    st.Page("pages/compare.py", title="Choreography vs orchestration", icon=":material/compare_arrows:"),
    st.Page("pages/simulate.py", title="Simulator", icon=":material/play_circle:"),
]

st.set_page_config(page_title="Serverless Pattern Studio", page_icon=":material/hub:", layout="wide")
style.apply()
st.navigation(PAGES).run()
