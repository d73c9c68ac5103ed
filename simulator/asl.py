"""Amazon States Language (AWS Step Functions) interpreter, stepped by a discrete-event driver.

The interpreter never sleeps and does no I/O. `start()` and every answer return the commands the
driver must carry out on its own clock: `Invoke` (answer with task_succeeded / task_failed), `Sleep`
(answer with slept), and finally one `Finished`. Many commands may be outstanding at once.

Conventions a driver can rely on (all deterministic for a given rng seed):
- Time: the interpreter has no clock. Every execution starts at START_TIME (2024-01-01T00:00:00Z);
  `$$.Execution.StartTime` and `$$.State.EnteredTime` report it, and a Wait Timestamp waits
  (timestamp - START_TIME) seconds, never less than 0.
- `$$.Task.Token` is f"{name}-token-{invoke token}".
- An Invoke's output is the integration's whole result (for lambda:invoke that is {"Payload": ...});
  an ItemReader Invoke must be answered with the list of items.
- Tokens of cancelled work (a failed Parallel's siblings, everything after Finished) are ignored when
  answered later; a token that was never issued raises ValueError.
- `log` entries, in the order they happened; `path` is "" for the top level and
  "/<state>[<branch or item index>]" per nesting level (e.g. "/Fan out[1]/Each[3]"):
    ("enter", path, state)                      a state starts (one transition)
    ("invoke", path, state, token, target)      an Invoke was issued
    ("sleep", path, state, token, seconds, reason)
    ("retry", path, state, attempt, delay_s, error)
    ("catch", path, state, error, next)
    ("exit", path, state, next)                 next is None when the state ends its branch/execution
    ("fail", path, state, error, cause)         an error left the state unhandled (or a Fail state)
    ("cancel", path)                            a branch/iteration stopped because a sibling failed
    ("finish", status, error, cause)
- Not simulated: the execution-level TimeoutSeconds (the driver owns the clock), ResultWriter (a Map's
  output stays its results array), ItemBatcher byte limits and BatchInput, Credentials, Assign and
  variables in JSONPath states (a States.Runtime failure), JSONata beyond the subset in
  simulator.asl_paths (a States.QueryEvaluationError saying "unsupported JSONata expression").
"""
from __future__ import annotations

import copy
import json
import random
import re
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from simulator.asl_choice import next_state, parse_timestamp, rule_problems
from simulator.asl_intrinsics import (dynamic_problem, read_from, render_template, resolve_dynamic,
                                      template_problems)
from simulator.asl_paths import UNDEFINED, PathMissing, StatesError, is_path, render_jsonata, write_result

__all__ = ["AslError", "validate_definition", "Invoke", "Sleep", "Finished", "Execution", "START_TIME",
           "resolve_target", "error_matches", "retry_delay"]

