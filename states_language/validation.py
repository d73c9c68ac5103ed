"""Static validation of an ASL definition: every problem found, each with the path where it is.

The interpreter refuses to start an invalid definition (simulator.asl.execution raises AslError with
this list), and the linter reports the same problems (lint/rules/e4001_invalid_asl.py).
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from states_language.choice import parse_timestamp, rule_problems
from states_language.intrinsics import dynamic_problem, template_problems
from states_language.paths import is_path


class AslError(ValueError):
    """The definition is not valid ASL; `problems` lists each one with its path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid state machine definition:\n  " + "\n  ".join(self.problems))

_FLOW = {"Next", "End"}
_PATH_IO = {"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath"}
_HANDLERS = {"Retry", "Catch"}
_FIELDS = {
    "Pass": {"InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Output"} | _FLOW,
    "Task": {"Resource", "Arguments", "Output", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
             "HeartbeatSecondsPath", "Credentials"} | _PATH_IO | _HANDLERS | _FLOW,
    "Choice": {"InputPath", "OutputPath", "Choices", "Default", "Output"},
    "Wait": {"InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Output"} | _FLOW,
    "Succeed": {"InputPath", "OutputPath", "Output"},
    "Fail": {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": {"Branches", "Arguments", "Output"} | _PATH_IO | _HANDLERS | _FLOW,
    "Map": {"ItemsPath", "Items", "ItemSelector", "ItemProcessor", "Iterator", "ItemReader", "ItemBatcher",
            "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
            "Arguments", "Output"} | _PATH_IO | _HANDLERS | _FLOW,
}
_ANY_STATE = {"Type", "Comment", "QueryLanguage", "Assign"}
_EXCLUSIVE = [("Seconds", "SecondsPath", "Timestamp", "TimestampPath"), ("Error", "ErrorPath"),
              ("Cause", "CausePath"), ("TimeoutSeconds", "TimeoutSecondsPath"),
              ("HeartbeatSeconds", "HeartbeatSecondsPath"), ("ItemProcessor", "Iterator"),
              ("Parameters", "ItemSelector"), ("ItemsPath", "Items"), ("MaxConcurrency", "MaxConcurrencyPath")]
_RETRIER_FIELDS = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                   "JitterStrategy", "Comment"}
_CATCHER_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"}
# (field, minimum, integer only) for retrier numbers
_RETRIER_NUMBERS = [("IntervalSeconds", 1, True), ("MaxAttempts", 0, True), ("BackoffRate", 1, False),
                    ("MaxDelaySeconds", 1, True)]


def validate_definition(defn: dict) -> list[str]:
    """Every problem found, each as "<path>: <message>", e.g. "States.Charge.Retry[0].ErrorEquals: ...".
    Empty when the definition is valid."""
    if not isinstance(defn, dict):
        return ["(definition): must be a JSON object"]
    language = defn.get("QueryLanguage", "JSONPath")
    problems = [] if language in ("JSONPath", "JSONata") else ["QueryLanguage: must be JSONPath or JSONata"]
    names: Counter = Counter()
    _machine_problems(defn, "", language, problems, names)
    problems += [f"States.{name}: state name used {count} times; names must be unique in the whole machine"
                 for name, count in names.items() if count > 1]
    return problems


def _machine_problems(machine: Any, prefix: str, language: str, problems: list, names: Counter) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict) or not states:
        problems.append(f"{prefix}States: a non-empty object of states is required")
        return
    if not isinstance(machine.get("StartAt"), str) or machine["StartAt"] not in states:
        problems.append(f"{prefix}StartAt: {machine.get('StartAt')!r} is not a state in States")
    terminal = False
    for name, state in states.items():
        names[name] += 1
        where = f"{prefix}States.{name}"
        if not isinstance(state, dict):
            problems.append(f"{where}: is a {type(state).__name__}, not a state object")
            continue
        terminal |= state.get("End") is True or state.get("Type") in ("Succeed", "Fail")
        _state_problems(state, where, states, state.get("QueryLanguage", language), problems, names)
    if not terminal:
        problems.append(f"{prefix}States: no terminal state (End: true, Succeed or Fail)")


