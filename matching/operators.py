"""Operators inside a match-value array: prefix, suffix, anything-but, numeric, exists,
equals-ignore-case, wildcard, cidr. ``parse_operator`` validates one ``{"op": arg}`` object and
returns ``(kind, predicate)``; kind says which scalars the predicate applies to.
"""
from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Mapping

from matching.values import ANYTHING_BUT_OPS, NUM_TYPES, NUMERIC_LIMIT, OPERATORS
from matching.values import is_num as _is_num, show_num
from matching.values import jtype as _jtype

_NUMERIC_OPS = ("<", "<=", "=", ">", ">=")
_CMP = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt, ">=": operator.ge}


# ---------------------------------------------------------------- operator parsers
# Each returns (kind, predicate) with kind in "str" (applies to strings), "num" (to numbers),
# "any" (to every scalar) or "exists"; or None after recording a problem.

def _wildcard(pattern, path, problems):
    """Compile a wildcard: '*' is any run of characters, '\\*' a literal star, '\\\\' a backslash."""
    if not isinstance(pattern, str):
        problems.append(f"{path}: wildcard must be a string, got {_jtype(pattern)}")
        return None
    segs, cur, i, prev_star = [], [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if prev_star:  # the service rejects "**" (event-ruler: consecutive wildcard characters)
                problems.append(f"{path}: wildcard {pattern!r} has consecutive '*' at position {i - 1}")
                return None
            segs.append("".join(cur))
            cur, prev_star = [], True
        elif c == "\\":
            nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
            if nxt not in ("*", "\\"):
                problems.append(f"{path}: wildcard {pattern!r} has an invalid escape at position {i}"
                                " (only \\* and \\\\ are allowed)")
                return None
            cur.append(nxt)
            i, prev_star = i + 1, False
        else:
            cur.append(c)
            prev_star = False
        i += 1
    segs.append("".join(cur))
    if len(segs) == 1:
        lit = segs[0]
        return lambda v: v == lit
    if len(segs) == 2:
        head, tail = segs
        need = len(head) + len(tail)
        return lambda v: len(v) >= need and v.startswith(head) and v.endswith(tail)
    return re.compile(".*".join(map(re.escape, segs)), re.DOTALL).fullmatch


def _string_arg(op, arg, path, problems, non_empty=False):
    if not isinstance(arg, str):
        problems.append(f"{path}: {op} must be a string, got {_jtype(arg)}")
        return None
    if non_empty and not arg:
        problems.append(f"{path}: {op} must not be an empty string")
        return None
    return arg


def _affix(op, arg, path, d, problems):
    """prefix / suffix, optionally {"equals-ignore-case": text}."""
    fold = False
    if isinstance(arg, Mapping) and d.nested_ignore_case:
        if list(arg) != ["equals-ignore-case"]:
            problems.append(f"{path}: {op} object must be exactly {{\"equals-ignore-case\": string}}")
            return None
        arg, fold = arg["equals-ignore-case"], True
    elif isinstance(arg, Mapping) and list(arg) == ["equals-ignore-case"]:
        problems.append(f"{path}: {op} equals-ignore-case is not supported in {d.label}")
        return None
    text = _string_arg(f"{op} equals-ignore-case" if fold else op, arg, path, problems)
    if text is None:
        return None
    if fold:
        low = text.lower()
        if op == "prefix":
            return "str", lambda v: v.lower().startswith(low)
        return "str", lambda v: v.lower().endswith(low)
    return "str", (lambda v: v.startswith(text)) if op == "prefix" else (lambda v: v.endswith(text))


def _numeric(arg, path, d, problems):
    if not isinstance(arg, list):
        problems.append(f"{path}: numeric must be an array, got {_jtype(arg)}")
        return None
    if len(arg) not in (2, 4):
        problems.append(f"{path}: numeric must be [operator, number] or "
                        "[lower-operator, number, upper-operator, number]")
        return None
    bounds, ok = [], True
    for j in range(0, len(arg), 2):
        op, num = arg[j], arg[j + 1]
        if op not in _NUMERIC_OPS or not isinstance(op, str):
            problems.append(f"{path}: unknown numeric operator {op!r}")
            ok = False
        elif not _is_num(num):
            problems.append(f"{path}: numeric value for {op!r} must be a finite number, got {_jtype(num)}")
            ok = False
        elif not -NUMERIC_LIMIT <= num <= NUMERIC_LIMIT:
            problems.append(f"{path}: numeric value {show_num(num)} is outside the supported range "
                            "-1e9..1e9")
            ok = False
        else:
            bounds.append((op, round(num * d.scale)))
    if not ok:
        return None
    if len(bounds) == 2:
        (lop, lo), (hop, hi) = bounds
        if lop not in (">", ">=") or hop not in ("<", "<="):
            problems.append(f"{path}: a numeric range is a lower bound ('>' or '>=') followed by an "
                            "upper bound ('<' or '<=')")
            return None
        if lo >= hi:
            problems.append(f"{path}: numeric lower bound must be less than the upper bound")
            return None
    scale, lim = d.scale, NUMERIC_LIMIT
    c1, b1 = _CMP[bounds[0][0]], bounds[0][1]
    two = len(bounds) == 2
    c2, b2 = (_CMP[bounds[1][0]], bounds[1][1]) if two else (None, None)

    def pred(v):
        # Documented limits: values outside -1e9..1e9 never match numerically; precision is
        # 6 decimal places on EventBridge (5 on SNS), so both sides are compared as scaled integers.
        if not -lim <= v <= lim:
            return False
        q = round(v * scale)
        return c1(q, b1) and (not two or c2(q, b2))
    return "num", pred


def _cidr(arg, path, problems):
    text = _string_arg("cidr", arg, path, problems)
    if text is None:
        return None
    try:
        if "/" not in text:
            raise ValueError
        net = ipaddress.ip_network(text, strict=False)  # host bits may be set (eb-133..eb-142)
    except ValueError:
        problems.append(f"{path}: invalid CIDR block {text!r}")
        return None
    lo, hi = int(net.network_address), int(net.broadcast_address)
    if net.version == 4:
        def pred(v):
            n = _ipv4_int(v)
            return n is not None and lo <= n <= hi
        return "str", pred
    parse = ipaddress.IPv6Address

    def pred6(v):
        try:
            return lo <= int(parse(v)) <= hi
        except ValueError:
            return False
    return "str", pred6


def _ipv4_int(text):
    """Dotted-quad IPv4 to int, as strictly as ipaddress (no leading zeros), ~10x faster."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    n = 0
    for p in parts:
        if not (p.isascii() and p.isdigit()) or len(p) > 3 or (p[0] == "0" and len(p) > 1):
            return None
        b = int(p)
        if b > 255:
            return None
        n = n << 8 | b
    return n


def _anything_but(arg, path, d, problems):
    key = d.num_key
    if isinstance(arg, Mapping):
        if len(arg) != 1:
            problems.append(f"{path}: anything-but object must have exactly one key, got {len(arg)}")
            return None
        (op, sub), = arg.items()
        if op not in d.anything_but_ops:
            if op in ANYTHING_BUT_OPS:
                problems.append(f"{path}: anything-but {op} is not supported in {d.label}")
            elif op in OPERATORS:
                problems.append(f"{path}: operator {op!r} cannot be used inside anything-but")
            else:
                problems.append(f"{path}: unknown anything-but operator {op!r}")
            return None
        items = sub if isinstance(sub, list) and d.anything_but_lists else [sub]
        if not items:
            problems.append(f"{path}: anything-but {op} list must not be empty")
            return None
        if op == "wildcard":
            ms = [_wildcard(p, path, problems) for p in items]
            if None in ms:
                return None
            return "any", lambda v: type(v) is not str or not any(m(v) for m in ms)
        texts = [_string_arg(f"anything-but {op}", p, path, problems,
                             non_empty=op != "equals-ignore-case")
                 for p in items]
        if None in texts:
            return None
        if op == "equals-ignore-case":
            low = frozenset(t.lower() for t in texts)
            return "any", lambda v: type(v) is not str or v.lower() not in low
        tup = tuple(texts)
        if op == "prefix":
            return "any", lambda v: type(v) is not str or not v.startswith(tup)
        return "any", lambda v: type(v) is not str or not v.endswith(tup)
    items = arg if isinstance(arg, list) else [arg]
    if not items:
        problems.append(f"{path}: anything-but list must not be empty")
        return None
    if all(isinstance(x, str) for x in items):
        strs = frozenset(items)
        return "any", lambda v: type(v) is not str or v not in strs
    if all(_is_num(x) for x in items):  # docs: lists hold only strings or only numbers
        nums = frozenset(key(x) for x in items)
        return "any", lambda v: type(v) not in NUM_TYPES or key(v) not in nums
    if isinstance(arg, list):
        problems.append(f"{path}: anything-but list must hold only strings or only finite numbers")
    else:
        problems.append(f"{path}: anything-but value must be a string, a number, an array or an "
                        f"object, got {_jtype(arg)}")
    return None


def parse_operator(item, path, d, problems):
    if len(item) != 1:
        problems.append(f"{path}: an operator object must have exactly one key, got {len(item)}")
        return None
    (op, arg), = item.items()
    if op not in d.operators:
        if op in OPERATORS:
            problems.append(f"{path}: operator {op!r} is not supported in {d.label}")
        else:
            problems.append(f"{path}: unknown operator {op!r}")
        return None
    if op in ("prefix", "suffix"):
        return _affix(op, arg, path, d, problems)
    if op == "anything-but":
        return _anything_but(arg, path, d, problems)
    if op == "numeric":
        return _numeric(arg, path, d, problems)
    if op == "exists":
        if not isinstance(arg, bool):
            problems.append(f"{path}: exists must be true or false, got {_jtype(arg)}")
            return None
        return "exists", arg
    if op == "equals-ignore-case":
        text = _string_arg(op, arg, path, problems)
        if text is None:
            return None
        low = text.lower()
        return "str", lambda v: v.lower() == low
    if op == "wildcard":
        m = _wildcard(arg, path, problems)
        return None if m is None else ("str", m)
    return _cidr(arg, path, problems)


