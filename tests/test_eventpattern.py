"""EventBridge event-pattern matcher: the shared corpus, every PatternError, semantics, properties."""
from __future__ import annotations

import ipaddress
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import (CompiledPattern, LexFloat, PatternError, compile_filter_policy, compile_pattern,
                      eventpattern, leaf, loads_lexical, matches, matches_text, tree, validate_pattern, values)

# The external corpus, copied verbatim into tests/corpus (see tests/test_corpus_copy.py).
CORPUS_PATH = Path(__file__).resolve().parent / "corpus" / "eventbridge" / "cases.json"
CORPUS = json.loads(CORPUS_PATH.read_text())
CASES = CORPUS["cases"]


# ---------------------------------------------------------------- the corpus

def test_corpus_has_all_190_cases():
    assert len(CASES) == 190 == CORPUS["count"]
    assert len({c["id"] for c in CASES}) == 190


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case):
    expected = case["matches"]
    assert matches(case["pattern"], case["event"]) is expected
    assert compile_pattern(case["pattern"]).matches(case["event"]) is expected
    # the same pattern given as JSON text compiles to the same answer
    assert compile_pattern(json.dumps(case["pattern"])).matches(case["event"]) is expected
    if "event_text" in case:  # number spelling matters: parse the text, not the normalised event
        assert matches_text(json.dumps(case["pattern"]), case["event_text"]) is expected
        assert compile_pattern(case["pattern"]).matches_json(case["event_text"]) is expected


def test_service_is_followed_where_event_ruler_differs():
    differing = [c for c in CASES if "event_ruler_matches" in c]
    assert [c["id"] for c in differing] == ["eb-189", "eb-190"]
    for c in differing:
        assert matches_text(json.dumps(c["pattern"]), c["event_text"]) is not c["event_ruler_matches"]


def test_array_consistency_cases_do_not_combine_elements():
    flattened = [c for c in CASES if "matches_without_array_consistency" in c]
    assert len(flattened) == 8
    for c in flattened:
        assert matches(c["pattern"], c["event"]) is c["matches"] is not c["matches_without_array_consistency"]


# ---------------------------------------------------------------- PatternError messages

