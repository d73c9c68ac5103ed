"""Reading untrusted YAML/JSON documents safely: size cap, safe loader, alias-bomb and depth guards.

Every reader of user files (designs, scenarios, imported templates) goes through here, so the
guards live in one place. Problems are raised as `DocumentError` with a one-line message.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

MAX_BYTES = 10 * 1024 * 1024      # files over 10 MiB are refused before parsing (DESIGN.md)
MAX_EXPANDED_VALUES = 1_000_000   # a YAML alias bomb expands past this; real documents stay far below
MAX_DEPTH = 200                   # deeper nesting than any real design; keeps recursion bounded

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentError(ValueError):
    """A document that cannot be read at all (as opposed to a readable but invalid design)."""


def read_text(path: str | os.PathLike) -> str:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_BYTES:
        raise DocumentError(f"{path}: file is {size / 1048576:.1f} MiB; the limit is 10 MiB")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse(text: str | bytes, fmt: str | None = None, *, name: str = "document", loader=None,
          accepted: str = "only plain YAML is accepted", encoding: str = "utf-8",
          json_prefixes: tuple[str, ...] = ("{", "[")):
    """Parse YAML or JSON text (fmt 'yaml', 'json' or None = sniff by `json_prefixes`) into plain Python data.
    `loader` is a SafeLoader subclass for documents with their own tags (CloudFormation templates); the
    same guards apply whatever the loader, and `accepted` says in the refusal what tags are allowed."""
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
    if fmt == "json":
        return _parse_json(text, name)
    return _parse_yaml(text, name, loader or _SafeLoader, accepted)


def _parse_json(text: str, name: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise DocumentError(f"{name}: nested too deeply (limit {MAX_DEPTH} levels)") from None
    _check_depth(data, name)
    return data


def _parse_yaml(text: str, name: str, loader_class, accepted: str):
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, name)
        return loader.construct_document(node)
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
    finally:
        loader.dispose()


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


def _oneline(text: str) -> str:
    return " ".join(str(text).split())[:200]


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def dump_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