START_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
_START_ISO = "2024-01-01T00:00:00Z"
_ACCOUNT = "arn:aws:states:us-east-1:123456789012"
_INTEGRATION = "arn:aws:states:::"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class AslError(ValueError):
    """The definition is not valid ASL; `problems` lists each one with its path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid state machine definition:\n  " + "\n  ".join(self.problems))


@dataclass(frozen=True)
class Invoke:
    token: int
    state: str
    resource: str
    target: str | None
    integration: str          # "request_response" | "sync" | "wait_for_task_token"
    payload: Any
    timeout_s: float | None
    heartbeat_s: float | None


@dataclass(frozen=True)
class Sleep:
    token: int
    state: str
    seconds: float
    reason: str               # "wait" (Wait state) | "retry" (retry backoff)


@dataclass(frozen=True)
class Finished:
    status: str               # "SUCCEEDED" | "FAILED"
    output: Any
    error: str | None
    cause: str | None


Command = Invoke | Sleep | Finished


# ---------------------------------------------------------------------------------------------- validation
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


def error_matches(names: list[str], error: str | None) -> bool:
    """ErrorEquals: exact names; States.ALL matches all but States.Runtime; States.TaskFailed all but
    States.Timeout and States.Runtime (AWS never lets wildcards catch a runtime error)."""
    for name in names:
        if name == error:
            return True
        if name == "States.ALL" and error not in ("States.Runtime", "States.DataLimitExceeded"):
            return True
        if name == "States.TaskFailed" and error not in ("States.Timeout", "States.Runtime"):
            return True
    return False


def retry_delay(retrier: dict, attempt: int, rng: random.Random) -> float:
    """IntervalSeconds x BackoffRate^(attempt-1), capped by MaxDelaySeconds; FULL jitter draws in [0, that]."""
    delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** (attempt - 1)
    if "MaxDelaySeconds" in retrier:
        delay = min(delay, retrier["MaxDelaySeconds"])
    if retrier.get("JitterStrategy", "NONE") == "FULL":
        delay = rng.uniform(0, delay)
    return float(delay)


def _first_placeholder(value: Any) -> str | None:
    if isinstance(value, str):
        m = _PLACEHOLDER.search(value)
        return m.group(1) if m else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for item in items if (found := _first_placeholder(item))), None)


def resolve_target(resource: str, template: Any, payload: Any, substitutions: dict) -> tuple[str, str | None]:
    """(integration, target node) of a Task: "${x}" placeholders name nodes, through `substitutions`."""
    name, integration = None, "request_response"
    if resource.startswith(_INTEGRATION):
        service = resource[len(_INTEGRATION):]
        if re.search(r"\.sync(:\d+)?$", service):
            integration = "sync"
        elif service.endswith(".waitForTaskToken"):
            integration = "wait_for_task_token"
        if service.split(".")[0] == "lambda:invoke":
            function = template.get("FunctionName") if isinstance(template, dict) else None
            if not _first_placeholder(function):   # dynamic: use the value the payload ended up with
                function = payload.get("FunctionName") if isinstance(payload, dict) else None
            if isinstance(function, str):
                name = _first_placeholder(function) or function
        name = name or _first_placeholder(template)
    else:
        name = _first_placeholder(resource)
        if name is None and resource.startswith("arn:aws:lambda:") and resource.count(":") >= 6:
            name = resource.split(":")[6]
    return integration, None if name is None else substitutions.get(name, name)


class _Run:
    """One sequence of states: the execution itself, a Parallel branch or a Map iteration."""
    __slots__ = ("path", "states", "parent", "variables", "on_success", "on_failure",
                 "children", "tokens", "cancelled", "finished")

    def __init__(self, path: str, states: dict, parent: _Run | None, variables: dict,
                 on_success: Callable, on_failure: Callable):
        self.path, self.states, self.parent, self.variables = path, states, parent, variables
        self.on_success, self.on_failure = on_success, on_failure
        self.children: set[_Run] = set()
        self.tokens: set[int] = set()
        self.cancelled = self.finished = False


class _Step:
    """A state being executed; it survives retries so each retrier keeps counting its attempts."""
    __slots__ = ("run", "name", "state", "input", "jsonata", "retries")

    def __init__(self, run: _Run, name: str, state: dict, data: Any, jsonata: bool):
        self.run, self.name, self.state, self.input, self.jsonata = run, name, state, data, jsonata
        self.retries: dict[int, int] = {}


class _Group:
    """The children of one Parallel or Map attempt, and what is known about their outcomes."""

    def __init__(self, step: _Step, context: dict, size: int):
        self.step, self.context, self.results = step, context, [None] * size
        self.remaining, self.running, self.next, self.failures = size, 0, 0, 0
        self.children: list[_Run] = []
        self.closed = False
        self.items: list = []
        self.data = self.processor = self.tolerance = None
        self.limit = 0


class Execution:
    """One execution of a state machine definition; see the module docstring for the protocol."""

    def __init__(self, definition: dict, input: Any, *, rng: random.Random, name: str = "exec",
                 substitutions: dict[str, str] | None = None, max_transitions: int = 10_000):
        problems = validate_definition(definition)
        if problems:
            raise AslError(problems)
        self._definition = copy.deepcopy(definition)
        self._input = copy.deepcopy(input)
        self._rng, self.name = rng, name
        self._substitutions = dict(substitutions or {})
        self._max_transitions, self._transitions = max_transitions, 0
        self._language = definition.get("QueryLanguage", "JSONPath")
        self._last_token = 0
        self._pending: dict[int, tuple[str, _Run, Callable]] = {}
        self._outbox: list[Command] = []
        self._ready: deque = deque()
        self._result: Finished | None = None
        self._reported = self._started = False
        self.log: list[tuple] = []
        self._execution_context = {
            "Id": f"{_ACCOUNT}:execution:StateMachine:{name}", "Input": self._input, "Name": name,
            "RoleArn": "arn:aws:iam::123456789012:role/StateMachineRole", "StartTime": _START_ISO}
        self._machine_context = {"Id": f"{_ACCOUNT}:stateMachine:StateMachine", "Name": "StateMachine"}

    @property
    def done(self) -> bool:
        return self._result is not None

    @property
    def result(self) -> Finished | None:
        return self._result

    # ------------------------------------------------------------------------------ driver protocol
    def start(self) -> list[Command]:
        if self._started:
            raise RuntimeError("start() was already called")
        self._started = True
        root = _Run("", self._definition["States"], None, {},
                    lambda output: self._finish("SUCCEEDED", output, None, None),
                    lambda error, cause: self._finish("FAILED", None, error, cause))
        self._schedule(root, lambda: self._enter(root, self._definition["StartAt"], self._input))
        return self._drain()

    def task_succeeded(self, token: int, output: Any) -> list[Command]:
        return self._answer(token, "invoke", ("succeeded", copy.deepcopy(output)))

    def task_failed(self, token: int, error: str, cause: str = "") -> list[Command]:
        return self._answer(token, "invoke", ("failed", error, cause))

    def slept(self, token: int) -> list[Command]:
        return self._answer(token, "sleep", ("slept",))

    def _answer(self, token: int, kind: str, outcome: tuple) -> list[Command]:
        if not isinstance(token, int) or not 1 <= token <= self._last_token:
            raise ValueError(f"token {token!r} was never issued by this execution")
        entry = self._pending.get(token)
        if entry is None or self._result is not None:
            return []   # answered before, or its branch/execution is over: ignored by design
        if entry[0] != kind:
            raise ValueError(f"token {token} belongs to a {entry[0]}, not a {kind}")
        del self._pending[token]
        entry[1].tokens.discard(token)
        self._schedule(entry[1], lambda: entry[2](outcome))
        return self._drain()

    def _schedule(self, run: _Run, action: Callable) -> None:
        self._ready.append((run, action))

    def _drain(self) -> list[Command]:
        # A work queue instead of recursion: a long loop of Pass/Choice states stays shallow.
        while self._ready and self._result is None:
            run, action = self._ready.popleft()
            if not run.cancelled:
                action()
        commands = [c for c in self._outbox if c.token in self._pending]   # drops cancelled work
        self._outbox = []
        if self._result is not None and not self._reported:
            self._reported = True
            self._ready.clear()
            return [self._result]
        return commands

    def _issue(self, step: _Step, command: Command, callback: Callable) -> None:
        kind = "invoke" if isinstance(command, Invoke) else "sleep"
        self._pending[command.token] = (kind, step.run, callback)
        step.run.tokens.add(command.token)
        self._outbox.append(command)
        if kind == "invoke":
            self.log.append(("invoke", step.run.path, step.name, command.token, command.target))
        else:
            self.log.append(("sleep", step.run.path, step.name, command.token, command.seconds, command.reason))

    def _new_token(self) -> int:
        self._last_token += 1
        return self._last_token

    def _sleep(self, step: _Step, seconds: float, reason: str, then: Callable) -> None:
        self._issue(step, Sleep(self._new_token(), step.name, float(seconds), reason), lambda _: then())

    def _finish(self, status: str, output: Any, error: str | None, cause: str | None) -> None:
        if self._result is None:
            self._result = Finished(status, output, error, cause)
            self._pending.clear()
            self.log.append(("finish", status, error, cause))

    # ------------------------------------------------------------------------------ runs and states
    def _enter(self, run: _Run, name: str, data: Any) -> None:
        self._transitions += 1
        if self._transitions > self._max_transitions:
            self._finish("FAILED", None, "Sim.TransitionLimit",
                         f"stopped after {self._max_transitions} state transitions "
                         f"(max_transitions); the definition probably loops forever (last state: {name!r})")
            return
        state = run.states[name]
        self.log.append(("enter", run.path, name))
        jsonata = state.get("QueryLanguage", self._language) == "JSONata"
        self._run_step(_Step(run, name, state, data, jsonata))

    def _run_step(self, step: _Step) -> None:
        handler = getattr(self, "_state_" + step.state["Type"].lower())
        self._guard(step, lambda: handler(step))

    def _guard(self, step: _Step, action: Callable) -> None:
        try:
            action()
        except StatesError as failure:
            self._state_error(step, failure.error, failure.cause)

    def _advance(self, step: _Step, output: Any, next_name: str | None = None) -> None:
        state = step.state
        if next_name is None and not state.get("End") and state["Type"] not in ("Succeed", "Fail"):
            next_name = state["Next"]
        self.log.append(("exit", step.run.path, step.name, next_name))
        if next_name is None:
            self._end_run(step.run, lambda: step.run.on_success(output))
        else:
            self._schedule(step.run, lambda: self._enter(step.run, next_name, output))

    def _end_run(self, run: _Run, report: Callable) -> None:
        run.finished = True
        if run.parent is not None:
            run.parent.children.discard(run)
        report()

    def _cancel(self, run: _Run) -> None:
        if run.cancelled or run.finished:
            return
        run.cancelled = True
        self.log.append(("cancel", run.path))
        for token in run.tokens:
            self._pending.pop(token, None)
        run.tokens.clear()
        for child in list(run.children):
            self._cancel(child)
        if run.parent is not None:
            run.parent.children.discard(run)

    def _state_error(self, step: _Step, error: str, cause: str) -> None:
        """Retry (first retrier whose ErrorEquals matches, while it has attempts left), else the first
        matching Catch, else the error leaves the run."""
        run, state = step.run, step.state
        for index, retrier in enumerate(state.get("Retry", ())):
            if error_matches(retrier["ErrorEquals"], error):
                attempt = step.retries.get(index, 0) + 1
                if attempt <= retrier.get("MaxAttempts", 3):
                    step.retries[index] = attempt
                    delay = retry_delay(retrier, attempt, self._rng)
                    self.log.append(("retry", run.path, step.name, attempt, delay, error))
                    self._sleep(step, delay, "retry", lambda: self._run_step(step))
                    return
                break   # an exhausted retrier does not hand over to a later one
        for catcher in state.get("Catch", ()):
            if error_matches(catcher["ErrorEquals"], error):
                self.log.append(("catch", run.path, step.name, error, catcher["Next"]))
                try:
                    output = self._caught_output(step, catcher, {"Error": error, "Cause": cause})
                except StatesError as failure:
                    self._unhandled(step, failure.error, failure.cause)
                    return
                self._schedule(run, lambda: self._enter(run, catcher["Next"], output))
                return
        self._unhandled(step, error, cause)

    def _unhandled(self, step: _Step, error: str | None, cause: str | None) -> None:
        self.log.append(("fail", step.run.path, step.name, error, cause))
        self._end_run(step.run, lambda: step.run.on_failure(error, cause))

    # ------------------------------------------------------------------------------ data handling
    def _context(self, step: _Step, **extra: Any) -> dict:
        state = {"Name": step.name, "EnteredTime": _START_ISO, "RetryCount": sum(step.retries.values())}
        return {"Execution": self._execution_context, "StateMachine": self._machine_context,
                "State": state, **extra}

    def _env(self, step: _Step, context: dict, **states: Any) -> dict:
        return {**step.run.variables, "states": {"input": step.input, "context": context, **states}}

    def _jsonata(self, template: Any, env: dict, field: str) -> Any:
        value = render_jsonata(template, env)
        if value is UNDEFINED:
            raise StatesError("States.QueryEvaluationError", f"{field} evaluated to undefined")
        return value

    def _assign(self, step: _Step, assign: Any, env: dict) -> None:
        if assign is None:
            return
        if not step.jsonata:
            raise StatesError("States.Runtime", "Assign is only simulated in JSONata states")
        step.run.variables.update(self._jsonata(assign, env, "Assign"))

    def _input_path(self, step: _Step, context: dict) -> Any:
        return self._select(step.input, step.state.get("InputPath", "$"), context, "InputPath")

    def _select(self, doc: Any, path: str | None, context: dict, field: str) -> Any:
        if path is None:
            return {}
        try:
            return read_from(path, doc, context)
        except PathMissing:
            raise StatesError("States.Runtime", f"{field} {path!r} could not be found in the input") from None

    def _effective_input(self, step: _Step, context: dict) -> Any:
        """InputPath then Parameters (JSONPath), or Arguments (JSONata)."""
        if step.jsonata:
            arguments = step.state.get("Arguments")
            return step.input if arguments is None else self._jsonata(arguments, self._env(step, context), "Arguments")
        data = self._input_path(step, context)
        if "Parameters" not in step.state:
            return data
        return render_template(step.state["Parameters"], data, context, self._rng)

    def _field(self, step: _Step, name: str, context: dict, data: Any) -> Any:
        """A field given literally (or as JSONata), or through its `<name>Path` variant; None if absent."""
        state = step.state
        if name in state:
            value = state[name]
            return self._jsonata(value, self._env(step, context), name) if step.jsonata else value
        if name + "Path" in state:
            return resolve_dynamic(state[name + "Path"], data, context, self._rng, "States.Runtime", name + "Path")
        return None

    def _number(self, step: _Step, name: str, context: dict, data: Any) -> float | None:
        value = self._field(step, name, context, data)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise StatesError("States.Runtime", f"{name} must be a non-negative number, got {value!r}")
        return value

    def _finish_step(self, step: _Step, result: Any, context: dict) -> None:
        """ResultSelector, ResultPath, OutputPath (JSONPath) or Output and Assign (JSONata); then move on."""
        state = step.state
        if step.jsonata:
            env = self._env(step, context, result=result)
            output = self._jsonata(state.get("Output", "{% $states.result %}"), env, "Output")
            self._assign(step, state.get("Assign"), env)
        else:
            if "ResultSelector" in state:
                result = render_template(state["ResultSelector"], result, context, self._rng)
            merged = write_result(step.input, state.get("ResultPath", "$"), result)
            output = self._select(merged, state.get("OutputPath", "$"), context, "OutputPath")
        self._advance(step, output)

    def _plain_output(self, step: _Step, context: dict, data: Any) -> Any:
        """Output of states without a result (Wait, Succeed, Choice, JSONata Pass)."""
        if step.jsonata:
            env = self._env(step, context)
            self._assign(step, step.state.get("Assign"), env)
            return self._jsonata(step.state.get("Output", "{% $states.input %}"), env, "Output")
        return self._select(data, step.state.get("OutputPath", "$"), context, "OutputPath")

    def _caught_output(self, step: _Step, catcher: dict, error_output: dict) -> Any:
        if not step.jsonata:
            return write_result(step.input, catcher.get("ResultPath", "$"), error_output)
        env = self._env(step, self._context(step), errorOutput=error_output)
        self._assign(step, catcher.get("Assign"), env)
        return self._jsonata(catcher.get("Output", "{% $states.errorOutput %}"), env, "Output")

    # ------------------------------------------------------------------------------ state types
    def _state_pass(self, step: _Step) -> None:
        context = self._context(step)
        if step.jsonata:
            return self._advance(step, self._plain_output(step, context, step.input))
        data = self._effective_input(step, context)
        result = copy.deepcopy(step.state["Result"]) if "Result" in step.state else data
        merged = write_result(step.input, step.state.get("ResultPath", "$"), result)
        self._advance(step, self._select(merged, step.state.get("OutputPath", "$"), context, "OutputPath"))

    def _state_succeed(self, step: _Step) -> None:
        context = self._context(step)
        data = step.input if step.jsonata else self._input_path(step, context)
        self._advance(step, self._plain_output(step, context, data))

    def _state_fail(self, step: _Step) -> None:
        context = self._context(step)
        error = self._field(step, "Error", context, step.input)
        cause = self._field(step, "Cause", context, step.input)
        if not all(value is None or isinstance(value, str) for value in (error, cause)):
            raise StatesError("States.Runtime", f"a Fail state's Error and Cause must be strings, got {error!r}, {cause!r}")
        self._unhandled(step, error, cause)

    def _state_choice(self, step: _Step) -> None:
        state, context = step.state, self._context(step)
        if not step.jsonata:
            data = self._input_path(step, context)
            chosen = next_state(state, data, context)
            return self._advance(step, self._plain_output(step, context, data), chosen)
        env = self._env(step, context)
        for rule in state["Choices"]:
            verdict = self._jsonata(rule["Condition"], env, "Condition")
            if not isinstance(verdict, bool):
                raise StatesError("States.QueryEvaluationError", f"Condition gave {verdict!r}, not a boolean")
            if verdict:
                break
        else:
            if "Default" not in state:
                raise StatesError("States.NoChoiceMatched", "no choice rule matched and there is no Default")
            rule = {"Next": state["Default"], "Output": state.get("Output"), "Assign": state.get("Assign")}
        self._assign(step, rule.get("Assign"), env)
        template = next(t for t in (rule.get("Output"), state.get("Output"), "{% $states.input %}") if t is not None)
        self._advance(step, self._jsonata(template, env, "Output"), rule["Next"])

    def _state_wait(self, step: _Step) -> None:
        context = self._context(step)
        data = step.input if step.jsonata else self._input_path(step, context)
        seconds = self._number(step, "Seconds", context, data)
        if seconds is None:
            stamp = self._field(step, "Timestamp", context, data)
            moment = parse_timestamp(stamp)
            if moment is None:
                raise StatesError("States.Runtime", f"Timestamp {stamp!r} is not an RFC 3339 timestamp")
            seconds = max(0.0, (moment - START_TIME).total_seconds())

        def woke() -> None:
            self._advance(step, self._plain_output(step, context, data))
        self._sleep(step, seconds, "wait", lambda: self._guard(step, woke))

    def _state_task(self, step: _Step) -> None:
        state, token = step.state, self._new_token()
        context = self._context(step, Task={"Token": f"{self.name}-token-{token}"})
        payload = self._effective_input(step, context)
        data = step.input if step.jsonata else self._input_path(step, context)
        timeout = self._number(step, "TimeoutSeconds", context, data)
        heartbeat = self._number(step, "HeartbeatSeconds", context, data)
        template = state.get("Arguments" if step.jsonata else "Parameters")
        integration, target = resolve_target(state["Resource"], template, payload, self._substitutions)
        command = Invoke(token, step.name, state["Resource"], target, integration, copy.deepcopy(payload),
                         None if timeout is None else float(timeout),
                         None if heartbeat is None else float(heartbeat))

        def answered(outcome: tuple) -> None:
            if outcome[0] == "failed":
                return self._state_error(step, outcome[1], outcome[2])
            self._guard(step, lambda: self._finish_step(step, outcome[1], context))
        self._issue(step, command, answered)

    def _state_parallel(self, step: _Step) -> None:
        context = self._context(step)
        data = self._effective_input(step, context)
        branches = step.state["Branches"]
        group = _Group(step, context, len(branches))
        for index, branch in enumerate(branches):
            self._start_child(group, index, branch, data)
        if not branches:
            self._group_done(group)

    def _state_map(self, step: _Step) -> None:
        state, context = step.state, self._context(step)
        data = step.input if step.jsonata else self._input_path(step, context)
        if "ItemReader" not in state:
            if step.jsonata:
                items = self._jsonata(state.get("Items", "{% $states.input %}"), self._env(step, context), "Items")
            else:
                items = self._select(data, state.get("ItemsPath", "$"), context, "ItemsPath")
            return self._start_iterations(step, context, data, items)
        reader, token = state["ItemReader"], self._new_token()
        if step.jsonata:
            template = reader.get("Arguments", {})
            payload = self._jsonata(template, self._env(step, context), "ItemReader.Arguments")
        else:
            template = reader.get("Parameters", {})
            payload = render_template(template, data, context, self._rng)
        integration, target = resolve_target(reader["Resource"], template, payload, self._substitutions)

        def answered(outcome: tuple) -> None:
            if outcome[0] == "failed":
                return self._state_error(step, "States.ItemReaderFailed", f"{outcome[1]}: {outcome[2]}")
            self._guard(step, lambda: self._start_iterations(step, context, data, outcome[1]))
        self._issue(step, Invoke(token, step.name, reader["Resource"], target, integration,
                                 copy.deepcopy(payload), None, None), answered)

    def _start_iterations(self, step: _Step, context: dict, data: Any, items: Any) -> None:
        if not isinstance(items, list):
            raise StatesError("States.Runtime", f"the Map items must be an array, got {type(items).__name__}")
        state = step.state
        if "ItemBatcher" in state:   # each iteration gets {"Items": [...]}; byte limits are not simulated
            size = state["ItemBatcher"].get("MaxItemsPerBatch") or max(len(items), 1)
            items = [{"Items": items[i:i + size]} for i in range(0, len(items), size)]
        group = _Group(step, context, len(items))
        group.items, group.data = items, data
        group.processor = state.get("ItemProcessor") or state["Iterator"]
        group.limit = int(self._number(step, "MaxConcurrency", context, data) or 0)
        count = self._number(step, "ToleratedFailureCount", context, data)
        percentage = self._number(step, "ToleratedFailurePercentage", context, data)
        distributed = group.processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
        if distributed or count is not None or percentage is not None:
            group.tolerance = (count, percentage)   # failures are counted, not fatal one by one
        if not items:
            return self._group_done(group)
        self._launch(group)

    def _launch(self, group: _Group) -> None:
        """Start Map iterations while MaxConcurrency (0 = unlimited) allows."""
        step, state = group.step, group.step.state
        while group.next < len(group.items) and (group.limit == 0 or group.running < group.limit):
            index, value = group.next, group.items[group.next]
            group.next += 1
            group.running += 1
            context = self._context(step, Map={"Item": {"Index": index, "Value": value}})
            selector = state.get("ItemSelector", None if step.jsonata else state.get("Parameters"))
            try:
                if selector is None:
                    item = value
                elif step.jsonata:
                    item = self._jsonata(selector, self._env(step, context), "ItemSelector")
                else:
                    item = render_template(selector, group.data, context, self._rng)
            except StatesError as failure:
                return self._group_failed(group, failure.error, failure.cause)
            self._start_child(group, index, group.processor, item)

    def _start_child(self, group: _Group, index: int, machine: dict, data: Any) -> None:
        parent = group.step.run
        child = _Run(f"{parent.path}/{group.step.name}[{index}]", machine["States"], parent,
                     dict(parent.variables),   # inner scopes read outer variables, never write them
                     lambda output: self._child_succeeded(group, index, output),
                     lambda error, cause: self._child_failed(group, index, error, cause))
        parent.children.add(child)
        group.children.append(child)
        self._schedule(child, lambda: self._enter(child, machine["StartAt"], data))

    def _child_succeeded(self, group: _Group, index: int, output: Any) -> None:
        if group.closed:
            return
        group.results[index] = output
        group.remaining -= 1
        group.running -= 1
        if group.remaining == 0:
            self._group_done(group)
        elif group.items:
            self._launch(group)

    def _child_failed(self, group: _Group, index: int, error: str, cause: str) -> None:
        if group.closed:
            return
        if group.tolerance is None:
            return self._group_failed(group, error, cause)
        group.failures += 1
        count, percentage = group.tolerance
        size = len(group.items)
        exceeded = ((count is not None and group.failures > count)
                    or (percentage is not None and group.failures * 100 > percentage * size)
                    or (count is None and percentage is None))
        if exceeded:
            return self._group_failed(group, "States.ExceedToleratedFailureThreshold",
                                      f"{group.failures} of {size} items failed, more than tolerated "
                                      f"(count {count}, percentage {percentage}); last error {error}: {cause}")
        self._child_succeeded(group, index, {"Error": error, "Cause": cause})

    def _group_done(self, group: _Group) -> None:
        group.closed = True
        self._guard(group.step, lambda: self._finish_step(group.step, group.results, group.context))

    def _group_failed(self, group: _Group, error: str, cause: str) -> None:
        group.closed = True
        for child in group.children:
            self._cancel(child)
        self._state_error(group.step, error, cause)
