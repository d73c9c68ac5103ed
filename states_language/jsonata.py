"""The JSONata subset ASL states may use (`{% expr %}` fields when QueryLanguage is JSONata).

Supported: paths, [filters]/[index], literals, comparisons, and/or, arithmetic and &, ?:, array and
object constructors, and a few $functions. Anything else raises States.QueryEvaluationError saying
"unsupported JSONata expression", so a definition never silently gets a wrong answer.
"""
from __future__ import annotations

import functools
import json
import re
from typing import Any

from states_language.values import StatesError, both_numbers, same_value, unquote


class _Undefined:
    """JSONata's 'no value' (not null): fields evaluating to it are left out of objects."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()
MAX_STRING_CHARS = 262_144   # a state's payload is at most 256 KiB: a longer string is States.DataLimitExceeded
MAX_NUMBER = 1.7976931348623157e308   # JSONata numbers are doubles; beyond this is "Number out of range"
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>`[^`]*`|\$?[A-Za-z_][A-Za-z0-9_]*|\$)
  | (?P<op>!=|<=|>=|[.\[\](),=<>+\-*/&?:{}])
)""", re.X)
_PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
               "&": 4, "+": 4, "-": 4, "*": 5, "/": 5}
_FUNCTIONS = {
    "count": lambda v: 0 if v is UNDEFINED else len(v) if isinstance(v, list) else 1,
    "exists": lambda v: v is not UNDEFINED,
    "string": lambda v: v if isinstance(v, str) else _text(json.dumps(v, separators=(",", ":"))),
    "number": lambda v: v if both_numbers(v, 0) else _number(float(v)),
    "length": len,
    "sum": lambda v: _number(sum(v if isinstance(v, list) else [v])),
    "not": lambda v: not _truthy(v),
    "boolean": lambda v: _truthy(v),
}


class _Unsupported(Exception):
    pass


class _Parser:
    """Precedence-climbing parser for: paths, [filters]/[index], literals, = != < <= > >=, and/or,
    + - * / &, ?:, ( ), [array], {object} and a few $functions. Anything else is 'unsupported'."""

    def __init__(self, text: str):
        self.tokens, pos = [], 0
        while text[pos:].strip():
            m = _TOKEN.match(text, pos)
            if not m:
                raise _Unsupported(text[pos:])
            pos = m.end()
            self.tokens.append((m.lastgroup, m.group(m.lastgroup)))
        self.at = 0

    def peek(self) -> tuple:
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self, expected: str | None = None) -> tuple:
        token = self.peek()
        if token[0] is None or expected is not None and token[1] != expected:
            raise _Unsupported(f"expected {expected or 'more'}, found {token[1]!r}")
        self.at += 1
        return token

    def whole(self) -> tuple:
        node = self.expression()
        if self.peek()[0] is not None:
            raise _Unsupported(f"unexpected {self.peek()[1]!r}")
        return node

    def expression(self) -> tuple:
        condition = self.binary(0)
        if self.peek() != ("op", "?"):
            return condition
        self.take()
        then = self.expression()
        otherwise = None
        if self.peek() == ("op", ":"):
            self.take()
            otherwise = self.expression()
        return ("cond", condition, then, otherwise)

    def binary(self, floor: int) -> tuple:
        left = self.unary()
        while True:
            kind, value = self.peek()
            precedence = _PRECEDENCE.get(value) if kind in ("op", "name") else None
            if precedence is None or precedence <= floor:
                return left
            self.take()
            left = ("bin", value, left, self.binary(precedence))

    def unary(self) -> tuple:
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        node = self.primary()
        while True:
            token = self.peek()
            if token == ("op", "."):
                self.take()
                node = ("path", node, self.primary())
            elif token == ("op", "["):
                self.take()
                node = ("filter", node, self.expression())
                self.take("]")
            elif token == ("op", "(") and node[0] == "var" and node[1] in _FUNCTIONS:
                self.take()
                node = ("call", node[1], self.sequence(")"))
            else:
                return node

    def sequence(self, closer: str) -> list:
        items = []
        while self.peek() != ("op", closer):
            items.append(self.expression())
            if self.peek() != ("op", closer):
                self.take(",")
        self.take(closer)
        return items

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind == "num":
            return ("lit", _number(float(value) if any(c in value for c in ".eE") or len(value) > 400
                                   else int(value)))
        if kind == "str":
            return ("lit", unquote(value))
        if kind == "name":
            if value in ("true", "false", "null"):
                return ("lit", json.loads(value))
            if value.startswith("$"):
                return ("var", value[1:])
            return ("field", value.strip("`"))
        if value == "(":
            node = self.expression()
            self.take(")")
            return node
        if value == "[":
            return ("array", self.sequence("]"))
        if value == "{":
            pairs = []
            while self.peek() != ("op", "}"):
                key = self.expression()
                self.take(":")
                pairs.append((key, self.expression()))
                if self.peek() != ("op", "}"):
                    self.take(",")
            self.take("}")
            return ("object", pairs)
        raise _Unsupported(f"unexpected {value!r}")