ERRORS = [
    ({"detail": {"total": [{"numerik": [">", 1]}]}}, "detail.total[0]: unknown operator 'numerik'"),
    ([], "$: pattern must be a JSON object, got array"),
    ("[1,", "$: pattern is not valid JSON: Expecting value: line 1 column 4 (char 3)"),
    ('{"a": [NaN]}', "$: pattern is not valid JSON: NaN is not valid JSON"),
    ({}, "$: object must not be empty"),
    ({"a": {}}, "a: object must not be empty"),
    ({1: ["x"]}, "$: field names must be strings, got number"),
    ({"a": "x"}, "a: must be an array of match values or an object, got string"),
    ({"a": []}, "a: array of match values must not be empty"),
    ({"a": [["x"]]}, "a[0]: a match value must be a string, number, boolean, null or operator "
                     "object, got array"),
    ({"a": [float("nan")]}, "a[0]: numbers must be finite"),
    ({"a": [{}]}, "a[0]: an operator object must have exactly one key, got 0"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "a[0]: an operator object must have exactly one key, got 2"),
    ({"a": [{"prefix": 1}]}, "a[0]: prefix must be a string, got number"),
    ({"a": [{"suffix": None}]}, "a[0]: suffix must be a string, got null"),
    ({"a": [{"prefix": {"equals-ignore-case": 1}}]},
     "a[0]: prefix equals-ignore-case must be a string, got number"),
    ({"a": [{"suffix": {"wildcard": "x"}}]},
     'a[0]: suffix object must be exactly {"equals-ignore-case": string}'),
    ({"a": [{"equals-ignore-case": ["x"]}]}, "a[0]: equals-ignore-case must be a string, got array"),
    ({"a": [{"wildcard": 5}]}, "a[0]: wildcard must be a string, got number"),
    ({"a": [{"wildcard": "a**b"}]}, "a[0]: wildcard 'a**b' has consecutive '*' at position 1"),
    ({"a": [{"wildcard": "a\\b"}]},
     "a[0]: wildcard 'a\\\\b' has an invalid escape at position 1 (only \\* and \\\\ are allowed)"),
    ({"a": [{"wildcard": "a\\"}]},
     "a[0]: wildcard 'a\\\\' has an invalid escape at position 1 (only \\* and \\\\ are allowed)"),
    ({"a": [{"numeric": 5}]}, "a[0]: numeric must be an array, got number"),
    ({"a": [{"numeric": [">"]}]},
     "a[0]: numeric must be [operator, number] or [lower-operator, number, upper-operator, number]"),
    ({"a": [{"numeric": ["==", 5]}]}, "a[0]: unknown numeric operator '=='"),
    ({"a": [{"numeric": [">", "5"]}]}, "a[0]: numeric value for '>' must be a finite number, got string"),
    ({"a": [{"numeric": [">", True]}]}, "a[0]: numeric value for '>' must be a finite number, got boolean"),
    ({"a": [{"numeric": ["<", 1.5e9]}]},
     "a[0]: numeric value 1500000000.0 is outside the supported range -1e9..1e9"),
    ({"a": [{"numeric": ["<", 5, ">", 0]}]},
     "a[0]: a numeric range is a lower bound ('>' or '>=') followed by an upper bound ('<' or '<=')"),
    ({"a": [{"numeric": ["=", 5, "<", 9]}]},
     "a[0]: a numeric range is a lower bound ('>' or '>=') followed by an upper bound ('<' or '<=')"),
    ({"a": [{"numeric": [">=", 5, "<=", 5]}]}, "a[0]: numeric lower bound must be less than the upper bound"),
    ({"a": [{"exists": "true"}]}, "a[0]: exists must be true or false, got string"),
    ({"a": [{"cidr": 10}]}, "a[0]: cidr must be a string, got number"),
    ({"a": [{"cidr": "10.0.0.1"}]}, "a[0]: invalid CIDR block '10.0.0.1'"),
    ({"a": [{"cidr": "10.0.0.0/33"}]}, "a[0]: invalid CIDR block '10.0.0.0/33'"),
    ({"a": [{"cidr": "2001:db8::/129"}]}, "a[0]: invalid CIDR block '2001:db8::/129'"),
    ({"a": [{"anything-but": []}]}, "a[0]: anything-but list must not be empty"),
    ({"a": [{"anything-but": ["x", 1]}]},
     "a[0]: anything-but list must hold only strings or only finite numbers"),
    ({"a": [{"anything-but": [True]}]},
     "a[0]: anything-but list must hold only strings or only finite numbers"),
    ({"a": [{"anything-but": None}]},
     "a[0]: anything-but value must be a string, a number, an array or an object, got null"),
    ({"a": [{"anything-but": False}]},
     "a[0]: anything-but value must be a string, a number, an array or an object, got boolean"),
    ({"a": [{"anything-but": {}}]}, "a[0]: anything-but object must have exactly one key, got 0"),
    ({"a": [{"anything-but": {"numeric": [">", 1]}}]},
     "a[0]: operator 'numeric' cannot be used inside anything-but"),
    ({"a": [{"anything-but": {"preffix": "x"}}]}, "a[0]: unknown anything-but operator 'preffix'"),
    ({"a": [{"anything-but": {"prefix": ""}}]}, "a[0]: anything-but prefix must not be an empty string"),
    ({"a": [{"anything-but": {"suffix": []}}]}, "a[0]: anything-but suffix list must not be empty"),
    ({"a": [{"anything-but": {"suffix": 3}}]}, "a[0]: anything-but suffix must be a string, got number"),
    ({"a": [{"anything-but": {"wildcard": ["ok*", "x**"]}}]},
     "a[0]: wildcard 'x**' has consecutive '*' at position 1"),
    ({"$or": [{"a": ["1"]}]}, "$or: must be an array of at least 2 objects"),
    ({"$or": {"a": ["1"]}}, "$or: must be an array of at least 2 objects"),
    ({"$or": [{"a": ["1"]}, "b"]}, "$or: must be an array of at least 2 objects"),
    ({"x": {"$or": [{"prefix": ["1"]}, {"b": ["2"]}]}},
     "x.$or[0].prefix: operator name 'prefix' cannot be a field name inside $or"),
    ({"$or": [{"a": ["1"]}, {}]}, "$or[1]: object must not be empty"),
]


