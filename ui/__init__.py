"""Streamlit rendering helpers. Only pages/ and ui/ import streamlit."""
