"""Reading untrusted YAML/JSON documents safely: size cap, safe loader, alias-bomb and depth guards.

Every reader of user files (designs, scenarios, imported templates) goes through here, so the
guards live in one place. Problems are raised as `DocumentError` with a one-line message.
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import yaml

MAX_BYTES = 10 * 1024 * 1024      # files over 10 MiB are refused before parsing (DESIGN.md)
MAX_EXPANDED_VALUES = 1_000_000   # a YAML alias bomb expands past this; real documents stay far below
MAX_DEPTH = 200                   # deeper nesting than any real design; keeps recursion bounded
MAX_INT = 2**63 - 1               # whole numbers beyond a signed 64-bit integer are refused (no real value is larger)
_LONG_DIGITS = re.compile(r"\d{4301,}")   # Python refuses to convert longer digit strings (int_max_str_digits)

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentError(ValueError):
    """A document that cannot be read at all (as opposed to a readable but invalid design)."""


def read_bytes(path: str | os.PathLike) -> bytes:
    """At most 10 MiB of a file. The limit is enforced on the bytes read, not on `stat()` alone: a pipe, a
    device (/dev/zero) or a file that grows reports a size of 0 or less than it yields."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(f"{path}: file is {size / 1048576:.1f} MiB; the limit is 10 MiB")
        with open(p, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise DocumentError(f"{path}: more than 10 MiB; the limit is 10 MiB")
    return data


def read_text(path: str | os.PathLike) -> str:
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text") from None


def parse(text: str | bytes, fmt: str | None = None, *, name: str = "document", loader=None,
          accepted: str = "only plain YAML is accepted", encoding: str = "utf-8",
          json_prefixes: tuple[str, ...] = ("{", "["), numbers: bool = True):
    """Parse YAML or JSON text (fmt 'yaml', 'json' or None = sniff by `json_prefixes`) into plain Python data.
    `loader` is a SafeLoader subclass for documents with their own tags (CloudFormation templates); the
    same guards apply whatever the loader, and `accepted` says in the refusal what tags are allowed.
    `numbers=False` leaves the NaN/Infinity/huge-int check to the caller (the design loader, which names nodes
    by id and lists every problem); nesting depth and unreadable numbers are refused either way."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise DocumentError(f"{name}: {len(text) / 1048576:.1f} MiB; the limit is 10 MiB")
        try:
            text = text.decode(encoding)
        except UnicodeDecodeError:
            raise DocumentError(f"{name}: not UTF-8 text") from None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DocumentError(f"{name}: over 10 MiB; the limit is 10 MiB")
    if fmt is None:
        fmt = "json" if text.lstrip().startswith(json_prefixes) else "yaml"
    data = _parse_json(text, name) if fmt == "json" else _parse_yaml(text, name, loader or _SafeLoader, accepted)
    if numbers:
        check_numbers(data, name)
    return data


def _parse_json(text: str, name: str):
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except _NonFinite as exc:
        raise DocumentError(f"{name}: {exc.args[0]} at {_where(text, exc.args[0])} is not a number JSON allows "
                            "(NaN and Infinity are refused)") from None
    except RecursionError:
        raise DocumentError(f"{name}: nested too deeply (limit {MAX_DEPTH} levels)") from None
    except ValueError:   # a whole number longer than Python converts (4,300 digits)
        raise _too_long(text, name) from None
    _check_depth(data, name)
    return data


class _NonFinite(ValueError):
    pass


def _refuse_constant(word: str):
    raise _NonFinite(word)


def _where(text: str, needle: str) -> str:
    at = max(text.find(needle), 0)
    line_start = text.rfind("\n", 0, at) + 1
    return f"line {text.count(chr(10), 0, at) + 1} column {at - line_start + 1}"


def _too_long(text: str, name: str) -> DocumentError:
    m = _LONG_DIGITS.search(text)
    where = f" at {_where(text, m.group())}" if m else ""
    return DocumentError(f"{name}: a number{where} has more than 4,300 digits; numbers are limited to "
                         f"±{MAX_INT:,}")


def _scan_depth(text: str, name: str, loader_class) -> None:
    """Refuse nesting deeper than MAX_DEPTH from the event stream, before anything is composed: libyaml's
    composer recurses in C, and 30,000 `[` kill the process (SIGSEGV) where Python could not catch it.
    The parser that yields the events is iterative, so this pass is safe on any input."""
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    scanner = loader_class(text)
    depth = 0
    try:
        while True:
            event = scanner.get_event()
            if event is None:
                return
            kind = event.__class__
            if kind in opening:
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
                    raise DocumentError(f"{name}: nested too deeply{where} (limit {MAX_DEPTH} levels)")
            elif kind in closing:
                depth -= 1
    finally:
        scanner.dispose()


def _parse_yaml(text: str, name: str, loader_class, accepted: str):
    try:
        _scan_depth(text, name, loader_class)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise DocumentError(f"{name}: invalid YAML{where}: {_oneline(exc.problem or str(exc))}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{name}: invalid YAML: {_oneline(str(exc))}") from None
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, name)
        data = loader.construct_document(node)
    except DocumentError:
        raise
    except yaml.constructor.ConstructorError as exc:
        tag = getattr(exc, "problem", "") or str(exc)
        raise DocumentError(f"{name}: refused YAML tag ({_oneline(tag)}); {accepted}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise DocumentError(f"{name}: invalid YAML{where}: {_oneline(exc.problem or str(exc))}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{name}: invalid YAML: {_oneline(str(exc))}") from None
    except RecursionError:
        raise DocumentError(f"{name}: nested too deeply (limit {MAX_DEPTH} levels)") from None
    except ValueError:   # int() of a plain scalar longer than Python converts (4,300 digits)
        raise _too_long(text, name) from None
    finally:
        loader.dispose()
    return data


def _check_expansion(root, name: str) -> None:
    """Refuse alias bombs: count values as if every alias were expanded, sharing work per node."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()   # on the current path: meeting one again means a cycle
    stack: list[tuple[object, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if depth > MAX_DEPTH:
            raise DocumentError(f"{name}: nested too deeply (limit {MAX_DEPTH} levels)")
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            if total > MAX_EXPANDED_VALUES:
                raise DocumentError(f"{name}: expands to over {MAX_EXPANDED_VALUES:,} values "
                                    "(YAML aliases repeated too often); refused")
            sizes[id(node)] = total
            open_nodes.discard(id(node))
            continue
        stack.append((node, depth, True))
        open_nodes.add(id(node))
        for child in children:
            if id(child) not in sizes:
                if id(child) in open_nodes:
                    raise DocumentError(f"{name}: a YAML alias refers to itself; refused")
                stack.append((child, depth + 1, False))


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def number_problem(value) -> str | None:
    """Why a number read from a document cannot be used (NaN, ±Infinity, beyond ±MAX_INT), else None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not a finite number (NaN and Infinity are refused)"
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT <= value <= MAX_INT:
        return f"a whole number of {len(str(abs(value)))} digits; numbers are limited to ±{MAX_INT:,}"
    return None


def number_paths(data, prefix: str = "") -> list[tuple[str, str]]:
    """(path, problem) for every unusable number in plain data (keys too), in document order; nesting
    deeper than MAX_DEPTH is reported once."""
    found: list[tuple[str, str]] = []
    stack = [(data, prefix, 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            found.append((path or "document", f"nested too deeply (limit {MAX_DEPTH} levels)"))
            break
        if isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                where = f"{path}.{key}" if path else str(key)
                if (problem := number_problem(key)) is not None:
                    found.append((where, f"key: {problem}"))
                stack.append((item, where, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in reversed(list(enumerate(value))))
        elif (problem := number_problem(value)) is not None:
            found.append((path or "document", problem))
    return found


def _check_depth(data, name: str) -> None:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentError(f"{name}: nested too deeply (limit {MAX_DEPTH} levels)")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def check_numbers(data, name: str) -> None:
    """Refuse a document holding NaN, ±Infinity, a whole number beyond ±MAX_INT, or nesting deeper than
    MAX_DEPTH: such a value would later raise (OverflowError, invalid JSON out) far from where it came in."""
    stack = [(data, 0)]
    while stack:   # the fast pass: no paths; a second pass names the first bad value
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentError(f"{name}: nested too deeply (limit {MAX_DEPTH} levels)")
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, (int, float)):
                    stack.append((key, depth + 1))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, (int, float)) and number_problem(value) is not None:
            path, problem = number_paths(data)[0]
            raise DocumentError(f"{name}: {path}: {problem}")


def _oneline(text: str) -> str:
    return " ".join(str(text).split())[:200]


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def dump_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