@pytest.mark.parametrize("pattern,message", ERRORS, ids=[e[1][:60] for e in ERRORS])
def test_pattern_error_message(pattern, message):
    with pytest.raises(PatternError) as info:
        compile_pattern(pattern)
    assert info.value.problems == [message]
    assert str(info.value) == message
    assert validate_pattern(pattern) == [message]


def test_every_problem_is_listed_with_its_path():
    pattern = {"source": "aws.ec2",
               "detail": {"total": [{"numerik": 1}, {"numeric": [">", "x"]}], "ok": ["fine"],
                          "$or": [{"a": [{"exists": 1}]}, {"b": []}]}}
    assert validate_pattern(pattern) == [
        "source: must be an array of match values or an object, got string",
        "detail.total[0]: unknown operator 'numerik'",
        "detail.total[1]: numeric value for '>' must be a finite number, got string",
        "detail.$or[0].a[0]: exists must be true or false, got number",
        "detail.$or[1].b: array of match values must not be empty",
    ]


def test_pattern_error_is_a_value_error_and_truncates_long_lists():
    pattern = {f"k{i}": [] for i in range(25)}
    with pytest.raises(ValueError) as info:
        compile_pattern(pattern)
    assert isinstance(info.value, PatternError) and len(info.value.problems) == 25
    assert str(info.value).endswith("k19: array of match values must not be empty; … and 5 more")


def test_too_many_or_alternatives_and_too_deep_nesting_are_rejected():
    branch = {"$or": [{"a": ["1"]}, {"b": ["2"]}]}
    wide = {f"f{i}": dict(branch) for i in range(11)}  # 2**11 alternatives
    assert "$or expands to more than 1024 alternatives" in validate_pattern(wide)[0]
    deep: dict = {"leaf": ["x"]}
    for _ in range(70):
        deep = {"n": deep}
    assert validate_pattern(deep)[0].endswith(": nested more than 64 levels deep")


def test_invalid_pattern_fails_closed_in_matches():
    with pytest.raises(PatternError):
        matches({"a": [{"unknown-op": 1}]}, {"a": 1})
    with pytest.raises(PatternError):
        matches({"a": [{1, 2}]}, {"a": 1})  # not JSON at all
    assert validate_pattern({"a": ["x"], "b": {"c": [{"prefix": "y"}]}}) == []


# ---------------------------------------------------------------- semantics

