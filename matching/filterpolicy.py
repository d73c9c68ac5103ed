"""Amazon SNS subscription filter policies, on the EventBridge pattern engine.

``compile_filter_policy(policy, scope)`` returns a CompiledPattern whose ``matches`` takes:

* scope ``"MessageAttributes"`` (the AWS default): a flat mapping attribute name -> value, where a
  ``str`` is a String attribute, an ``int``/``float`` a Number and a list a String.Array (any
  element may match). The policy must be flat (SNS rejects nesting for this scope).
* scope ``"MessageBody"``: the parsed JSON body; nesting and arrays work as for EventBridge.

Semantics from the SNS docs: keys are ANDed, the values listed for one key are ORed; operators are
exact (string, number, true/false/null), prefix, suffix, equals-ignore-case, anything-but (a value,
a list of strings or of numbers, or {"prefix": text}), numeric (=, <, <=, >, >=, ranges), exists,
cidr and ``$or``. EventBridge-only forms (wildcard, anything-but suffix / ignore-case / wildcard,
lists inside anything-but objects, prefix/suffix with equals-ignore-case) are rejected by name.
Constraints page: at most 5 keys, at most 150 value combinations, numbers within -1e9..1e9 with
five decimal places. Numbers match by value (SNS docs: 301.5 and 3.015e2 are equal).
"""
from __future__ import annotations

from collections.abc import Mapping

from matching.tree import CompiledPattern, PatternError, build_matcher, expand
from matching.tree import load_object
from matching.values import MISSING, Dialect, value_key

SCOPES = ("MessageAttributes", "MessageBody")
MAX_KEYS = 5
MAX_COMBINATIONS = 150

SNS = Dialect(
    label="SNS filter policies",
    scale=10 ** 5,  # constraints page: five digits of accuracy after the decimal point
    num_key=value_key,
    operators=frozenset({"anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix",
                         "suffix"}),
    anything_but_ops=frozenset({"prefix"}),
    anything_but_lists=False,
    nested_ignore_case=False,
)


def compile_filter_policy(policy, scope: str = "MessageAttributes") -> CompiledPattern:
    """Compile an SNS filter policy (a mapping or its JSON text) for ``scope``.

    Raises PatternError listing every problem, including an unknown scope.
    """
    if scope not in SCOPES:
        raise PatternError([f"scope: must be 'MessageAttributes' or 'MessageBody', got {scope!r}"])
    policy = load_object(policy, "filter policy")
    kind = f"SNS {scope}"
    if not policy:
        # SNS treats the empty policy "{}" as no filter policy: every message is delivered.
        return CompiledPattern(_deliver_all, policy, kind, 1)
    problems: list[str] = []
    if len(policy) > MAX_KEYS:  # for nested policies only the top-level keys count
        problems.append(f"$: a filter policy can have at most {MAX_KEYS} keys, got {len(policy)}")
    alts = expand(policy, SNS, problems, nested=scope == "MessageBody")
    if not problems:
        combos = _combinations(policy, 1)
        if combos > MAX_COMBINATIONS:
            problems.append(f"$: filter policy is too complex: {combos} value combinations "
                            f"(limit {MAX_COMBINATIONS})")
    if problems:
        raise PatternError(problems)
    fn = build_matcher(alts) if scope == "MessageBody" else _attributes_matcher(alts)
    return CompiledPattern(fn, policy, kind, len(alts))


def _deliver_all(message) -> bool:
    return True


def _combinations(obj: Mapping, depth: int) -> int:
    """The constraints page's count: the product of each array's length times its nesting depth
    (their example: 4 values 3 levels deep and 3 values 2 levels deep give 3 x 4 x 2 x 3 = 72);
    ``$or`` branches add up."""
    total = 1
    for key, val in obj.items():
        if key == "$or":
            total *= sum(_combinations(branch, depth) for branch in val)
        elif isinstance(val, Mapping):
            total *= _combinations(val, depth + 1)
        else:
            total *= len(val) * depth
    return total


def _attributes_matcher(alts: list[dict]):
    groups = tuple(tuple((path[0], leaf.fn, leaf.exists_true) for path, leaf in alt.items())
                   for alt in alts)

    def match(attributes) -> bool:
        if type(attributes) is not dict:
            if not isinstance(attributes, Mapping):
                return False
            attributes = dict(attributes)
        for fields in groups:
            for name, fn, exists_true in fields:
                v = attributes.get(name, MISSING)
                if v is not MISSING and (type(v) is dict or (type(v) is list and not v)):
                    # The attribute is present but carries no value (e.g. an empty String.Array):
                    # only {"exists": true} holds; exists is about the key for attributes.
                    if not exists_true:
                        break
                elif not fn(v):
                    break
            else:
                return True
        return False
    return match
