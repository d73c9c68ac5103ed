"""Intrinsic functions (`States.Format(...)` and friends) and JSONPath payload templates.

A payload template is a Parameters / ResultSelector / ItemSelector object: keys ending in `.$` take a
JSONPath on the data, a `$$` path on the context object, or an intrinsic function call.
Randomness (States.UUID, States.MathRandom) comes only from the rng the execution was given.
"""
from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import uuid
from typing import Any, Callable

from states_language.paths import PathMissing, StatesError, is_path, read_path

_COMPACT = (",", ":")
# Sizes are checked before anything is allocated: a definition must not turn one small input into gigabytes
# (States.ArrayRange(1, 60000000, 1) once built 2.6 GB before the 1,000-item cap was looked at).
MAX_RANGE_ITEMS = 1000         # AWS: the array States.ArrayRange generates has at most 1,000 items
MAX_ENCODE_CHARS = 10_000      # AWS: Base64Encode, Base64Decode and Hash take at most 10,000 characters
MAX_PAYLOAD_CHARS = 262_144    # AWS: a state's input or output is at most 256 KiB (else States.DataLimitExceeded)


class _TooLarge(Exception):
    """A result that would exceed the payload quota: States.DataLimitExceeded, raised before allocating."""


def _payload_limit(size: int, what: str) -> None:
    if size > MAX_PAYLOAD_CHARS:
        raise _TooLarge(f"{what} would be {size:,} characters; a state's payload is limited to 256 KiB")


def _format(rng, template: str, *values: Any) -> str:
    _need(template, str, "template")
    _payload_limit(len(template), "the template")
    pieces = re.split(r"(?<!\\)\{\}", template)
    if len(pieces) - 1 != len(values):
        raise ValueError(f"{len(pieces) - 1} placeholders but {len(values)} arguments")
    rendered = []
    total = len(template)
    for v in values:
        rendered.append(v if isinstance(v, str) else _compact_json(v))
        total += len(rendered[-1])
        _payload_limit(total, "the formatted string")
    text = pieces[0] + "".join(value + piece for value, piece in zip(rendered, pieces[1:]))
    return text.replace("\\{", "{").replace("\\}", "}")


def _compact_json(value: Any) -> str:
    text = json.dumps(value, separators=_COMPACT)
    _payload_limit(len(text), "the JSON text")
    return text


