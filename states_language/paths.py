"""How ASL reads and writes JSON: JSONPath (reads, ResultPath writes) and the JSONata subset.

Both query languages are reachable from here because a state uses exactly one of them for all of its
I/O: JSONPath is implemented in this module, the JSONata subset in states_language.jsonata (re-exported
below), and what both share in states_language.values.
Nothing here knows about states; `simulator.asl` decides which field is evaluated when.
"""
from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

# JSONata names and StatesError are re-exported so callers import either query language from here.
from states_language.jsonata import UNDEFINED, evaluate_jsonata, render_jsonata
from states_language.values import StatesError, both_numbers, same_value, unquote

__all__ = ["StatesError", "PathMissing", "parse_path", "is_path", "read_path", "write_result",
           "UNDEFINED", "evaluate_jsonata", "render_jsonata"]


class PathMissing(LookupError):
    """A definite JSONPath selected nothing; callers turn it into the error name AWS uses there."""


# ---------------------------------------------------------------------------------------------- JSONPath
_STEP = re.compile(r"""
    \.\.(?P<descend>[^.\[]+)
  | \.(?P<dotwild>\*)
  | \.(?P<key>[^.\[]+)
  | \[\s*(?P<quoted>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\]
  | \[\s*(?P<index>-?\d+)\s*\]
  | \[\s*(?P<slice>-?\d*\s*:\s*-?\d*)\s*\]
  | \[\s*(?P<wild>\*)\s*\]
  | \[\?\((?P<filter>.*?)\)\]
""", re.X)
_FILTER = re.compile(r"^\s*@(?P<path>[^=!<>]*?)\s*(?:(?P<op>==|!=|<=|>=|<|>)\s*(?P<literal>.+?))?\s*$")
_DEFINITE = ("key", "index")


@functools.lru_cache(maxsize=4096)
def parse_path(path: str) -> tuple:
    """Steps of a `$`-rooted JSONPath; raises ValueError when the syntax is outside what ASL allows."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise ValueError(f"{path!r} does not start with '$'")
    rest, pos, steps = path[1:].replace(".[", "["), 0, []   # AWS accepts "$.[0]" as "$[0]"
    while pos < len(rest):
        m = _STEP.match(rest, pos)
        if not m:
            raise ValueError(f"cannot parse {path!r} at {rest[pos:]!r}")
        pos, kind = m.end(), m.lastgroup
        value = m.group(kind)
        if kind == "quoted":
            steps.append(("key", unquote(value)))
        elif kind == "index":
            steps.append(("index", int(value)))
        elif kind == "slice":
            start, _, stop = value.partition(":")
            steps.append(("slice", int(start) if start.strip() else None, int(stop) if stop.strip() else None))
        elif kind in ("wild", "dotwild"):
            steps.append(("wild", None))
        elif kind == "filter":
            steps.append(("filter", _parse_filter(value, path)))
        else:
            steps.append((kind, value))
    return tuple(steps)


def _parse_filter(text: str, path: str) -> tuple:
    m = _FILTER.match(text)
    if not m:
        raise ValueError(f"unsupported filter in {path!r}")
    literal = m.group("literal")
    if literal is not None:
        literal = unquote(literal) if literal[0] in "'\"" else json.loads(literal)
    return parse_path("$" + m.group("path")), m.group("op"), literal


def is_path(text: Any, reference: bool = False) -> bool:
    """True for a valid JSONPath (`$...` or context `$$...`); reference paths (ResultPath) allow only
    keys and indexes, and never the read-only context object."""
    if not isinstance(text, str) or reference and text.startswith("$$"):
        return False
    try:
        steps = parse_path(text[1:] if text.startswith("$$") else text)
    except ValueError:
        return False
    return not reference or all(step[0] in _DEFINITE for step in steps)   # slice steps have 3 parts


def read_path(doc: Any, path: str) -> Any:
    """Value at `path`; an indefinite path (wildcard, slice, filter) returns the list of its matches."""
    steps = parse_path(path)
    matches, definite = [doc], True
    for step in steps:
        matches = [found for value in matches for found in _apply(step, value)]
        definite = definite and step[0] in _DEFINITE
    if not definite:
        return matches
    if not matches:
        raise PathMissing(path)
    return matches[0]


def _apply(step: tuple, value: Any) -> list:
    kind, arg = step[0], step[1]
    if kind == "key":
        return [value[arg]] if isinstance(value, dict) and arg in value else []
    if kind == "index":
        ok = isinstance(value, list) and -len(value) <= arg < len(value)
        return [value[arg]] if ok else []
    children = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
    if kind == "wild":
        return children
    if kind == "slice":
        return value[arg:step[2]] if isinstance(value, list) else []
    if kind == "filter":
        return [child for child in children if _filter_keeps(arg, child)]
    found = [value[arg]] if isinstance(value, dict) and arg in value else []   # descend: "..name"
    return found + [deeper for child in children for deeper in _apply(step, child)]


def _filter_keeps(condition: tuple, item: Any) -> bool:
    steps, op, literal = condition
    matches = [item]
    for step in steps:
        matches = [found for value in matches for found in _apply(step, value)]
    if not matches:
        return False
    if op is None:
        return True
    left = matches[0]
    if op in ("==", "!="):
        return same_value(left, literal) == (op == "==")
    if not (both_numbers(left, literal) or isinstance(left, str) and isinstance(literal, str)):
        return False
    return {"<": left < literal, "<=": left <= literal, ">": left > literal, ">=": left >= literal}[op]


def write_result(doc: Any, path: str | None, value: Any) -> Any:
    """ResultPath: a copy of `doc` with `value` placed at `path`, creating missing objects on the way."""
    if path is None:
        return doc
    steps = parse_path(path)
    if not steps:
        return value
    root = cursor = copy.deepcopy(doc)   # never mutate a document another state may still hold
    for position, (kind, key) in enumerate(steps):
        last = position == len(steps) - 1
        if kind == "key" and isinstance(cursor, dict):
            if last:
                cursor[key] = value
            else:
                cursor = cursor.setdefault(key, {})
        elif kind == "index" and isinstance(cursor, list) and -len(cursor) <= key < len(cursor):
            if last:
                cursor[key] = value
            else:
                cursor = cursor[key]
        else:
            raise StatesError("States.ResultPathMatchFailure",
                              f"ResultPath {path!r} cannot be applied to the state input")
    return root
