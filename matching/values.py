"""Value model shared by the EventBridge pattern / SNS filter policy matcher.

Defines the sentinel for a missing field, the lexical float that keeps a JSON number's spelling,
number identities per service, value coercion and the per-service ``Dialect``.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Callable, NamedTuple

MISSING = object()  # sentinel: the event has no value at this path
OPERATORS = ("anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix", "suffix",
             "wildcard")
ANYTHING_BUT_OPS = ("equals-ignore-case", "prefix", "suffix", "wildcard")  # forms inside anything-but
NUMERIC_LIMIT = 1_000_000_000  # EventBridge and SNS docs: numeric matching only within -1e9..+1e9


class LexFloat(float):
    """A float parsed from JSON text whose text differs from ``repr(float)``, e.g. ``3.0e2``.

    EventBridge compares numbers in exact and anything-but matches by their string representation
    (docs: 300, 300.0 and 3.0e2 are not equal), so the lexical form must survive parsing.
    """

    __slots__ = ("text",)

    def __new__(cls, text: str):
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


def lexical_key(v) -> str:
    """EventBridge number identity: its JSON spelling (cases eb-188..eb-190)."""
    t = type(v)
    if t is int:
        try:
            return str(v)
        except ValueError:  # over Python's 4300-digit str() limit: hex is still exact
            return hex(v)
    if t is LexFloat:
        return v.text
    return repr(v)


def value_key(v):
    """SNS number identity: its value (SNS docs match 301.5 and 3.015e2 alike)."""
    return v


class Dialect(NamedTuple):
    label: str                     # used in messages: "SNS filter policies"
    scale: int                     # numeric precision: 10**decimals
    num_key: Callable              # identity of a number for exact / anything-but matching
    operators: frozenset
    anything_but_ops: frozenset    # operators allowed inside {"anything-but": {...}}
    anything_but_lists: bool       # whether those take a list (event-ruler / EventBridge do)
    nested_ignore_case: bool       # {"prefix": {"equals-ignore-case": ...}}


class Leaf(NamedTuple):
    fn: Callable       # fn(value) -> bool; value may be MISSING, a list, a dict or a scalar
    absent_ok: bool    # the leaf matches a missing field (it holds {"exists": false})
    exists_true: bool  # the leaf holds {"exists": true}


NUM_TYPES = (int, float, LexFloat)


def jtype(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "array"
    if isinstance(v, Mapping):
        return "object"
    return type(v).__name__


def is_num(v) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))  # no int overflow


def show_num(v) -> str:
    """A number for a message, shortened when huge (str() refuses ints over 4300 digits)."""
    try:
        text = repr(v)
    except ValueError:
        return "a number with too many digits"
    return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"


def coerce(v):
    """Map a non-JSON Python value onto a JSON type; ``MISSING`` when it has none (never matches)."""
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, Decimal) and v.is_finite():
        return LexFloat(str(v))
    if isinstance(v, Mapping):
        return dict(v)
    if isinstance(v, (list, tuple)):
        return list(v)
    return MISSING


def _parse_float(text: str):
    f = float(text)
    return f if repr(f) == text else LexFloat(text)  # keep "3.0e2" / "300.00" spellings only


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def loads_lexical(text):
    """``json.loads`` that keeps each number's spelling (see LexFloat) and rejects NaN/Infinity."""
    return json.loads(text, parse_float=_parse_float, parse_constant=_reject_constant)


SCALARS = frozenset((str, int, float, LexFloat, bool, type(None)))
