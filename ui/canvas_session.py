"""The designer's session: the current design, undo/redo history, selection, the last message, and the
last run (played only while it belongs to the design on the canvas). Edits from the canvas land here.
"""
from __future__ import annotations

import hashlib
import json

import streamlit as st

from design.model import Design
from designer import edits, links, view
from designer.history import History
from designer.layout import ensure_positions
from patterns.catalog import load_catalog

CANVAS_KEY = "sps-canvas"
_S = "sps-designer"


class Session:
    """Attribute access to the designer's slice of st.session_state."""

    def __init__(self, store: dict):
        self.__dict__["_s"] = store

    def __getattr__(self, name):
        return self._s[name]

    def __setattr__(self, name, value):
        self._s[name] = value


def get() -> Session:
    if _S not in st.session_state:
        st.session_state[_S] = {"design": Design(), "history": History(), "selected": {"nodes": [], "edges": []},
                                "message": None, "seq": 0, "fit": 1, "version": 0, "run": None, "loaded": None,
                                "saved": {}, "scenario": None, "opened": 0,
                                "faults": {"nodes": {}, "edges": {}}}
    return Session(st.session_state[_S])


def fingerprint(design: Design) -> str:
    """What a run depends on: the design without positions (moving a node keeps the playback)."""
    doc = design.to_dict()
    for node in doc["nodes"]:
        node.pop("position", None)
    doc.pop("name", None)
    doc.pop("description", None)
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def say(s: Session, text: str, tone: str = "info") -> None:
    s.seq += 1
    s.message = {"text": text, "tone": tone, "seq": s.seq} if text else None


def set_design(s: Session, design: Design, *, record: bool = True, fit: bool = False) -> None:
    if record:
        s.history.record(s.design)
    s.design = design
    s.version += 1
    if fit:
        s.fit += 1
    live_nodes = {n.id for n in design.nodes}
    live_edges = {e.key for e in design.edges}
    s.selected = {"nodes": [n for n in s.selected["nodes"] if n in live_nodes],
                  "edges": [e for e in s.selected["edges"] if e in live_edges]}


def pattern_designs() -> dict[str, Design]:
    return {pid: p.design for pid, p in load_catalog().items()}


def handle_edit(op: dict) -> None:
    """Apply one edit sent by the canvas (or by a panel button)."""
    s = get()
    if not isinstance(op, dict):
        return
    name = op.get("op")
    if name == "select":
        s.selected = {"nodes": [str(n) for n in op.get("nodes") or []][:500],
                      "edges": [str(e) for e in op.get("edges") or []][:1000]}
        return
    if name in ("undo", "redo"):
        design = s.history.undo(s.design) if name == "undo" else s.history.redo(s.design)
        if design is None:
            say(s, f"Nothing to {name}.")
            return
        set_design(s, design, record=False)
        say(s, "Undone." if name == "undo" else "Redone.")
        return
    try:
        result = edits.apply(s.design, op, pattern_designs())
    except edits.EditRefused as exc:
        say(s, "; ".join(exc.problems[:5]), "error")
        return
    set_design(s, result.design, fit=result.refit)
    if result.select_nodes or result.select_edges:
        s.selected = {"nodes": result.select_nodes, "edges": result.select_edges}
    say(s, result.message)


def open_design(design: Design, message: str, scenario: dict | None = None) -> None:
    """Replace the canvas with `design` (undoable)."""
    s = get()
    set_design(s, ensure_positions(design), fit=True)
    s.selected = {"nodes": [], "edges": []}
    s.run = None
    s.scenario = scenario
    s.opened += 1
    s.faults = {"nodes": {}, "edges": {}}
    say(s, message)


def load_from_query() -> None:
    """Open `?pattern=ID` (a catalog pattern) or `?run=CODE` (a shared link) once per distinct value."""
    params = st.query_params
    wanted = ("pattern", params.get("pattern")) if params.get("pattern") else \
        ("run", params.get("run")) if params.get("run") else None
    s = get()
    if wanted is None or wanted == s.loaded:
        return
    s.loaded = wanted
    if wanted[0] == "pattern":
        catalog = load_catalog()
        if wanted[1] not in catalog:
            say(s, f"There is no catalog pattern {wanted[1]!r}.", "error")
            return
        design = catalog[wanted[1]].design
        open_design(design, f"Opened the catalog pattern “{catalog[wanted[1]].title}”. Edit it freely: the catalog "
                    "is not changed.", design.scenario)
        return
    try:
        design, scenario, seed = links.decode(wanted[1])
    except links.LinkError as exc:
        say(s, "This link cannot be opened: " + "; ".join(exc.problems[:5]), "error")
        return
    open_design(design, f"Opened the shared design “{design.name}” (seed {seed}).", dict(scenario, seed=seed))


def canvas_data(s: Session, *, editable: bool = True, presenter: bool = False, findings=None, playback=None,
                height: int = 600) -> dict:
    data = {
        "editable": editable, "presenter": presenter, "height": height,
        "design": view.design_view(s.design, findings),
        "selected": s.selected, "message": s.message, "fit": s.fit,
        "history": {"undo": s.history.can_undo, "redo": s.history.can_redo},
        "playback": playback,
    }
    if editable:
        rows = tuple((pid, p.title, p.kind) for pid, p in load_catalog().items())
        data["palette"] = view.palette(rows)
    return data


def readonly_data(design: Design, playback: dict | None, *, presenter: bool, height: int = 560) -> dict:
    """Canvas data for a design shown, not edited (classroom, side by side)."""
    return {"editable": False, "presenter": presenter, "height": height, "design": view.design_view(design),
            "selected": {"nodes": [], "edges": []}, "message": None, "fit": 1, "history": {},
            "playback": playback}
