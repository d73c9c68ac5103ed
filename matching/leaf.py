"""Compile a match-value array (a pattern leaf) into one fast predicate over an event value."""
from __future__ import annotations

from collections.abc import Mapping

from matching.operators import parse_operator
from matching.values import MISSING, SCALARS, Dialect, LexFloat, Leaf, coerce
from matching.values import is_num as _is_num, jtype as _jtype


def compile_leaf(values, path, d: Dialect, problems) -> Leaf | None:
    """Compile a match-value array; record problems and return None when it is invalid."""
    if not values:
        problems.append(f"{path}: array of match values must not be empty")
        return None
    strs, nums, consts = set(), set(), []
    preds = {"str": [], "num": [], "any": []}
    exists_true = absent_ok = False
    n_before = len(problems)
    for i, item in enumerate(values):
        ipath = f"{path}[{i}]"
        if isinstance(item, bool) or item is None:
            consts.append(item)
        elif isinstance(item, str):
            strs.add(item)
        elif isinstance(item, (int, float)):
            if _is_num(item):
                nums.add(d.num_key(item))
            else:
                problems.append(f"{ipath}: numbers must be finite")
        elif isinstance(item, Mapping):
            res = parse_operator(item, ipath, d, problems)
            if res is None:
                continue
            kind, p = res
            if kind == "exists":
                exists_true, absent_ok = exists_true or p, absent_ok or not p
            else:
                preds[kind].append(p)
        else:
            problems.append(f"{ipath}: a match value must be a string, number, boolean, null or "
                            f"operator object, got {_jtype(item)}")
    if len(problems) > n_before:
        return None
    scalar = _scalar_matcher(frozenset(strs), frozenset(nums), tuple(consts), preds, exists_true,
                             d.num_key)
    return Leaf(_leaf_fn(scalar, absent_ok), absent_ok, exists_true)


def _scalar_matcher(strs, nums, consts, preds, exists_true, key):
    if exists_true:  # any scalar (null included) satisfies {"exists": true}
        return lambda v: True
    str_preds, num_preds, any_preds = (tuple(preds[k]) for k in ("str", "num", "any"))
    if not (nums or consts or str_preds or num_preds or any_preds):
        return lambda v: type(v) is str and v in strs  # the common case: exact strings only
    has_true, has_false, has_null = True in consts, False in consts, None in consts

    def scalar(v):
        t = type(v)
        if t is str:
            if v in strs:
                return True
            for p in str_preds:
                if p(v):
                    return True
        elif t is int or t is float or t is LexFloat:
            if nums and key(v) in nums:
                return True
            for p in num_preds:
                if p(v):
                    return True
        elif t is bool:
            if (has_true if v else has_false):
                return True
        elif v is None:
            if has_null:
                return True
        else:
            return False
        for p in any_preds:
            if p(v):
                return True
        return False
    return scalar


def _leaf_fn(scalar, absent_ok):
    def leaf(v):
        t = type(v)
        if t is str:
            return scalar(v)
        if v is MISSING or t is dict:  # exists applies to leaves only: an object counts as absent
            return absent_ok
        if t is list:
            seen, stack = False, [v]
            while stack:
                for e in stack.pop():
                    te = type(e)
                    if te is list:
                        stack.append(e)
                    elif te is not dict:
                        if te not in SCALARS:
                            e = coerce(e)
                            if type(e) is list:
                                stack.append(e)
                            if type(e) in (list, dict) or e is MISSING:
                                continue
                        seen = True
                        if scalar(e):
                            return True
            return absent_ok and not seen  # an array without leaf values counts as absent
        if t in SCALARS:
            return scalar(v)
        c = coerce(v)
        return absent_ok if c is MISSING else leaf(c)
    return leaf


