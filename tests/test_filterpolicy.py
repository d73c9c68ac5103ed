"""SNS subscription filter policies, both scopes, written from the SNS developer guide's examples."""
from __future__ import annotations

import pytest

from matching import PatternError, compile_filter_policy


def attrs(policy, **attributes):
    return compile_filter_policy(policy, "MessageAttributes").matches(attributes)


def body(policy, message):
    return compile_filter_policy(policy, "MessageBody").matches(message)


# ---------------------------------------------------------------- MessageAttributes (the default)

def test_default_scope_is_message_attributes():
    cp = compile_filter_policy({"customer_interests": ["rugby"]})
    assert cp.kind == "SNS MessageAttributes"
    assert cp.matches({"customer_interests": "rugby"}) is True


def test_and_across_keys_or_within_a_list():
    policy = {"customer_interests": ["rugby", "football", "baseball"],
              "price_usd": [{"numeric": [">", 100]}]}
    assert attrs(policy, customer_interests="football", price_usd=101) is True
    assert attrs(policy, customer_interests="football", price_usd=100) is False
    assert attrs(policy, customer_interests="tennis", price_usd=500) is False
    assert attrs(policy, customer_interests="rugby") is False          # every key must be present
    assert attrs(policy, customer_interests="rugby", price_usd=150, other="ignored") is True


def test_exact_string_and_string_array():
    policy = {"customer_interests": ["rugby", "tennis"]}
    assert attrs(policy, customer_interests="rugby") is True
    assert attrs(policy, customer_interests=["rugby", "tennis"]) is True
    assert attrs(policy, customer_interests=["golf", "tennis"]) is True  # any element may match
    assert attrs(policy, customer_interests="baseball") is False
    assert attrs(policy, customer_interests=["baseball"]) is False
    assert attrs(policy, customer_interests="Rugby") is False           # case-sensitive


def test_prefix_suffix_and_equals_ignore_case():
    assert attrs({"c": [{"prefix": "bas"}]}, c="baseball") is True
    assert attrs({"c": [{"prefix": "bas"}]}, c="basketball") is True
    assert attrs({"c": [{"prefix": "bas"}]}, c="rugby") is False
    assert attrs({"f": [{"suffix": ".png"}]}, f="image.png") is True
    assert attrs({"f": [{"suffix": ".png"}]}, f="image.PNG") is False
    assert attrs({"s": [{"equals-ignore-case": "EventBridge"}]}, s="eventbridge") is True
    assert attrs({"s": [{"equals-ignore-case": "EventBridge"}]}, s="eventbridges") is False


def test_anything_but_strings_and_arrays():
    policy = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}
    assert attrs(policy, customer_interests="baseball") is True
    assert attrs(policy, customer_interests="football") is True
    assert attrs(policy, customer_interests="rugby") is False
    # docs example: matches because the array holds a value that is not rugby or tennis
    assert attrs(policy, customer_interests=["rugby", "baseball"]) is True
    assert attrs(policy, customer_interests=["rugby", "tennis"]) is False
    assert attrs(policy) is False  # anything-but needs the attribute


def test_anything_but_prefix():
    policy = {"event": [{"anything-but": {"prefix": "order-"}}]}
    assert attrs(policy, event="data-entry") is True
    assert attrs(policy, event="order_number") is True
    assert attrs(policy, event="order-cancelled") is False


def test_numeric_exact_anything_but_and_ranges():
    assert attrs({"price_usd": [{"numeric": ["=", 301.5]}]}, price_usd=301.5) is True
    cp = compile_filter_policy({"price_usd": [{"numeric": ["=", 301.5]}]})
    assert cp.matches_json('{"price_usd": 3.015e2}') is True
    price = {"price": [{"anything-but": [100, 500]}]}
    assert attrs(price, price=101) is True
    assert attrs(price, price=100.1) is True
    assert attrs(price, price=[100, 50]) is True  # docs: 50 is neither 100 nor 500
    assert attrs(price, price=100) is False
    assert attrs(price, price=100.0) is False      # SNS compares numbers by value
    negative = {"price_usd": [{"numeric": ["<", 0]}]}
    assert attrs(negative, price_usd=-0.5) is True and attrs(negative, price_usd=0) is False
    upto = {"price_usd": [{"numeric": [">", 0, "<=", 150]}]}
    assert [attrs(upto, price_usd=v) for v in (0, 0.01, 150, 150.01)] == [False, True, True, False]
    assert attrs(upto, price_usd="100") is False   # a String attribute is not numeric


