"""The ASL interpreter's engine: Execution, its driver protocol, branches, and Retry/Catch.

The protocol is described in simulator.asl, which re-exports everything public from here. Execution
owns the state of one execution (the work queue, outstanding tokens, the log) and the life of its
branches and steps. It has two collaborators, made in __init__: a DataFlow (simulator.asl.dataflow)
that turns a state's input into its output, and a StateTypes (simulator.asl.states) that runs each
state type, including Parallel and Map, through the operations below marked "for the state types".
"""
from __future__ import annotations

import copy
import random
from collections import deque
from typing import Any, Callable

from simulator.asl.commands import START_ISO, Command, Finished, Invoke, Sleep
from simulator.asl.dataflow import DataFlow
from states_language.paths import StatesError
from simulator.asl.records import Branch, Step
from simulator.asl.states import StateTypes
from states_language.validation import AslError, validate_definition

_ACCOUNT = "arn:aws:states:us-east-1:123456789012"


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


class Execution:
    """One execution of a state machine definition; see simulator.asl's docstring for the protocol.

    A driver uses start, task_succeeded, task_failed, slept, done, result and log. The other public
    methods (schedule, issue, new_token, sleep, enter, guard, advance, cancel, state_error, unhandled)
    and `substitutions` are what the state types (simulator.asl.states) move the execution on with.
    """

    def __init__(self, definition: dict, input: Any, *, rng: random.Random, name: str = "exec",
                 substitutions: dict[str, str] | None = None, max_transitions: int = 10_000):
        problems = validate_definition(definition)
        if problems:
            raise AslError(problems)
        self._definition = copy.deepcopy(definition)
        self._input = copy.deepcopy(input)
        self._rng, self.name = rng, name
        self.substitutions = dict(substitutions or {})
        self._max_transitions, self._transitions = max_transitions, 0
        self._language = definition.get("QueryLanguage", "JSONPath")
        self._last_token = 0
        self._pending: dict[int, tuple[str, Branch, Callable]] = {}
        self._outbox: list[Command] = []
        self._ready: deque = deque()
        self._result: Finished | None = None
        self._reported = self._started = False
        self.log: list[tuple] = []
        execution_context = {
            "Id": f"{_ACCOUNT}:execution:StateMachine:{name}", "Input": self._input, "Name": name,
            "RoleArn": "arn:aws:iam::123456789012:role/StateMachineRole", "StartTime": START_ISO}
        machine_context = {"Id": f"{_ACCOUNT}:stateMachine:StateMachine", "Name": "StateMachine"}
        self._io = DataFlow(execution_context, machine_context, rng)
        self._states = StateTypes(self, self._io)

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
        root = Branch("", self._definition["States"], None, {},
                      lambda output: self._finish("SUCCEEDED", output, None, None),
                      lambda error, cause: self._finish("FAILED", None, error, cause))
        self.schedule(root, lambda: self.enter(root, self._definition["StartAt"], self._input))
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
        self.schedule(entry[1], lambda: entry[2](outcome))
        return self._drain()

    # ------------------------------------------------------------------------- work queue and commands
    def schedule(self, branch: Branch, action: Callable) -> None:
        self._ready.append((branch, action))

    def _drain(self) -> list[Command]:
        # A work queue instead of recursion: a long loop of Pass/Choice states stays shallow.
        while self._ready and self._result is None:
            branch, action = self._ready.popleft()
            if not branch.cancelled:
                action()
        commands = [c for c in self._outbox if c.token in self._pending]   # drops cancelled work
        self._outbox = []
        if self._result is not None and not self._reported:
            self._reported = True
            self._ready.clear()
            return [self._result]
        return commands

    def issue(self, step: Step, command: Command, callback: Callable) -> None:
        kind = "invoke" if isinstance(command, Invoke) else "sleep"
        self._pending[command.token] = (kind, step.branch, callback)
        step.branch.tokens.add(command.token)
        self._outbox.append(command)
        if kind == "invoke":
            self.log.append(("invoke", step.branch.path, step.name, command.token, command.target))
        else:
            self.log.append(("sleep", step.branch.path, step.name, command.token, command.seconds, command.reason))

    def new_token(self) -> int:
        self._last_token += 1
        return self._last_token

    def sleep(self, step: Step, seconds: float, reason: str, then: Callable) -> None:
        self.issue(step, Sleep(self.new_token(), step.name, float(seconds), reason), lambda _: then())

    def _finish(self, status: str, output: Any, error: str | None, cause: str | None) -> None:
        if self._result is None:
            self._result = Finished(status, output, error, cause)
            self._pending.clear()
            self.log.append(("finish", status, error, cause))

    # ------------------------------------------------------------------------------ branches and steps
    def enter(self, branch: Branch, name: str, data: Any) -> None:
        self._transitions += 1
        if self._transitions > self._max_transitions:
            self._finish("FAILED", None, "Sim.TransitionLimit",
                         f"stopped after {self._max_transitions} state transitions "
                         f"(max_transitions); the definition probably loops forever (last state: {name!r})")
            return
        state = branch.states[name]
        self.log.append(("enter", branch.path, name))
        jsonata = state.get("QueryLanguage", self._language) == "JSONata"
        self._run_step(Step(branch, name, state, data, jsonata))

    def _run_step(self, step: Step) -> None:
        handler = getattr(self._states, "run_" + step.state["Type"].lower())
        self.guard(step, lambda: handler(step))

    def guard(self, step: Step, action: Callable) -> None:
        try:
            action()
        except StatesError as failure:
            self.state_error(step, failure.error, failure.cause)

    def advance(self, step: Step, output: Any, next_name: str | None = None) -> None:
        state = step.state
        if next_name is None and not state.get("End") and state["Type"] not in ("Succeed", "Fail"):
            next_name = state["Next"]
        self.log.append(("exit", step.branch.path, step.name, next_name))
        if next_name is None:
            self._end_branch(step.branch, lambda: step.branch.on_success(output))
        else:
            self.schedule(step.branch, lambda: self.enter(step.branch, next_name, output))

    def _end_branch(self, branch: Branch, report: Callable) -> None:
        branch.finished = True
        if branch.parent is not None:
            branch.parent.children.discard(branch)
        report()

    def cancel(self, branch: Branch) -> None:
        if branch.cancelled or branch.finished:
            return
        branch.cancelled = True
        self.log.append(("cancel", branch.path))
        for token in branch.tokens:
            self._pending.pop(token, None)
        branch.tokens.clear()
        for child in list(branch.children):
            self.cancel(child)
        if branch.parent is not None:
            branch.parent.children.discard(branch)

    def state_error(self, step: Step, error: str, cause: str) -> None:
        """Retry (first retrier whose ErrorEquals matches, while it has attempts left), else the first
        matching Catch, else the error leaves the branch."""
        branch, state = step.branch, step.state
        for index, retrier in enumerate(state.get("Retry", ())):
            if error_matches(retrier["ErrorEquals"], error):
                attempt = step.retries.get(index, 0) + 1
                if attempt <= retrier.get("MaxAttempts", 3):
                    step.retries[index] = attempt
                    delay = retry_delay(retrier, attempt, self._rng)
                    self.log.append(("retry", branch.path, step.name, attempt, delay, error))
                    self.sleep(step, delay, "retry", lambda: self._run_step(step))
                    return
                break   # an exhausted retrier does not hand over to a later one
        for catcher in state.get("Catch", ()):
            if error_matches(catcher["ErrorEquals"], error):
                self.log.append(("catch", branch.path, step.name, error, catcher["Next"]))
                try:
                    output = self._io.caught_output(step, catcher, {"Error": error, "Cause": cause})
                except StatesError as failure:
                    self.unhandled(step, failure.error, failure.cause)
                    return
                self.schedule(branch, lambda: self.enter(branch, catcher["Next"], output))
                return
        self.unhandled(step, error, cause)

    def unhandled(self, step: Step, error: str | None, cause: str | None) -> None:
        self.log.append(("fail", step.branch.path, step.name, error, cause))
        self._end_branch(step.branch, lambda: step.branch.on_failure(error, cause))
