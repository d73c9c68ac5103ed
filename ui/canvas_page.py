"""Page set-up for the designer, classroom and side-by-side pages: the wide layout and the site style.

`make run` starts the site through `ui.serve`, so app.py always runs first; when someone starts it with a
plain `streamlit run app.py`, Streamlit 1.67 runs a deep link (a classroom link a student opens) as a
pages-directory page without app.py. These pages then still get the wide layout and the style (both are
harmless repeats when app.py has run).
"""
from __future__ import annotations

import streamlit as st

from ui import style


def setup(title: str) -> None:
    st.set_page_config(page_title=f"{title} · Serverless Pattern Studio", page_icon=style.ICON,
                       layout="wide", initial_sidebar_state="collapsed")
    style.apply(compact=True)
