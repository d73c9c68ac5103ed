"""The canvas component: our React Flow bundle (frontend/dist, built by Vite, committed) mounted with
Streamlit Components v2. No iframe; the bundle is read once per process and passed inline.

The component sends edits as the trigger value `edit`; `on_edit(value)` is called with it *before* the
page's script runs (a widget callback), so the rerun that follows already shows the design Python answered
with.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
NAME = "serverless_pattern_studio.canvas"


class BundleMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _bundle() -> tuple[str, str]:
    try:
        return (DIST / "canvas.js").read_text(encoding="utf-8"), (DIST / "canvas.css").read_text(encoding="utf-8")
    except OSError:
        raise BundleMissing("the canvas bundle (frontend/dist) is missing: run `make frontend`") from None


@lru_cache(maxsize=1)
def _component():
    js, css = _bundle()
    return st.components.v2.component(NAME, js=js, css=css)


def canvas(data: dict, key: str, on_edit=None):
    """Mount the canvas with `data` (see designer.view and ui.canvas_session.canvas_data)."""
    def _changed() -> None:
        value = (st.session_state.get(key) or {}).get("edit")
        if value is not None and on_edit is not None:
            on_edit(value)
    return _component()(key=key, data=data, on_edit_change=_changed, height="content")
