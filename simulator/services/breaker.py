"""A circuit breaker around calls to one unhealthy dependency (semantics.md §10).

Closed: calls pass; `threshold` consecutive failures open it. Open: calls fail fast for `open_s`.
Half-open: one probe passes; its success closes the circuit, its failure opens it again.
"""
from __future__ import annotations


class Breaker:
    __slots__ = ("threshold", "open_s", "state", "failures", "opened_at", "probe_out", "transitions")

    def __init__(self, threshold: int, open_s: float):
        self.threshold = int(threshold)
        self.open_s = float(open_s)
        self.state = "closed"
        self.failures = 0
        self.opened_at = 0.0
        self.probe_out = False
        self.transitions: list[tuple[float, str]] = []

    def allow(self, now: float) -> bool:
        if self.state == "closed":
            return True
        if self.state == "open" and now - self.opened_at >= self.open_s:
            self._move("half_open", now)
        if self.state == "half_open" and not self.probe_out:
            self.probe_out = True
            return True
        return False

    def result(self, ok: bool, now: float) -> None:
        if ok:
            self.failures = 0
            if self.state != "closed":
                self._move("closed", now)
            self.probe_out = False
            return
        self.failures += 1
        if self.state == "half_open" or (self.state == "closed" and self.failures >= self.threshold):
            self.opened_at = now
            self.probe_out = False
            self._move("open", now)

    def _move(self, state: str, now: float) -> None:
        self.state = state
        self.transitions.append((round(now, 6), state))