def _need(value: Any, kind: type | tuple, what: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ValueError(f"{what} must be {getattr(kind, '__name__', 'a number')}, got {value!r}")
    return value


def _array_partition(rng, items: list, size: int) -> list:
    _need(items, list, "array")
    if _need(size, int, "chunk size") <= 0:
        raise ValueError("chunk size must be positive")
    _payload_limit(len(items), "the array")   # each chunk shares the items: the result is as large as the input
    return [items[i:i + size] for i in range(0, len(items), size)]


def _array_range(rng, start: int, end: int, step: int) -> list:
    if _need(step, int, "step") == 0:
        raise ValueError("step must not be 0")
    _need(start, int, "start")
    _need(end, int, "end")
    count = max(0, (end - start) // step + 1)   # counted, not built: the cap is checked before allocating
    if count > MAX_RANGE_ITEMS:
        raise ValueError(f"ArrayRange would produce {count:,} items; the limit is {MAX_RANGE_ITEMS:,}")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_unique(rng, items: list) -> list:
    seen, unique = set(), []
    for item in _need(items, list, "array"):
        key = json.dumps(item, sort_keys=True)   # dicts are unhashable; their canonical JSON is not
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _hash(rng, data: Any, algorithm: str) -> str:
    algorithms = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if not isinstance(algorithm, str) or algorithm not in algorithms:
        raise ValueError(f"algorithm must be one of {sorted(algorithms)}")
    text = data if isinstance(data, str) else _compact_json(data)
    _input_limit(text, "the data to hash")
    return hashlib.new(algorithms[algorithm], text.encode()).hexdigest()


def _input_limit(text: str, what: str) -> str:
    if len(text) > MAX_ENCODE_CHARS:
        raise ValueError(f"{what} has {len(text):,} characters; the limit is {MAX_ENCODE_CHARS:,}")
    return text


def _base64_encode(rng, text: str) -> str:
    return base64.b64encode(_input_limit(_need(text, str, "argument"), "the string").encode()).decode()


def _base64_decode(rng, text: str) -> str:
    raw = base64.b64decode(_input_limit(_need(text, str, "argument"), "the string"))
    return raw.decode()


def _json_merge(rng, left: dict, right: dict, deep: bool = False) -> dict:
    merged = dict(_need(left, dict, "first object"))
    for key, value in _need(right, dict, "second object").items():
        both = isinstance(merged.get(key), dict) and isinstance(value, dict)
        merged[key] = _json_merge(rng, merged[key], value, True) if deep and both else value
    return merged


def _math_random(rng, start: int, end: int, seed: int | None = None) -> int:
    source = rng if seed is None else random.Random(_need(seed, int, "seed"))
    return source.randrange(_need(start, int, "start"), _need(end, int, "end"))   # end is exclusive


def _math_add(rng, a: Any, b: Any) -> Any:
    return _need(a, (int, float), "first value") + _need(b, (int, float), "second value")


def _string_split(rng, text: str, delimiters: str) -> list:
    pattern = "[" + re.escape(_need(delimiters, str, "delimiter")) + "]"
    _payload_limit(len(_need(text, str, "string")), "the string")   # no input larger than a payload exists
    return [part for part in re.split(pattern, text) if part]


def _string_to_json(rng, text: str) -> Any:
    _payload_limit(len(_need(text, str, "argument")), "the string")
    from design.documents import parse
    return parse(text, "json", name="States.StringToJson")   # depth, NaN and huge numbers refused


# name -> (function(rng, *args), minimum args, maximum args or None)
FUNCTIONS: dict[str, tuple[Callable, int, int | None]] = {
    "Format": (_format, 1, None),
    "StringToJson": (_string_to_json, 1, 1),
    "JsonToString": (lambda rng, v: _compact_json(v), 1, 1),
    "Array": (lambda rng, *values: list(values), 0, None),
    "ArrayPartition": (_array_partition, 2, 2),
    "ArrayContains": (lambda rng, items, value: value in _need(items, list, "array"), 2, 2),
    "ArrayRange": (_array_range, 3, 3),
    "ArrayGetItem": (lambda rng, items, i: _need(items, list, "array")[_need(i, int, "index")], 2, 2),
    "ArrayLength": (lambda rng, items: len(_need(items, list, "array")), 1, 1),
    "ArrayUnique": (_array_unique, 1, 1),
    "Base64Encode": (_base64_encode, 1, 1),
    "Base64Decode": (_base64_decode, 1, 1),
    "Hash": (_hash, 2, 2),
    "JsonMerge": (_json_merge, 2, 3),
    "MathRandom": (_math_random, 2, 3),
    "MathAdd": (_math_add, 2, 2),
    "StringSplit": (_string_split, 2, 2),
    "UUID": (lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)), 0, 0),
}
_CALL = re.compile(r"States\.([A-Za-z0-9]+)\(")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORDS = {"true": True, "false": False, "null": None}


def parse_intrinsic(text: str) -> tuple:
    """Syntax tree ("call", name, args) of an intrinsic call; args are ("lit", v), ("path", p) or calls.
    Raises ValueError for anything ASL would reject (unknown function, wrong arity, stray text, calls nested
    deeper than MAX_NESTING)."""
    if not isinstance(text, str):
        raise ValueError(f"not an intrinsic function expression: {text!r}")
    node, end = _parse_call(text, 0)
    if end != len(text):
        raise ValueError(f"unexpected text after the call: {text[end:]!r}")
    return node


MAX_NESTING = 50   # calls inside calls; real definitions nest two or three, and parsing recurses per level


def _parse_call(text: str, pos: int, depth: int = 0) -> tuple[tuple, int]:
    if depth > MAX_NESTING:
        raise ValueError(f"intrinsic calls nested more than {MAX_NESTING} deep")
    m = _CALL.match(text, pos)
    if not m or m.group(1) not in FUNCTIONS:
        raise ValueError(f"not a JSONPath or intrinsic function expression: {text[pos:]!r}")
    name, pos, args = m.group(1), m.end(), []
    while True:
        pos = _skip_spaces(text, pos)
        if text.startswith(")", pos) and not args:
            break
        arg, pos = _parse_arg(text, pos, depth)
        args.append(arg)
        pos = _skip_spaces(text, pos)
        if text.startswith(")", pos):
            break
        if not text.startswith(",", pos):
            raise ValueError(f"expected ',' or ')' at {text[pos:]!r}")
        pos += 1
    _, least, most = FUNCTIONS[name]
    if len(args) < least or most is not None and len(args) > most:
        raise ValueError(f"States.{name} takes {least}..{most if most is not None else 'n'} arguments")
    return ("call", name, args), pos + 1


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _parse_arg(text: str, pos: int, depth: int = 0) -> tuple[tuple, int]:
    if text.startswith("'", pos):
        end = pos + 1
        while end < len(text) and text[end] != "'":
            end += 2 if text[end] == "\\" else 1
        if end >= len(text):
            raise ValueError("unterminated string")
        raw = text[pos + 1:end]
        return ("lit", raw.replace("\\'", "'").replace("\\\\", "\\")), end + 1
    if text.startswith("States.", pos):
        return _parse_call(text, pos, depth + 1)
    if text.startswith("$", pos):
        end, depth, quote = pos, 0, None
        while end < len(text):   # a path ends at the first ',' or ')' outside brackets and quotes
            ch = text[end]
            if quote:
                quote = None if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])" and depth:
                depth -= 1
            elif ch in ",)":
                break
            end += 1
        path = text[pos:end].rstrip()
        if not is_path(path):
            raise ValueError(f"invalid path {path!r}")
        return ("path", path), end
    m = _NUMBER.match(text, pos)
    if m:
        number = m.group()
        return ("lit", float(number) if "." in number else int(number)), m.end()
    for word, value in _WORDS.items():
        if text.startswith(word, pos):
            return ("lit", value), pos + len(word)
    raise ValueError(f"unexpected argument at {text[pos:]!r}")