@pytest.mark.parametrize("pattern,event,expected", [
    ({"a": [""]}, {"a": ""}, True),
    ({"a": [""]}, {"a": None}, False),                       # null is not the empty string
    ({"a": [None]}, {}, False),                              # every pattern field must be present
    ({"a": [True]}, {"a": 1}, False),
    ({"a": [1]}, {"a": True}, False),
    ({"a": ["1"]}, {"a": 1}, False),
    ({"a": [{"exists": True}]}, {"a": None}, True),
    ({"a": [{"exists": True}]}, {"a": {"b": 1}}, False),     # exists works on leaves only
    ({"a": [{"exists": False}]}, {"a": {"b": 1}}, True),
    ({"a": [{"exists": True}]}, {"a": []}, False),           # an empty array has no leaf values
    ({"a": [{"exists": False}]}, {"a": []}, True),
    ({"a": [{"exists": False}]}, {"a": [1]}, False),
    ({"a": [{"anything-but": "x"}]}, {}, False),             # anything-but needs a value
    ({"a": [{"anything-but": "x"}]}, {"a": None}, True),
    ({"a": [{"anything-but": "x"}]}, {"a": ["x", "y"]}, True),
    ({"a": [{"anything-but": "x"}]}, {"a": ["x", ["x"]]}, False),
    ({"a": [{"anything-but": {"prefix": "x"}}]}, {"a": 5}, True),
    ({"a": [{"anything-but": [1, 2]}]}, {"a": "1"}, True),
    ({"a": [{"numeric": [">", 0]}]}, {"a": "5"}, False),
    ({"a": [{"numeric": [">", 0]}]}, {"a": True}, False),
    ({"a": [{"numeric": [">", 0]}]}, {"a": 1_000_000_000}, True),   # the documented bound is inclusive
    ({"a": [{"numeric": [">", 0]}]}, {"a": 1_000_000_001}, False),  # beyond it nothing matches
    ({"a": [{"numeric": [">", 0]}]}, {"a": 1e-7}, False),   # six decimal places
    ({"a": [{"numeric": [">", 0]}]}, {"a": 1e-6}, True),
    ({"a": [{"numeric": ["=", 0.1]}]}, {"a": 0.1000001}, True),
    ({"a": [{"numeric": [">=", -5, "<", 0]}]}, {"a": -5}, True),
    ({"a": [{"numeric": [">=", -5, "<", 0]}]}, {"a": 0}, False),
    ({"a": [300]}, {"a": 300}, True),
    ({"a": [300]}, {"a": 300.0}, False),                     # string representation, eb-189
    ({"a": [300.0]}, {"a": 300.0}, True),
    ({"a": [{"anything-but": 300}]}, {"a": 300.0}, True),
    ({"a": [{"wildcard": "a\\*b"}]}, {"a": "a*b"}, True),
    ({"a": [{"wildcard": "a\\*b"}]}, {"a": "axb"}, False),
    ({"a": [{"wildcard": "a\\\\*"}]}, {"a": "a\\bc"}, True),
    ({"a": [{"wildcard": "*"}]}, {"a": ""}, True),
    ({"a": [{"wildcard": "*"}]}, {"a": 5}, False),
    ({"a": [{"wildcard": "x*y*z"}]}, {"a": "x\nyz"}, True),
    ({"a": [{"wildcard": "abc"}]}, {"a": "abc"}, True),
    ({"a": [{"equals-ignore-case": "ÄB"}]}, {"a": "äb"}, True),
    ({"a": [{"cidr": "2001:db8::/32"}]}, {"a": "2001:DB8::1"}, True),
    ({"a": [{"cidr": "2001:db8::/32"}]}, {"a": "2001:db9::1"}, False),
    ({"a": [{"cidr": "0.0.0.0/0"}]}, {"a": "::1"}, False),
    ({"a": [{"cidr": "10.0.0.0/8"}]}, {"a": "not-an-ip"}, False),
    ({"a": {"b": ["x"]}}, {"a": "x"}, False),
    ({"a": {"b": ["x"]}}, {"a": [[{"b": "y"}], [[{"b": "x"}]]]}, True),
    ({"a": {"b": [{"exists": False}]}}, {"a": []}, True),
    ({"a": {"b": [{"exists": False}]}}, {"a": [{"b": 1}, [{"b": 2}]]}, False),
    ({"a": {"b": [{"exists": False}], "c": ["x"]}}, {"a": [{"b": 1, "c": "x"}, {"c": "x"}]}, True),
    ({"a": {"b": [{"exists": False}], "c": ["x"]}}, {"a": [{"b": 1, "c": "x"}, {"c": "y"}]}, False),
    ({"a": ["x"]}, {"a": ("y", "x")}, True),                 # tuples read as arrays
    ({"a": ["x"]}, [{"a": "x"}], False),                     # an event must be an object
])
def test_semantics(pattern, event, expected):
    assert compile_pattern(pattern).matches(event) is expected


def test_or_override_follows_key_order():
    # A field inside a $or branch replaces the same field written before the $or (eb-160, eb-161)...
    before = {"name": ["a", "b"], "$or": [{"name": [{"anything-but": "a"}]}, {"c": ["x"]}]}
    assert matches(before, {"name": "c"}) is True
    # ...and a field written after the $or replaces the branch's.
    after = {"$or": [{"name": [{"anything-but": "a"}]}, {"c": ["x"]}], "name": ["a", "b"]}
    assert matches(after, {"name": "c"}) is False
    assert matches(after, {"name": "b"}) is True


