"""Classroom: a shared link shows every student the identical run; the presenter view steps hop by hop."""
import streamlit as st

from ui import canvas_page, playback_classroom

canvas_page.setup("Classroom")
playback_classroom.show(st.query_params.get("run"))
