"""Issue 12, item 2: intrinsic functions and JSONata check sizes before allocating.

`States.ArrayRange(1, 60000000, 1)` once built 2.6 GB before the 1,000-item cap was looked at. Each limit is
the one AWS states: 1,000 ArrayRange items; 10,000 characters into Base64Encode/Base64Decode/Hash; 256 KiB
for a payload (a larger result is States.DataLimitExceeded, which States.ALL cannot catch).
"""
from __future__ import annotations

import random
import time
import tracemalloc

import pytest

from simulator.asl import Execution, Finished
from states_language.intrinsics import call_intrinsic
from states_language.jsonata import evaluate_jsonata
from states_language.paths import StatesError

BIG = "a" * 200_000
DATA = {"s": BIG, "small": "x" * 9_000, "deep": "[" * 3000 + "]" * 3000, "items": list(range(1000))}


def _fails(expression: str, data=DATA):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatesError) as info:
            call_intrinsic(expression, data, {}, random.Random(1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < 20 * 1024 * 1024, f"{expression} allocated {peak:,} bytes before failing"
    return info.value


@pytest.mark.parametrize("expression, error, words", [
    ("States.ArrayRange(1, 60000000, 1)", "States.IntrinsicFailure", "60,000,000 items; the limit is 1,000"),
    ("States.ArrayRange(60000000, 1, -1)", "States.IntrinsicFailure", "the limit is 1,000"),
    ("States.ArrayRange(1, " + "9" * 4000 + ", 1)", "States.IntrinsicFailure", "the limit is 1,000"),
    ("States.Format('{}{}', $.s, $.s)", "States.DataLimitExceeded", "256 KiB"),
    ("States.JsonToString(States.Array($.s, $.s))", "States.DataLimitExceeded", "256 KiB"),
    ("States.Base64Encode($.s)", "States.IntrinsicFailure", "the limit is 10,000"),
    ("States.Base64Decode($.s)", "States.IntrinsicFailure", "the limit is 10,000"),
    ("States.Hash($.s, 'SHA-256')", "States.IntrinsicFailure", "the limit is 10,000"),
    ("States.StringSplit(States.Format('{}{}', $.s, $.s), 'a')", "States.DataLimitExceeded", "256 KiB"),
    ("States.StringToJson($.deep)", "States.IntrinsicFailure", "nested too deeply"),
    ("States.Array(" * 60 + ")" * 60, "States.IntrinsicFailure", "nested more than 50 deep"),
    ("States.MathAdd(" + "9" * 5000 + ", 1)", "States.IntrinsicFailure", "4300 digits"),
])
def test_intrinsics_refuse_before_allocating(expression, error, words):
    problem = _fails(expression)
    assert problem.error == error and words in str(problem), str(problem)


@pytest.mark.parametrize("expression, expected_len", [
    ("States.ArrayRange(1, 1000, 1)", 1000),
    ("States.ArrayRange(1000, 1, -1)", 1000),
    ("States.ArrayRange(1, 10, 3)", 4),
    ("States.ArrayPartition($.items, 1)", 1000),
    ("States.Base64Encode($.small)", 12_000),
    ("States.StringSplit($.s, ',')", 1),
])
def test_limits_leave_room_for_what_aws_allows(expression, expected_len):
    assert len(call_intrinsic(expression, DATA, {}, random.Random(1))) == expected_len


@pytest.mark.parametrize("expression, error", [
    ("$states.input.s & $states.input.s", "States.DataLimitExceeded"),
    ("(" * 5000 + "1" + ")" * 5000, "States.QueryEvaluationError"),
    ("1" + " + 1" * 20_000, "States.QueryEvaluationError"),
    ("9" * 5000, "States.QueryEvaluationError"),
    ("1e999", "States.QueryEvaluationError"),
    ("-1e308 - 1e308", "States.QueryEvaluationError"),
    ("$sum([1e308, 1e308])", "States.QueryEvaluationError"),
    ("99999999999 * 99999999999" + " * 99999999999" * 200, "States.QueryEvaluationError"),
])
def test_jsonata_sizes_and_numbers(expression, error):
    with pytest.raises(StatesError) as info:
        evaluate_jsonata(expression, {"states": {"input": DATA}})
    assert info.value.error == error
    assert len(str(info.value)) < 600   # the message quotes at most the start of a huge expression


def test_a_doubling_loop_ends_with_data_limit_exceeded_not_memory_exhaustion():
    definition = {"StartAt": "Double", "States": {
        "Double": {"Type": "Pass", "Parameters": {"s.$": "States.Format('{}{}', $.s, $.s)"}, "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.s", "StringEquals": "never", "Next": "Done"}],
                  "Default": "Double"},
        "Done": {"Type": "Succeed"}}}
    tracemalloc.start()
    try:
        done = Execution(definition, {"s": "ab"}, rng=random.Random(1)).start()[0]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(done, Finished) and done.status == "FAILED" and done.error == "States.DataLimitExceeded"
    assert peak < 50 * 1024 * 1024
