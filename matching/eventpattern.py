"""Amazon EventBridge event patterns (SNS filter policies, on the same engine, are in matching.filterpolicy).

Compile once, match many times::

    cp = compile_pattern({"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "pending"}]}})
    cp.matches(event_dict)              # parsed event
    cp.matches_json(event_json_text)    # JSON text: number spellings kept (300 vs 300.0)

Semantics follow the EventBridge service and docs; the test corpus (event-ruler facts plus docs
examples) pins the details. Where event-ruler and the service differ we follow the service:

* Exact and anything-but number matching compare a number's *string representation*: the docs say
  300, 300.0 and 3.0e2 are not equal, whereas event-ruler compares values (eb-189, eb-190). A Python
  ``int`` reads as its digits and a ``float`` as ``repr``; ``matches_json`` / ``matches_text`` and
  patterns given as JSON text keep the original spelling (see ``LexFloat``).
* Numeric comparisons use the documented limits: -1e9..+1e9 and six decimal places. Operands
  outside that range are rejected; event values outside it never match numerically (exact matching
  still works: eb-152). event-ruler uses the full double range instead.

Every problem in an invalid pattern is reported at once as a :class:`PatternError` whose
``problems`` read ``"detail.total[0]: unknown operator 'numerik'"``. Nothing unknown is ever
treated as match-all.
"""
from __future__ import annotations

import json
from functools import lru_cache

from matching.tree import CompiledPattern, PatternError, build_matcher, expand
from matching.tree import load_object
from matching.values import (ANYTHING_BUT_OPS, OPERATORS, Dialect, LexFloat,
                                           lexical_key, loads_lexical)

__all__ = ["CompiledPattern", "LexFloat", "PatternError", "compile_pattern", "loads_lexical", "matches",
           "matches_text", "validate_pattern"]

EVENTBRIDGE = Dialect(
    label="EventBridge event patterns",
    scale=10 ** 6,  # docs: six digits to the right of the decimal point
    num_key=lexical_key,
    operators=frozenset(OPERATORS),
    # The 2023 docs allowed a single anything-but prefix only; the current operator table and the
    # corpus (eb-110..eb-113, eb-117..eb-120, eb-128, eb-129) accept lists, so lists are accepted.
    anything_but_ops=frozenset(ANYTHING_BUT_OPS),
    anything_but_lists=True,
    nested_ignore_case=True,
)


def compile_pattern(pattern) -> CompiledPattern:
    """Compile an EventBridge event pattern (a mapping, or its JSON text).

    Raises PatternError listing every problem.
    """
    pattern = load_object(pattern, "pattern")
    problems: list[str] = []
    alts = expand(pattern, EVENTBRIDGE, problems)
    if problems:
        raise PatternError(problems)
    return CompiledPattern(build_matcher(alts), pattern, "EventBridge", len(alts))


def validate_pattern(pattern) -> list[str]:
    """Every problem in ``pattern`` as ``"path: message"``; ``[]`` when it is valid."""
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return exc.problems
    return []


@lru_cache(maxsize=1024)
def _compiled(text: str) -> CompiledPattern:
    return compile_pattern(text)


def matches(pattern, event) -> bool:
    """Compile (cached by the pattern's JSON text) and match one parsed event."""
    if isinstance(pattern, str):
        return _compiled(pattern).matches(event)
    try:
        text = json.dumps(pattern, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return compile_pattern(pattern).matches(event)  # not JSON: compile raises the problems
    return _compiled(text).matches(event)


def matches_text(pattern, event_text) -> bool:
    """Match an event given as JSON text, keeping its numbers' spelling (eb-188..eb-190)."""
    cp = _compiled(pattern) if isinstance(pattern, str) else compile_pattern(pattern)
    return cp.matches(loads_lexical(event_text))