@functools.lru_cache(maxsize=1024)
def _parse_jsonata(text: str) -> tuple:
    try:
        return _Parser(text).whole()
    except RecursionError:   # "((((...": the parser recurses per level
        raise _Unsupported("nested too deeply") from None
    except (ValueError, OverflowError) as problem:   # a literal beyond a double
        raise _Unsupported(str(problem)) from None


def _number(value):
    """A JSONata number: a double. Whole results stay ints while a double holds them exactly; anything past
    the largest double (or NaN) is JSONata's D1001 "Number out of range", never inf in a payload."""
    if isinstance(value, int) and not isinstance(value, bool) and -2**53 <= value <= 2**53:
        return value
    try:
        as_float = float(value)
    except OverflowError:
        raise ValueError("Number out of range") from None
    if not -MAX_NUMBER <= as_float <= MAX_NUMBER:   # also false for NaN
        raise ValueError("Number out of range")
    return value if isinstance(value, int) else as_float


def _text(value: str) -> str:
    if len(value) > MAX_STRING_CHARS:
        raise _TooLarge(f"a string of {len(value):,} characters; a state's payload is limited to 256 KiB")
    return value


class _TooLarge(Exception):
    pass


def evaluate_jsonata(text: str, env: dict) -> Any:
    """Value of one JSONata expression (without the {% %}); `env` maps variable names (e.g. "states")."""
    try:
        node = _parse_jsonata(text.strip())
    except _Unsupported as problem:
        raise StatesError("States.QueryEvaluationError",
                          f"unsupported JSONata expression {text.strip()[:200]!r} ({problem})") from None
    try:
        return _eval(node, env.get("states", {}).get("input"), env)
    except _TooLarge as problem:
        raise StatesError("States.DataLimitExceeded", f"{text.strip()[:200]!r}: {problem}") from None
    except RecursionError:
        raise StatesError("States.QueryEvaluationError", f"{text.strip()[:200]!r}: nested too deeply") from None
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as problem:
        raise StatesError("States.QueryEvaluationError", f"{text.strip()[:200]!r}: {problem}") from None


def render_jsonata(value: Any, env: dict) -> Any:
    """A JSONata-mode field: `{% expr %}` strings are evaluated, objects and arrays recursively;
    object fields that evaluate to undefined are omitted, as JSONata does."""
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        return evaluate_jsonata(value[2:-2], env)
    if isinstance(value, dict):
        rendered = {key: render_jsonata(item, env) for key, item in value.items()}
        return {key: item for key, item in rendered.items() if item is not UNDEFINED}
    if isinstance(value, list):
        return [item for item in (render_jsonata(v, env) for v in value) if item is not UNDEFINED]
    return value


