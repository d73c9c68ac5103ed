"""What JSONPath (states_language.paths) and the JSONata subset (states_language.jsonata) share.

StatesError is the runtime failure both raise; the helpers are the JSON-value rules both follow when
they read a quoted string literal or compare two values. Kept apart so neither language module has
to import the other.
"""
from __future__ import annotations

import json
from typing import Any


class StatesError(Exception):
    """A runtime failure carrying an ASL error name, handled by Retry/Catch like a task failure."""

    def __init__(self, error: str, cause: str = ""):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def unquote(text: str) -> str:
    """The value of a '...' or "..." string literal (JSON escapes; \\' inside single quotes)."""
    inner = text[1:-1]
    if text[0] == "'":
        inner = inner.replace("\\'", "'").replace('"', '\\"')
    return json.loads(f'"{inner}"')


def both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))


def same_value(a: Any, b: Any) -> bool:
    """JSON equality: unlike Python's, true is not 1 and false is not 0."""
    return a == b and (isinstance(a, bool) == isinstance(b, bool))