def test_exact_numbers_match_by_value():
    assert attrs({"n": [300]}, n=300.0) is True
    assert compile_filter_policy({"n": [300]}).matches_json('{"n": 3.0e2}') is True
    assert attrs({"n": [300]}, n="300") is False


def test_numeric_precision_is_five_decimal_places():
    policy = {"n": [{"numeric": [">", 0]}]}
    assert attrs(policy, n=0.00001) is True
    assert attrs(policy, n=0.000001) is False
    assert attrs(policy, n=1_000_000_001) is False  # outside -1e9..1e9


def test_cidr():
    policy = {"source_ip": [{"cidr": "10.0.0.0/24"}]}
    assert attrs(policy, source_ip="10.0.0.0") is True
    assert attrs(policy, source_ip="10.0.0.255") is True
    assert attrs(policy, source_ip="10.1.1.0") is False


def test_exists_is_about_the_attribute_key():
    present = {"store": [{"exists": True}]}
    absent = {"store": [{"exists": False}]}
    msg = {"store": "fans", "customer_interests": ["baseball", "basketball"]}
    assert attrs(present, **msg) is True and attrs(absent, **msg) is False
    msg = {"customer_interests": ["baseball", "basketball"]}
    assert attrs(present, **msg) is False and attrs(absent, **msg) is True
    # an empty String.Array still means the attribute is there
    assert attrs(present, store=[]) is True and attrs(absent, store=[]) is False
    assert attrs({"store": ["x"]}, store=[]) is False


def test_anything_but_combined_with_exists_false():
    policy = {"tier": [{"anything-but": ["free"]}, {"exists": False}]}
    assert attrs(policy) is True
    assert attrs(policy, tier="pro") is True
    assert attrs(policy, tier="free") is False


def test_or_operator():
    policy = {"source": ["aws.cloudwatch"],
              "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
                      {"metricType": ["MetricType"], "namespace": ["AWS/EC2"]}]}
    assert attrs(policy, source="aws.cloudwatch", metricName="ReadLatency") is True
    assert attrs(policy, source="aws.cloudwatch", metricType="MetricType", namespace="AWS/EC2") is True
    assert attrs(policy, source="aws.cloudwatch", metricType="MetricType") is False
    assert attrs(policy, source="aws.s3", metricName="ReadLatency") is False


def test_attributes_must_be_a_mapping():
    cp = compile_filter_policy({"a": ["x"]})
    assert cp.matches(["a", "x"]) is False and cp.matches(None) is False


def test_empty_policy_delivers_everything():
    assert compile_filter_policy({}).matches({}) is True
    assert compile_filter_policy("{}", "MessageBody").matches({"anything": 1}) is True


# ---------------------------------------------------------------- MessageBody

def test_body_nested_properties_and_arrays():
    policy = {"store": {"country": ["US"], "type": [{"anything-but": "outlet"}]},
              "items": {"sku": [{"prefix": "AB-"}]}}
    msg = {"store": {"country": "US", "type": "mall"}, "items": [{"sku": "XY-1"}, {"sku": "AB-7"}]}
    assert body(policy, msg) is True
    assert body(policy, {**msg, "store": {"country": "US", "type": "outlet"}}) is False
    assert body(policy, {**msg, "items": [{"sku": "XY-1"}]}) is False
    assert body(policy, {"store": "US", "items": msg["items"]}) is False  # wrong nesting


def test_body_or_and_numeric():
    policy = {"$or": [{"order": {"total": [{"numeric": [">=", 500]}]}}, {"priority": ["high"]}]}
    assert body(policy, {"order": {"total": 500}}) is True
    assert body(policy, {"order": {"total": 499.99}, "priority": "high"}) is True
    assert body(policy, {"order": {"total": 499.99}}) is False


