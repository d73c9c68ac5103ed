"""Property specifications: the typed, ranged settings a node or edge may carry.

A `Prop` knows how to check one value and say what is wrong with it in words a
designer understands ("must be ≤ 900"). The registry builds on these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of value a property can hold; the canvas picks a widget per kind.
BOOL, INT, FLOAT, STR, ENUM, MAPPING, PATTERN, NODE_REF = (
    "bool", "int", "float", "str", "enum", "mapping", "pattern", "node_ref")


@dataclass(frozen=True)
class Prop:
    name: str
    kind: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    source: str = ""          # where the default/range comes from (semantics.md row)
    illustrative: bool = False  # a value AWS does not publish; labelled so in the UI
    nullable: bool = True     # None means "unset" (use the default behaviour)
    export_only: str = ""     # why the simulator does not model it (it still goes into the SAM template)
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def check(self, value: Any) -> str | None:
        """Return a problem message, or None when the value is acceptable."""
        if value is None:
            return None if self.nullable else "must be set"
        if self.kind == BOOL:
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind in (INT, FLOAT):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "must be a number"
            if self.kind == INT and isinstance(value, float) and not value.is_integer():
                return "must be a whole number"
            if value != value:  # NaN
                return "must be a number"
            if self.minimum is not None and value < self.minimum:
                return f"must be ≥ {_fmt(self.minimum)}"
            if self.maximum is not None and value > self.maximum:
                return f"must be ≤ {_fmt(self.maximum)}"
            return None
        if self.kind in (STR, NODE_REF):
            if not isinstance(value, str):
                return "must be a string"
            return None if len(value) <= 2048 else "must be at most 2048 characters"
        if self.kind == ENUM:
            if value in self.choices:
                return None
            return "must be one of " + ", ".join(self.choices)
        if self.kind in (MAPPING, PATTERN):
            return None if isinstance(value, dict) else "must be a mapping"
        raise AssertionError(f"unknown prop kind {self.kind}")  # a registry bug, not user input


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