def call_intrinsic(text: str, data: Any, context: dict, rng: random.Random) -> Any:
    """Value of an intrinsic call; failures raise States.IntrinsicFailure, missing paths PathMissing."""
    try:
        node = parse_intrinsic(text)
    except ValueError as problem:
        raise StatesError("States.IntrinsicFailure", str(problem)) from None
    return _evaluate(node, data, context, rng)


def _evaluate(node: tuple, data: Any, context: dict, rng: random.Random) -> Any:
    if node[0] == "lit":
        return node[1]
    if node[0] == "path":
        return read_from(node[1], data, context)
    args = [_evaluate(arg, data, context, rng) for arg in node[2]]
    try:
        return FUNCTIONS[node[1]][0](rng, *args)
    except _TooLarge as problem:
        raise StatesError("States.DataLimitExceeded", f"States.{node[1]}: {problem}") from None
    except (TypeError, ValueError, IndexError, KeyError, OverflowError, RecursionError) as problem:
        raise StatesError("States.IntrinsicFailure", f"States.{node[1]}: {problem}") from None


def read_from(path: str, data: Any, context: dict) -> Any:
    """A `$$...` path reads the context object, a `$...` path the data."""
    return read_path(context, path[1:]) if path.startswith("$$") else read_path(data, path)


def resolve_dynamic(expr: Any, data: Any, context: dict, rng: random.Random,
                    error: str, field: str) -> Any:
    """Value of a `.$` field or *Path field: JSONPath, context path, or intrinsic call."""
    try:
        if isinstance(expr, str) and expr.startswith("States."):
            return call_intrinsic(expr, data, context, rng)
        if is_path(expr):
            return read_from(expr, data, context)
    except PathMissing:
        raise StatesError(error, f"The JSONPath {expr!r} specified for the field {field!r} "
                                 "could not be found in the input") from None
    raise StatesError(error, f"{field}: {expr!r} is not a JSONPath or intrinsic function expression")


def render_template(template: Any, data: Any, context: dict, rng: random.Random,
                    error: str = "States.ParameterPathFailure") -> Any:
    """A payload template with its `.$` fields resolved (recursing through objects and arrays)."""
    if isinstance(template, dict):
        rendered = {}
        for key, value in template.items():
            if key.endswith(".$"):
                rendered[key[:-2]] = resolve_dynamic(value, data, context, rng, error, key)
            else:
                rendered[key] = render_template(value, data, context, rng, error)
        return rendered
    if isinstance(template, list):
        return [render_template(item, data, context, rng, error) for item in template]
    return template


def dynamic_problem(expr: Any) -> str | None:
    """Why a `.$` value is invalid (for validation), or None when it is a path or a valid call."""
    if isinstance(expr, str) and expr.startswith("States."):
        try:
            parse_intrinsic(expr)
            return None
        except ValueError as problem:
            return str(problem)
    return None if is_path(expr) else f"{expr!r} is not a JSONPath or intrinsic function expression"


def template_problems(template: Any, where: str) -> list[str]:
    """Validation problems of every `.$` field in a payload template."""
    problems = []
    if isinstance(template, dict):
        for key, value in template.items():
            if key.endswith(".$"):
                problem = dynamic_problem(value)
                if problem:
                    problems.append(f"{where}.{key}: {problem}")
            else:
                problems.extend(template_problems(value, f"{where}.{key}"))
    elif isinstance(template, list):
        for index, item in enumerate(template):
            problems.extend(template_problems(item, f"{where}[{index}]"))
    return problems
