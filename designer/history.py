"""Undo/redo for the designer: snapshots of the design as documents (plain data, cheap to keep in a session)."""
from __future__ import annotations

from design.loader import from_data
from design.model import Design

MAX_STEPS = 100


class History:
    """`record(before)` after every applied edit; `undo(current)` / `redo(current)` return the design to show,
    or None when there is nothing to undo or redo."""

    def __init__(self, limit: int = MAX_STEPS):
        self.limit = limit
        self.past: list[dict] = []
        self.future: list[dict] = []

    def record(self, before: Design) -> None:
        self.past.append(before.to_dict())
        if len(self.past) > self.limit:
            del self.past[0]
        self.future.clear()

    def undo(self, current: Design) -> Design | None:
        if not self.past:
            return None
        self.future.append(current.to_dict())
        return from_data(self.past.pop())

    def redo(self, current: Design) -> Design | None:
        if not self.future:
            return None
        self.past.append(current.to_dict())
        return from_data(self.future.pop())

    @property
    def can_undo(self) -> bool:
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        return bool(self.future)
