"""A bare Streamlit page that mounts the canvas component the way the pages will once they adopt what the
component offers, for the browser tests of the component alone (tests/test_canvas_layout_browser.py):

- ?mode=compare  two catalog designs under one workload on ONE component (designer.view.side_by_side):
                 one clock, one set of controls
- ?mode=empty    an empty editable canvas with the palette (first drop, undo/redo keys, skip link)

Run with `streamlit run tests/canvas_harness.py`; it reads nothing from the pages or ui/ beyond the mount.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from design.model import Design  # noqa: E402
from designer import compare, edits, playback, view  # noqa: E402
from designer.history import History  # noqa: E402
from designer.layout import ensure_positions  # noqa: E402
from patterns.catalog import load_catalog  # noqa: E402
from simulator.run import simulate  # noqa: E402
from ui.canvas import canvas  # noqa: E402

st.set_page_config(page_title="Canvas harness", layout="wide", initial_sidebar_state="collapsed")
mode = st.query_params.get("mode", "compare")


@st.cache_data(show_spinner=False)
def _payload(pid: str) -> tuple[dict, dict]:
    design = ensure_positions(load_catalog()[pid].design)
    run = simulate(design, compare.same_workload(design, 10, 1.0, 3, 900.0), trace=True)
    payload = playback.build(run, design, 2000)
    payload["id"] = f"{pid}-harness"
    return design.to_dict(), payload


if mode == "compare":
    from design.loader import from_data
    sides = []
    for pid in (st.query_params.get("left", "choreography"), st.query_params.get("right", "orchestration")):
        doc, payload = _payload(pid)
        sides.append((load_catalog()[pid].title, from_data(doc), payload))
    canvas(view.side_by_side(sides, height=460), key="harness-compare")
else:
    s = st.session_state.setdefault("harness", {"design": Design(), "history": History(), "fit": 1, "seq": 0,
                                                 "message": None})

    def on_edit(op: dict) -> None:
        name = op.get("op")
        if name == "select":
            return
        if name in ("undo", "redo"):
            got = s["history"].undo(s["design"]) if name == "undo" else s["history"].redo(s["design"])
            if got is not None:
                s["design"] = got
            return
        try:
            result = edits.apply(s["design"], op)
        except edits.EditRefused as exc:
            s["seq"] += 1
            s["message"] = {"text": "; ".join(exc.problems), "tone": "error", "seq": s["seq"]}
            return
        s["history"].record(s["design"])
        s["design"] = result.design
        s["fit"] += 1 if result.refit else 0
        s["seq"] += 1
        s["message"] = {"text": result.message, "tone": "info", "seq": s["seq"]} if result.message else None

    def _changed() -> None:
        value = (st.session_state.get("harness-canvas") or {}).get("edit")
        if value is not None:
            on_edit(value)

    rows = tuple((pid, p.title, p.kind) for pid, p in load_catalog().items())
    data = {"editable": True, "presenter": False, "height": 520, "design": view.design_view(s["design"]),
            "selected": {"nodes": [], "edges": []}, "message": s["message"], "fit": s["fit"],
            "history": {"undo": s["history"].can_undo, "redo": s["history"].can_redo}, "playback": None,
            "palette": view.palette(rows)}
    from ui.canvas import _component
    _component()(key="harness-canvas", data=data, on_edit_change=_changed, height="content")