def test_or_at_nested_level_and_nested_or():
    pattern = {"detail": {"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]}}
    cp = compile_pattern(pattern)
    assert cp.alternatives == 3
    assert [cp.matches({"detail": {k: v}}) for k, v in (("a", "1"), ("b", "2"), ("c", "3"), ("c", "4"))] \
        == [True, True, True, False]


def test_lexical_numbers_from_text():
    assert matches_text('{"a": [3.0e2]}', '{"a": 3.0e2}') is True
    assert matches_text('{"a": [3.0e2]}', '{"a": 300.0}') is False
    assert matches_text('{"a": [{"numeric": ["=", 300]}]}', '{"a": 3.0e2}') is True  # numeric: by value
    parsed = loads_lexical('{"a": 3.0e2, "b": 1.5, "c": [300.00]}')
    assert isinstance(parsed["a"], LexFloat) and parsed["a"].text == "3.0e2" and parsed["a"] == 300
    assert type(parsed["b"]) is float  # plain spellings stay plain floats
    assert parsed["c"][0].text == "300.00"
    with pytest.raises(ValueError):
        loads_lexical('{"a": Infinity}')


def test_compiled_pattern_api():
    cp = compile_pattern('{"source": ["aws.ec2"]}')
    assert isinstance(cp, CompiledPattern) and cp.kind == "EventBridge"
    assert cp.source == {"source": ["aws.ec2"]}
    assert CompiledPattern.matches(cp, {"source": "aws.ec2"}) is True
    assert cp.matches_json('{"source": "aws.s3"}') is False
    assert compile_filter_policy({"a": ["x"]}).matches({"a": "x"}) is True  # re-exported


def test_matching_does_not_compile_or_parse(monkeypatch):
    cp = compile_pattern({"a": [{"wildcard": "x*y*z"}, {"prefix": "p"}], "b": {"c": [{"numeric": [">", 1]}]}})

    def boom(*args, **kwargs):
        raise AssertionError("compiled or parsed during matching")
    monkeypatch.setattr(re, "compile", boom)
    for module, name in ((leaf, "compile_leaf"), (tree, "compile_leaf"), (values, "loads_lexical"),
                         (tree, "loads_lexical"), (eventpattern, "loads_lexical")):
        monkeypatch.setattr(module, name, boom)
    assert cp.matches({"a": "x-y-z", "b": {"c": 2}}) is True
    assert cp.matches({"a": "pq", "b": {"c": 0}}) is False


# ---------------------------------------------------------------- properties

_keys = st.text(max_size=6).filter(lambda k: k != "$or")
_scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
_json = st.recursive(_scalars, lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(_keys, kids, max_size=4), max_leaves=25)
_events = st.dictionaries(_keys, _json, min_size=1, max_size=5)


def _flatten(values):
    for v in values:
        if isinstance(v, list):
            yield from _flatten(v)
        else:
            yield v


def _pattern_from(value, draw):
    """A pattern made of the event's own leaf values (None when the value has no leaves)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            p = _pattern_from(v, draw)
            if p is not None and draw(st.booleans()):
                out[k] = p
        return out or None
    if isinstance(value, list):
        items = list(_flatten(value))
        scalars = [v for v in items if not isinstance(v, dict)]
        if scalars:
            return [draw(st.sampled_from(scalars))]
        subs = [p for p in (_pattern_from(v, draw) for v in items) if p is not None]
        return draw(st.sampled_from(subs)) if subs else None
    return [value]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_events, st.data())
def test_pattern_built_from_event_values_matches_it(event, data):
    pattern = _pattern_from(event, data.draw)
    if pattern is None:
        return
    assert compile_pattern(pattern).matches(event) is True
    assert compile_pattern(json.dumps(pattern)).matches_json(json.dumps(event)) is True


_ab_values = st.text(max_size=8) | st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)


@given(_ab_values, st.integers(1, 4))
def test_anything_but_a_value_never_matches_only_that_value(v, n):
    for pattern in ({"f": [{"anything-but": v}]}, {"f": [{"anything-but": [v]}]}):
        cp = compile_pattern(pattern)
        assert cp.matches({"f": v}) is False
        assert cp.matches({"f": [v] * n}) is False
        assert cp.matches({"g": v}) is False


@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=10))
def test_anything_but_ignore_case_never_matches_a_recased_value(v):
    cp = compile_pattern({"f": [{"anything-but": {"equals-ignore-case": v}}]})
    assert not cp.matches({"f": v.upper()}) and not cp.matches({"f": v.lower()})
    assert compile_pattern({"f": [{"equals-ignore-case": v.upper()}]}).matches({"f": v.lower()})


@given(st.text(min_size=1, max_size=12), st.integers(1, 12))
def test_prefix_and_anything_but_prefix_are_complements(s, k):
    pre = s[:k]
    assert compile_pattern({"f": [{"prefix": pre}]}).matches({"f": s}) is True
    assert compile_pattern({"f": [{"anything-but": {"prefix": pre}}]}).matches({"f": s}) is False
    assert compile_pattern({"f": [{"wildcard": pre.replace("\\", "\\\\").replace("*", "\\*") + "*"}]}) \
        .matches({"f": s}) is True


@given(st.floats(-1e9, 1e9, allow_nan=False) | st.integers(-10**9, 10**9))
def test_numeric_bounds_are_consistent(x):
    assert compile_pattern({"f": [{"numeric": ["=", x]}]}).matches({"f": x})
    assert compile_pattern({"f": [{"numeric": [">=", x]}]}).matches({"f": x})
    assert not compile_pattern({"f": [{"numeric": [">", x]}]}).matches({"f": x})
    assert not compile_pattern({"f": [{"numeric": ["<", x]}]}).matches({"f": x})


@given(st.ip_addresses(v=4) | st.ip_addresses(v=6), st.integers(0, 128),
       st.ip_addresses() | st.text("0123456789.:abcdef", max_size=20))
def test_cidr_agrees_with_ipaddress(base, bits, candidate):
    bits = min(bits, base.max_prefixlen)
    network = ipaddress.ip_network(f"{base}/{bits}", strict=False)
    try:
        addr = ipaddress.ip_address(str(candidate))
        expected = addr.version == network.version and addr in network
    except ValueError:
        expected = False
    assert compile_pattern({"ip": [{"cidr": f"{base}/{bits}"}]}).matches({"ip": str(candidate)}) is expected


_op_keys = st.sampled_from(["prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "wildcard",
                            "equals-ignore-case", "$or", "a", "b"]) | st.text(max_size=4)
_weird = st.recursive(
    _scalars | st.floats() | st.integers()
    | st.sampled_from(["<", ">=", "=", "*", "**", "\\", "10.0.0.0/8", "::/0"]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(_op_keys, kids, max_size=3),
    max_leaves=30)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_weird, _json)
def test_compiling_arbitrary_input_raises_only_pattern_error(pattern, event):
    for compile_ in (compile_pattern, lambda p: compile_filter_policy(p, "MessageAttributes"),
                     lambda p: compile_filter_policy(p, "MessageBody")):
        try:
            cp = compile_(pattern)
        except PatternError as exc:
            assert exc.problems and all(isinstance(p, str) and ": " in p for p in exc.problems)
            continue
        assert isinstance(cp.matches(event), bool)
        assert isinstance(cp.matches({"a": event, "b": [event]}), bool)


@settings(max_examples=200)
@given(_json)
def test_corpus_patterns_never_raise_on_arbitrary_events(value):
    for case in CASES[::7]:
        cp = compile_pattern(case["pattern"])
        assert isinstance(cp.matches(value), bool)
        assert isinstance(cp.matches({"detail": value, "a": value}), bool)


def test_huge_integers_in_patterns_and_events():
    big = 10 ** 5000  # beyond Python's str() digit limit
    assert compile_pattern({"a": [big]}).matches({"a": big}) is True
    assert compile_pattern({"a": [big]}).matches({"a": big + 1}) is False
    assert compile_pattern({"a": [10 ** 400]}).matches({"a": [1, 10 ** 400]}) is True
    assert validate_pattern({"a": [{"numeric": [">", big]}]}) == [
        "a[0]: numeric value a number with too many digits is outside the supported range -1e9..1e9"]
    assert validate_pattern({"a": [{"numeric": ["<", -10 ** 30]}]}) == [
        "a[0]: numeric value -10000000000… (32 characters) is outside the supported range -1e9..1e9"]


def test_huge_and_non_finite_event_numbers_do_not_break_numeric_matching():
    cp = compile_pattern({"a": [{"numeric": [">", 0]}], "b": [5]})
    for v in (float("inf"), float("-inf"), float("nan"), 10**400, -(10**400)):
        assert cp.matches({"a": v, "b": 5}) is False
    assert math.isfinite(1e9) and cp.matches({"a": 1e9, "b": 5}) is True
