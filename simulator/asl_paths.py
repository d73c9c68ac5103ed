"""How ASL reads and writes JSON: JSONPath (reads, ResultPath writes) and the JSONata subset.

Both query languages live here because a state uses exactly one of them for all of its I/O.
Nothing here knows about states; `simulator.asl` decides which field is evaluated when.
"""
from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any


class StatesError(Exception):
    """A runtime failure carrying an ASL error name, handled by Retry/Catch like a task failure."""

    def __init__(self, error: str, cause: str = ""):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


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
            steps.append(("key", _unquote(value)))
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


def _unquote(text: str) -> str:
    inner = text[1:-1]
    if text[0] == "'":
        inner = inner.replace("\\'", "'").replace('"', '\\"')
    return json.loads(f'"{inner}"')


def _parse_filter(text: str, path: str) -> tuple:
    m = _FILTER.match(text)
    if not m:
        raise ValueError(f"unsupported filter in {path!r}")
    literal = m.group("literal")
    if literal is not None:
        literal = _unquote(literal) if literal[0] in "'\"" else json.loads(literal)
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
    return not reference or all(kind in _DEFINITE for kind, _ in steps)


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
        return _same(left, literal) == (op == "==")
    if not (_both_numbers(left, literal) or isinstance(left, str) and isinstance(literal, str)):
        return False
    return {"<": left < literal, "<=": left <= literal, ">": left > literal, ">=": left >= literal}[op]


def _both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))


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


# ----------------------------------------------------------------------------------------- JSONata subset
class _Undefined:
    """JSONata's 'no value' (not null): fields evaluating to it are left out of objects."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()
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
    "string": lambda v: v if isinstance(v, str) else json.dumps(v, separators=(",", ":")),
    "number": lambda v: v if _both_numbers(v, 0) else float(v),
    "length": len,
    "sum": lambda v: sum(v if isinstance(v, list) else [v]),
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
            return ("lit", float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "str":
            return ("lit", _unquote(value))
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
    return _Parser(text).whole()


def evaluate_jsonata(text: str, env: dict) -> Any:
    """Value of one JSONata expression (without the {% %}); `env` maps variable names (e.g. "states")."""
    try:
        node = _parse_jsonata(text.strip())
    except _Unsupported as problem:
        raise StatesError("States.QueryEvaluationError",
                          f"unsupported JSONata expression {text.strip()!r} ({problem})") from None
    try:
        return _eval(node, env.get("states", {}).get("input"), env)
    except (TypeError, ValueError, ZeroDivisionError) as problem:
        raise StatesError("States.QueryEvaluationError", f"{text.strip()!r}: {problem}") from None


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


def _same(a: Any, b: Any) -> bool:
    return a == b and (isinstance(a, bool) == isinstance(b, bool))


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
        if node[2][0] in ("lit", "neg") and _both_numbers(index := _eval(node[2], ctx, env), 0):
            index = int(index)
            return items[index] if -len(items) <= index < len(items) else UNDEFINED
        return _sequence([item for item in items if _truthy(_eval(node[2], item, env))])
    if kind == "cond":
        if _truthy(_eval(node[1], ctx, env)):
            return _eval(node[2], ctx, env)
        return UNDEFINED if node[3] is None else _eval(node[3], ctx, env)
    if kind == "neg":
        return -_eval(node[1], ctx, env)
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
        return "".join("" if v is UNDEFINED else v if isinstance(v, str) else json.dumps(v)
                       for v in (left, right))
    if left is UNDEFINED or right is UNDEFINED:
        return False if op in ("=", "!=", "<", "<=", ">", ">=") else UNDEFINED
    if op in ("=", "!="):
        return _same(left, right) == (op == "=")
    if op in ("<", "<=", ">", ">="):
        if not (_both_numbers(left, right) or isinstance(left, str) and isinstance(right, str)):
            raise TypeError(f"cannot compare {left!r} {op} {right!r}")
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    if not _both_numbers(left, right):
        raise TypeError(f"arithmetic on non-numbers {left!r} {op} {right!r}")
    return {"+": left + right, "-": left - right, "*": left * right, "/": left / right}[op]