def test_body_must_be_a_json_object():
    cp = compile_filter_policy({"a": ["x"]}, "MessageBody")
    assert cp.matches("not json object") is False
    assert cp.matches_json('{"a": "x"}') is True
    assert cp.kind == "SNS MessageBody"


# ---------------------------------------------------------------- rejections

@pytest.mark.parametrize("policy,scope,message", [
    ({"a": [{"wildcard": "x*"}]}, "MessageBody",
     "a[0]: operator 'wildcard' is not supported in SNS filter policies"),
    ({"a": [{"anything-but": {"suffix": "x"}}]}, "MessageAttributes",
     "a[0]: anything-but suffix is not supported in SNS filter policies"),
    ({"a": [{"anything-but": {"equals-ignore-case": "x"}}]}, "MessageAttributes",
     "a[0]: anything-but equals-ignore-case is not supported in SNS filter policies"),
    ({"a": [{"anything-but": {"wildcard": "x*"}}]}, "MessageBody",
     "a[0]: anything-but wildcard is not supported in SNS filter policies"),
    ({"a": [{"anything-but": {"prefix": ["x", "y"]}}]}, "MessageAttributes",
     "a[0]: anything-but prefix must be a string, got array"),
    ({"a": [{"prefix": {"equals-ignore-case": "x"}}]}, "MessageAttributes",
     "a[0]: prefix equals-ignore-case is not supported in SNS filter policies"),
    ({"a": [{"contains": "x"}]}, "MessageAttributes", "a[0]: unknown operator 'contains'"),
    ({"a": {"b": ["x"]}}, "MessageAttributes",
     "a: nested objects are not allowed when the filter policy scope is MessageAttributes"),
    ({"a": []}, "MessageBody", "a: array of match values must not be empty"),
    ({"a": "x"}, "MessageBody", "a: must be an array of match values or an object, got string"),
    ({"a": [{"numeric": [">", 2e9]}]}, "MessageBody",
     "a[0]: numeric value 2000000000.0 is outside the supported range -1e9..1e9"),
    ({f"k{i}": ["x"] for i in range(6)}, "MessageAttributes",
     "$: a filter policy can have at most 5 keys, got 6"),
    ({"a": list(range(10)), "b": list(range(16))}, "MessageAttributes",
     "$: filter policy is too complex: 160 value combinations (limit 150)"),
    ({"a": {"b": {"c": list(range(13))}}, "d": {"e": list(range(2))}}, "MessageBody",
     "$: filter policy is too complex: 156 value combinations (limit 150)"),
    ("[]", "MessageBody", "$: filter policy must be a JSON object, got array"),
])
def test_rejected_policies(policy, scope, message):
    with pytest.raises(PatternError) as info:
        compile_filter_policy(policy, scope)
    assert info.value.problems == [message]


def test_combination_limit_counts_nesting_depth_like_the_docs():
    # constraints page: 4 values three levels deep and 3 values two levels deep: 3 x 4 x 2 x 3 = 72
    policy = {"key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}}, "key_d": {"key_e": ["1", "2", "3"]}}
    assert body(policy, {"key_a": {"key_b": {"key_c": "4"}}, "key_d": {"key_e": "1"}}) is True
    flat = {"a": list(range(10)), "b": list(range(15))}  # exactly 150
    assert attrs(flat, a=9, b=14) is True


def test_unknown_scope_is_rejected():
    with pytest.raises(PatternError) as info:
        compile_filter_policy({"a": ["x"]}, "Body")
    assert info.value.problems == ["scope: must be 'MessageAttributes' or 'MessageBody', got 'Body'"]


def test_every_problem_is_reported():
    policy = {"a": [{"wildcard": "*"}], "b": {"c": ["x"]}, "d": [{"exists": "yes"}]}
    with pytest.raises(PatternError) as info:
        compile_filter_policy(policy)
    assert info.value.problems == [
        "a[0]: operator 'wildcard' is not supported in SNS filter policies",
        "b: nested objects are not allowed when the filter policy scope is MessageAttributes",
        "d[0]: exists must be true or false, got string",
    ]
