"""The interpreter's bookkeeping records: plain data (slots, no behaviour) shared by simulator.asl.execution
and simulator.asl.states, which alone create and change them.

Branch  one sequence of states: the execution itself, a Parallel branch or a Map iteration
Step    a state being executed (it survives retries, so each retrier keeps counting its attempts)
Group   the children of one Parallel or Map attempt and what is known about their outcomes
"""
from __future__ import annotations

from typing import Any, Callable


class Branch:
    """One sequence of states: the execution itself, a Parallel branch or a Map iteration."""
    __slots__ = ("path", "states", "parent", "variables", "on_success", "on_failure",
                 "children", "tokens", "cancelled", "finished")

    def __init__(self, path: str, states: dict, parent: Branch | None, variables: dict,
                 on_success: Callable, on_failure: Callable):
        self.path, self.states, self.parent, self.variables = path, states, parent, variables
        self.on_success, self.on_failure = on_success, on_failure
        self.children: set[Branch] = set()
        self.tokens: set[int] = set()
        self.cancelled = self.finished = False


class Step:
    """A state being executed; it survives retries so each retrier keeps counting its attempts."""
    __slots__ = ("branch", "name", "state", "input", "jsonata", "retries")

    def __init__(self, branch: Branch, name: str, state: dict, data: Any, jsonata: bool):
        self.branch, self.name, self.state, self.input, self.jsonata = branch, name, state, data, jsonata
        self.retries: dict[int, int] = {}


class Group:
    """The children of one Parallel or Map attempt, and what is known about their outcomes."""
    __slots__ = ("step", "context", "results", "remaining", "running", "next", "failures", "children",
                 "closed", "items", "data", "processor", "tolerance", "limit")

    def __init__(self, step: Step, context: dict, size: int):
        self.step, self.context, self.results = step, context, [None] * size
        self.remaining, self.running, self.next, self.failures = size, 0, 0, 0
        self.children: list[Branch] = []
        self.closed = False
        self.items: list = []
        self.data = self.processor = self.tolerance = None
        self.limit = 0
