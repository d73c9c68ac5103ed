"""The ASL interpreter's data types: the commands it hands its driver, and its bookkeeping records.

Invoke, Sleep, Finished, AslError and START_TIME are public (re-exported by simulator.asl, whose
docstring describes the protocol). _Run, _Step and _Group are shared by the interpreter's modules
(simulator.asl.execution, asl_dataflow, asl_states) and by nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

START_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
_START_ISO = "2024-01-01T00:00:00Z"   # START_TIME as the context object reports it


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


# ---------------------------------------------------------------------------------------------- records
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
