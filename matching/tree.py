"""Pattern objects: walking the fields, expanding ``$or`` and building the matcher.

A pattern is flattened into *alternatives* (one per combination of ``$or`` branches), each mapping a
field path such as ``("detail", "state")`` to a compiled :class:`Leaf`. Every alternative is then
rebuilt as a tree of closures that walks the event once. Where the event holds an array, the whole
sub-pattern below that point must be satisfied by a single element: fields taken from different
elements of one array never combine (event-ruler's "array consistency", cases eb-030, eb-034, eb-035,
eb-167, eb-173..eb-175; the EventBridge docs do not say, and the corpus follows event-ruler).
"""
from __future__ import annotations

from collections.abc import Mapping

from matching.leaf import compile_leaf
from matching.values import MISSING, OPERATORS, Dialect, jtype, loads_lexical

MAX_DEPTH = 64            # deeper patterns are rejected rather than risking recursion errors
MAX_ALTERNATIVES = 1024   # $or combinations; beyond this a pattern is rejected as too complex
_SHOWN = 20               # problems quoted in the exception text (all are in .problems)


class PatternError(ValueError):
    """An invalid pattern or filter policy; ``problems`` lists every ``"path: message"``."""

    def __init__(self, problems):
        self.problems = list(problems)
        more = len(self.problems) - _SHOWN
        text = "; ".join(self.problems[:_SHOWN]) + (f"; … and {more} more" if more > 0 else "")
        super().__init__(text)


class CompiledPattern:
    """A compiled pattern or filter policy. ``matches(event)`` is the hot path."""

    def __init__(self, fn, source, kind: str, alternatives: int):
        self._fn = fn
        self.matches = fn  # instance attribute shadows the method: saves one call per match
        self.source = source
        self.kind = kind
        self.alternatives = alternatives

    def matches(self, event) -> bool:  # noqa: F811 - replaced per instance, kept for class access
        """True when ``event`` (a parsed JSON object) satisfies the pattern."""
        return self._fn(event)

    def matches_json(self, text) -> bool:
        """Match JSON text, keeping each number's spelling (``300`` vs ``300.0``, eb-188..eb-190)."""
        return self._fn(loads_lexical(text))

    def __repr__(self) -> str:
        return f"<CompiledPattern {self.kind} alternatives={self.alternatives}>"


def load_object(doc, what: str):
    """Accept a mapping, or JSON text parsed with number spellings kept; else PatternError."""
    if isinstance(doc, (str, bytes, bytearray)):
        try:
            doc = loads_lexical(doc)
        except ValueError as exc:
            raise PatternError([f"$: {what} is not valid JSON: {exc}"]) from None
    if not isinstance(doc, Mapping):
        raise PatternError([f"$: {what} must be a JSON object, got {jtype(doc)}"])
    return doc


# ---------------------------------------------------------------- walking and $or expansion

def expand(pattern, d: Dialect, problems: list, nested: bool = True) -> list[dict]:
    """Validate ``pattern`` and return its alternatives; problems are appended, never raised."""
    return _walk(pattern, (), "", [{}], d, problems, 0, False, nested)


def _walk(obj, mpath, dpath, alts, d, problems, depth, in_or, nested):
    where = dpath or "$"
    if not obj:
        problems.append(f"{where}: object must not be empty")
        return alts
    for key, val in obj.items():
        if not isinstance(key, str):
            problems.append(f"{where}: field names must be strings, got {jtype(key)}")
            continue
        kpath = f"{dpath}.{key}" if dpath else key
        if key == "$or":
            alts = _or(val, mpath, kpath, alts, d, problems, depth, nested)
        elif in_or and key in OPERATORS:  # event-ruler reserves operator names inside $or
            problems.append(f"{kpath}: operator name {key!r} cannot be a field name inside $or")
        elif isinstance(val, Mapping):
            if not nested:
                problems.append(f"{kpath}: nested objects are not allowed when the filter policy "
                                "scope is MessageAttributes")
            elif depth >= MAX_DEPTH:
                problems.append(f"{kpath}: nested more than {MAX_DEPTH} levels deep")
            else:
                alts = _walk(val, mpath + (key,), kpath, alts, d, problems, depth + 1, in_or, nested)
        elif isinstance(val, list):
            leaf = compile_leaf(val, kpath, d, problems)
            if leaf is not None:
                path = mpath + (key,)
                for alt in alts:
                    # A later key replaces an earlier one on the same path, so a field inside a
                    # $or branch overrides the same field written before the $or (event-ruler's
                    # rule override; cases eb-160, eb-161 expect it).
                    alt[path] = leaf
        else:
            problems.append(f"{kpath}: must be an array of match values or an object, "
                            f"got {jtype(val)}")
    return alts


