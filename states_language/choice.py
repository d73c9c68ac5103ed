"""Choice rules in their JSONPath form (Variable + operator, And/Or/Not) and their validation.

A comparison whose Variable is missing raises States.Runtime, as AWS does; IsPresent is the way to
guard. And/Or short-circuit, which is what makes the guard work.
"""
from __future__ import annotations

import operator
import re
from datetime import datetime
from typing import Any

from states_language.paths import PathMissing, StatesError, is_path
from states_language.intrinsics import read_from

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_RELATIONS = {"Equals": operator.eq, "LessThan": operator.lt, "GreaterThan": operator.gt,
              "LessThanEquals": operator.le, "GreaterThanEquals": operator.ge}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
COMPARISONS = {kind + relation for kind in _KINDS for relation in _RELATIONS
               if kind != "Boolean" or relation == "Equals"}
TYPE_TESTS = {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
OPERATORS = COMPARISONS | {name + "Path" for name in COMPARISONS} | TYPE_TESTS | {"StringMatches"}
_NOT_TYPED = object()


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp ("2016-03-14T01:59:00Z", optional fraction and offset), else None."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        return None
    head, _, tail = value.partition(".")
    if tail:   # fromisoformat takes at most 6 fractional digits
        digits = re.match(r"\d+", tail).group()
        value = f"{head}.{digits[:6]}{tail[len(digits):]}"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _typed(kind: str, value: Any) -> Any:
    """`value` as the comparison kind sees it, or _NOT_TYPED when a type mismatch makes the rule false."""
    if kind == "String":
        return value if isinstance(value, str) else _NOT_TYPED
    if kind == "Numeric":
        return value if _is_number(value) else _NOT_TYPED
    if kind == "Boolean":
        return value if isinstance(value, bool) else _NOT_TYPED
    stamp = parse_timestamp(value)
    return _NOT_TYPED if stamp is None else stamp


_TYPE_CHECKS = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}


def wildcard_pattern(pattern: str) -> re.Pattern:
    """StringMatches: `*` matches any run of characters; `\\*` and `\\\\` are a literal star and backslash."""
    parts, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if pattern[i] == "*" else re.escape(pattern[i]))
        i += 1
    return re.compile("".join(parts), re.S)


def _read(path: str, data: Any, context: dict) -> Any:
    try:
        return read_from(path, data, context)
    except PathMissing:
        raise StatesError("States.Runtime", f"Invalid path {path!r}: the choice state's condition "
                                            "path references an invalid value") from None


def operator_of(rule: dict) -> str | None:
    found = [key for key in rule if key in OPERATORS]
    return found[0] if len(found) == 1 else None


def rule_matches(rule: dict, data: Any, context: dict) -> bool:
    """Whether a (possibly nested) JSONPath choice rule holds for `data`."""
    if "And" in rule:
        return all(rule_matches(inner, data, context) for inner in rule["And"])
    if "Or" in rule:
        return any(rule_matches(inner, data, context) for inner in rule["Or"])
    if "Not" in rule:
        return not rule_matches(rule["Not"], data, context)
    name, variable = operator_of(rule), rule["Variable"]
    expected = rule[name]
    if name == "IsPresent":
        try:
            found = read_from(variable, data, context)
            present = found != [] if not is_path(variable, reference=True) else True
        except PathMissing:
            present = False
        return present == expected
    value = _read(variable, data, context)
    if name in _TYPE_CHECKS:
        return _TYPE_CHECKS[name](value) == expected
    if name == "StringMatches":
        return isinstance(value, str) and wildcard_pattern(expected).fullmatch(value) is not None
    if name.endswith("Path"):
        name, expected = name[:-4], _read(expected, data, context)
    kind = next(k for k in _KINDS if name.startswith(k))
    left, right = _typed(kind, value), _typed(kind, expected)
    if left is _NOT_TYPED or right is _NOT_TYPED:
        return False
    return _RELATIONS[name[len(kind):]](left, right)


def next_state(state: dict, data: Any, context: dict) -> str:
    """Next of the first matching rule, else Default, else States.NoChoiceMatched."""
    for rule in state["Choices"]:
        if rule_matches(rule, data, context):
            return rule["Next"]
    if "Default" in state:
        return state["Default"]
    raise StatesError("States.NoChoiceMatched", "no choice rule matched and there is no Default")


def _value_problem(name: str, value: Any) -> str | None:
    if name.endswith("Path"):
        return None if is_path(value) else "must be a JSONPath"
    if name in TYPE_TESTS:
        return None if isinstance(value, bool) else "must be true or false"
    kind = next(k for k in _KINDS if name.startswith(k))
    if kind == "Numeric":
        return None if _is_number(value) else "must be a number"
    if kind == "Timestamp":
        return None if parse_timestamp(value) else "must be an RFC 3339 timestamp"
    if kind == "Boolean":
        return None if isinstance(value, bool) else "must be true or false"
    return None if isinstance(value, str) else "must be a string"


def rule_problems(rule: Any, where: str, top: bool, jsonata: bool) -> list[str]:
    """Validation problems of one choice rule; nested rules (inside And/Or/Not) must not have Next."""
    if not isinstance(rule, dict):
        return [f"{where}: must be an object"]
    problems = []
    if top and not isinstance(rule.get("Next"), str):
        problems.append(f"{where}.Next: required string")
    if not top and "Next" in rule:
        problems.append(f"{where}.Next: only allowed on a top-level choice rule")
    if jsonata:
        if not isinstance(rule.get("Condition"), str):
            problems.append(f"{where}.Condition: required in a JSONata choice rule")
        return problems
    combinators = [key for key in ("And", "Or", "Not") if key in rule]
    name = operator_of(rule)
    if len(combinators) + (name is not None) != 1 or len([k for k in rule if k in OPERATORS]) > 1:
        return problems + [f"{where}: needs exactly one of And, Or, Not or a comparison operator"]
    if combinators == ["Not"]:
        return problems + rule_problems(rule["Not"], f"{where}.Not", False, False)
    if combinators:
        inner = rule[combinators[0]]
        if not isinstance(inner, list) or not inner:
            return problems + [f"{where}.{combinators[0]}: non-empty array required"]
        for index, nested in enumerate(inner):
            problems += rule_problems(nested, f"{where}.{combinators[0]}[{index}]", False, False)
        return problems
    if not is_path(rule.get("Variable")):
        problems.append(f"{where}.Variable: must be a JSONPath")
    problem = _value_problem(name, rule[name])
    if problem:
        problems.append(f"{where}.{name}: {problem}")
    return problems