def _sequence(items: list) -> Any:
    return UNDEFINED if not items else items[0] if len(items) == 1 else items


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        return any(_truthy(item) for item in value)
    return value not in (UNDEFINED, None, False, 0, "") and value != {}


def _eval(node: tuple, ctx: Any, env: dict) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "var":
        return ctx if node[1] == "" else env.get(node[1], UNDEFINED)
    if kind == "field":
        if isinstance(ctx, list):
            return _sequence([v for item in ctx if (v := _eval(node, item, env)) is not UNDEFINED])
        return ctx.get(node[1], UNDEFINED) if isinstance(ctx, dict) else UNDEFINED
    if kind == "path":
        left = _eval(node[1], ctx, env)
        items = [] if left is UNDEFINED else left if isinstance(left, list) else [left]
        results = [r for item in items if (r := _eval(node[2], item, env)) is not UNDEFINED]
        if len(results) == 1:
            return results[0]   # a single array from the data stays an array (JSONata keeps it whole)
        return _sequence([x for r in results for x in (r if isinstance(r, list) else [r])])
    if kind == "filter":
        left = _eval(node[1], ctx, env)
        items = [] if left is UNDEFINED else left if isinstance(left, list) else [left]
        if node[2][0] in ("lit", "neg") and both_numbers(index := _eval(node[2], ctx, env), 0):
            index = int(index)
            return items[index] if -len(items) <= index < len(items) else UNDEFINED
        return _sequence([item for item in items if _truthy(_eval(node[2], item, env))])
    if kind == "cond":
        if _truthy(_eval(node[1], ctx, env)):
            return _eval(node[2], ctx, env)
        return UNDEFINED if node[3] is None else _eval(node[3], ctx, env)
    if kind == "neg":
        return _number(-_eval(node[1], ctx, env))
    if kind == "array":
        return [v for item in node[1] if (v := _eval(item, ctx, env)) is not UNDEFINED]
    if kind == "object":
        pairs = ((_eval(k, ctx, env), _eval(v, ctx, env)) for k, v in node[1])
        return {str(k): v for k, v in pairs if v is not UNDEFINED}
    if kind == "call":
        args = [_eval(arg, ctx, env) for arg in node[2]]
        return _FUNCTIONS[node[1]](*args)
    return _binary(node[1], node[2], node[3], ctx, env)


def _binary(op: str, left_node: tuple, right_node: tuple, ctx: Any, env: dict) -> Any:
    left = _eval(left_node, ctx, env)
    if op in ("and", "or"):   # short-circuit like JSONata
        if _truthy(left) == (op == "or"):
            return op == "or"
        return _truthy(_eval(right_node, ctx, env))
    right = _eval(right_node, ctx, env)
    if op == "&":
        parts = ["" if v is UNDEFINED else v if isinstance(v, str) else json.dumps(v) for v in (left, right)]
        if len(parts[0]) + len(parts[1]) > MAX_STRING_CHARS:   # checked before the string is built
            raise _TooLarge(f"a string of {len(parts[0]) + len(parts[1]):,} characters; a state's payload is "
                            "limited to 256 KiB")
        return parts[0] + parts[1]
    if left is UNDEFINED or right is UNDEFINED:
        return False if op in ("=", "!=", "<", "<=", ">", ">=") else UNDEFINED
    if op in ("=", "!="):
        return same_value(left, right) == (op == "=")
    if op in ("<", "<=", ">", ">="):
        if not (both_numbers(left, right) or isinstance(left, str) and isinstance(right, str)):
            raise TypeError(f"cannot compare {left!r} {op} {right!r}")
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    if not both_numbers(left, right):
        raise TypeError(f"arithmetic on non-numbers {left!r} {op} {right!r}")
    if op == "*" and isinstance(left, int) and isinstance(right, int) and \
            left.bit_length() + right.bit_length() > 1100:   # past any double: do not build the huge int
        raise ValueError("Number out of range")
    return _number({"+": left + right, "-": left - right, "*": left * right, "/": left / right}[op])