def _or(val, mpath, kpath, alts, d, problems, depth, nested):
    # Only an array of 2+ objects is an $or; anything else is rejected rather than read as a
    # field literally named "$or" (fail closed; the SNS docs describe that fallback, EventBridge's
    # do not).
    if not (isinstance(val, list) and len(val) >= 2 and all(isinstance(b, Mapping) for b in val)):
        problems.append(f"{kpath}: must be an array of at least 2 objects")
        return alts
    if depth >= MAX_DEPTH:
        problems.append(f"{kpath}: nested more than {MAX_DEPTH} levels deep")
        return alts
    if len(alts) * len(val) > MAX_ALTERNATIVES:
        problems.append(f"{kpath}: $or expands to more than {MAX_ALTERNATIVES} alternatives")
        return alts
    out = []
    for i, branch in enumerate(val):
        out += _walk(branch, mpath, f"{kpath}[{i}]", [dict(a) for a in alts], d, problems,
                     depth + 1, True, nested)
        if len(out) > MAX_ALTERNATIVES:
            problems.append(f"{kpath}: $or expands to more than {MAX_ALTERNATIVES} alternatives")
            return alts
    return out


# ---------------------------------------------------------------- matcher construction

def build_matcher(alts: list[dict]):
    """One closure answering whether an event (a JSON object) satisfies any alternative."""
    fns = tuple(_alternative(alt) for alt in alts)
    if len(fns) == 1:
        return fns[0]

    def any_alternative(event):
        for fn in fns:
            if fn(event):
                return True
        return False
    return any_alternative


def _alternative(alt: dict):
    root: dict = {}
    for path, leaf in alt.items():
        kids = root
        for key in path[:-1]:
            kids = kids.setdefault(key, [None, {}])[1]
        kids.setdefault(path[-1], [None, {}])[0] = leaf
    return _object(root, top=True)


def _node(node):
    leaf, kids = node
    if not kids:
        return leaf.fn
    obj = _object(kids)
    if leaf is None:
        return obj
    lf = leaf.fn  # a path that is both a leaf and a parent (possible through $or overrides)
    return lambda v: lf(v) and obj(v)


def _object(kids: dict, top: bool = False):
    fields = tuple((key, _node(node)) for key, node in kids.items())
    absent = all(fn(MISSING) for _, fn in fields)  # result when this object is missing
    get = dict.get

    def obj(v):
        if type(v) is dict:
            for key, fn in fields:
                if not fn(get(v, key, MISSING)):
                    return False
            return True
        if type(v) is list and not top:
            # Any one element must satisfy the whole sub-pattern (array consistency). Nested
            # arrays are flattened; an array with no elements counts as a missing field.
            seen, stack = False, [v]
            while stack:
                for e in stack.pop():
                    if type(e) is list:
                        stack.append(e)
                    else:
                        seen = True
                        if obj(e):
                            return True
            return absent and not seen
        if isinstance(v, Mapping):
            return obj(dict(v))
        if top:
            return False  # an event (or message body) must be a JSON object
        if isinstance(v, (list, tuple)):
            return obj(list(v))
        return absent
    return obj