def _state_problems(state: dict, where: str, states: dict, language: str, problems: list,
                    names: Counter) -> None:
    kind = state.get("Type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        problems.append(f"{where}.Type: {kind!r} is not a state type")
        return
    if language not in ("JSONPath", "JSONata"):
        problems.append(f"{where}.QueryLanguage: must be JSONPath or JSONata")
    jsonata = language == "JSONata"
    for field in state:
        path_only = field.endswith("Path") or field in ("Parameters", "ResultSelector", "Result")
        if field not in _FIELDS[kind] | _ANY_STATE:
            problems.append(f'{where}: field "{field}" is not allowed in a {kind} state')
        elif jsonata and path_only:
            problems.append(f'{where}: field "{field}" is JSONPath-only but the state uses JSONata')
        elif not jsonata and field in ("Arguments", "Output", "Items"):
            problems.append(f'{where}: field "{field}" needs QueryLanguage JSONata')
    for group in _EXCLUSIVE:
        if sum(field in state for field in group) > 1:
            problems.append(f"{where}: may have only one of {json.dumps(list(group))}")
    if kind in ("Task", "Parallel", "Map", "Pass", "Wait"):
        if ("Next" in state) == (state.get("End") is True):
            problems.append(f"{where}: needs exactly one of Next or End: true")
        _target_problem(state, "Next", where, states, problems)
    for field in ("InputPath", "OutputPath", "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath",
                  "HeartbeatSecondsPath", "MaxConcurrencyPath", "ResultPath"):
        nullable = field in ("InputPath", "OutputPath", "ResultPath")
        if field in state and not (nullable and state[field] is None
                                   or is_path(state[field], reference=field == "ResultPath")):
            problems.append(f"{where}.{field}: must be a valid JSONPath")
    for field in ("Seconds", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount",
                  "ToleratedFailurePercentage"):
        value = state.get(field, 0)
        literal_ok = not isinstance(value, bool) and isinstance(value, (int, float)) and value >= 0
        if not (literal_ok or jsonata and isinstance(value, str)):
            problems.append(f"{where}.{field}: must be a non-negative number")
    for field in ("Error", "Cause", "Timestamp"):
        if field in state and not isinstance(state[field], str):
            problems.append(f"{where}.{field}: must be a string")
    if isinstance(state.get("Timestamp"), str) and not jsonata and parse_timestamp(state["Timestamp"]) is None:
        problems.append(f"{where}.Timestamp: must be an RFC 3339 timestamp")
    for field in ("ErrorPath", "CausePath"):
        if field in state and dynamic_problem(state[field]):
            problems.append(f"{where}.{field}: {dynamic_problem(state[field])}")
    if not jsonata:
        for field in ("Parameters", "ResultSelector", "ItemSelector"):
            problems += template_problems(state.get(field), f"{where}.{field}")
    _kind_problems(kind, state, where, states, language, problems, names)
    for field, noun in (("Retry", "retrier"), ("Catch", "catcher")):
        if field in state:
            _handler_problems(state[field], f"{where}.{field}", noun, states, problems)


def _kind_problems(kind: str, state: dict, where: str, states: dict, language: str, problems: list,
                   names: Counter) -> None:
    if kind == "Task":
        if not isinstance(state.get("Resource"), str):
            problems.append(f"{where}.Resource: required string")
        if "Credentials" in state and not isinstance(state["Credentials"], dict):
            problems.append(f"{where}.Credentials: must be an object")
    elif kind == "Wait" and not any(f in state for f in _EXCLUSIVE[0]):
        problems.append(f"{where}: needs one of Seconds, SecondsPath, Timestamp or TimestampPath")
    elif kind == "Choice":
        choices = state.get("Choices")
        if not isinstance(choices, list) or not choices:
            problems.append(f"{where}.Choices: non-empty array required")
        for index, rule in enumerate(choices if isinstance(choices, list) else []):
            problems += rule_problems(rule, f"{where}.Choices[{index}]", True, language == "JSONata")
            if isinstance(rule, dict):
                _target_problem(rule, "Next", f"{where}.Choices[{index}]", states, problems)
        _target_problem(state, "Default", where, states, problems)
    elif kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            problems.append(f"{where}.Branches: non-empty array required")
        for index, branch in enumerate(branches if isinstance(branches, list) else []):
            _machine_problems(branch, f"{where}.Branches[{index}].", language, problems, names)
    elif kind == "Map":
        field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        if field not in state:
            problems.append(f"{where}: needs ItemProcessor (or the older Iterator)")
        else:
            _machine_problems(state[field], f"{where}.{field}.", language, problems, names)
            config = state[field].get("ProcessorConfig", {}) if isinstance(state[field], dict) else {}
            if not isinstance(config, dict) or config.get("Mode", "INLINE") not in ("INLINE", "DISTRIBUTED"):
                problems.append(f'{where}.{field}.ProcessorConfig: Mode must be "INLINE" or "DISTRIBUTED"')
        if not isinstance(state.get("ItemBatcher", {}), dict):
            problems.append(f"{where}.ItemBatcher: must be an object")
        reader = state.get("ItemReader", {"Resource": ""})
        if not isinstance(reader, dict) or not isinstance(reader.get("Resource"), str):
            problems.append(f"{where}.ItemReader.Resource: required string")


def _target_problem(owner: dict, field: str, where: str, states: dict, problems: list) -> None:
    if field in owner and (not isinstance(owner[field], str) or owner[field] not in states):
        problems.append(f"{where}.{field}: {owner[field]!r} is not a state in the same States object")


def _handler_problems(handlers: Any, where: str, noun: str, states: dict, problems: list) -> None:
    if not isinstance(handlers, list):
        problems.append(f"{where}: must be an array")
        return
    for index, handler in enumerate(handlers):
        at = f"{where}[{index}]"
        if not isinstance(handler, dict):
            problems.append(f"{at}: must be an object")
            continue
        errors = handler.get("ErrorEquals")
        if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
            problems.append(f"{at}.ErrorEquals: non-empty array of error names required")
        elif "States.ALL" in errors and (len(errors) > 1 or index != len(handlers) - 1):
            problems.append(f"{at}.ErrorEquals: States.ALL must appear alone and in the last {noun}")
        allowed = _RETRIER_FIELDS if noun == "retrier" else _CATCHER_FIELDS
        problems += [f'{at}: field "{f}" is not allowed in a {noun}' for f in handler if f not in allowed]
        if noun == "catcher":
            if not isinstance(handler.get("Next"), str):
                problems.append(f"{at}.Next: required string")
            _target_problem(handler, "Next", at, states, problems)
            if handler.get("ResultPath") is not None and not is_path(handler["ResultPath"], reference=True):
                problems.append(f"{at}.ResultPath: must be a valid reference path")
            continue
        for field, floor, integral in _RETRIER_NUMBERS:
            value = handler.get(field, floor)
            if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)) or value < floor:
                problems.append(f"{at}.{field}: must be {'an integer' if integral else 'a number'} >= {floor}")
        if handler.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
            problems.append(f'{at}.JitterStrategy: must be "FULL" or "NONE"')
