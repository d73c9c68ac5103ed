"""A CloudWatch alarm watching one metric of the nodes connected to it (a DLQ's depth, errors).

It evaluates once a minute (a standard-resolution period) and notifies its targets when it goes
into ALARM. The transitions are part of the run, so a learner can see when someone was told.
"""
from __future__ import annotations

from simulator.services.base import Model, model_for

PERIOD_S = 60.0


@model_for("alarm")
class AlarmModel(Model):
    def setup(self) -> None:
        p = self.node.prop
        self.metric = p("metric")
        self.threshold = float(p("threshold"))
        self.watched = [link.source for link in self.inbound if link.kind == "metric"]
        self.targets = self.links("notify")
        self.state = "OK"
        self.transitions: list[tuple[float, str, float]] = []
        self.last_errors = 0

    def start(self) -> None:
        if self.watched:
            self.env.schedule(PERIOD_S, self._evaluate)

    def _value(self) -> float:
        if self.metric == "queue_depth":
            return float(sum(m.depth() for m in self.watched if hasattr(m, "depth")))
        if self.metric == "errors":
            total = sum(m.stats.failed for m in self.watched)
            value, self.last_errors = total - self.last_errors, total
            return float(value)
        if self.metric == "throttles":
            return float(sum(m.stats.throttled for m in self.watched))
        oldest = [self.env.now - m.oldest() for m in self.watched if hasattr(m, "oldest") and m.oldest() is not None]
        return max(oldest, default=0.0)

    def _evaluate(self, _arg=None) -> None:
        value = self._value()
        state = "ALARM" if value >= self.threshold else "OK"
        if state != self.state:
            self.state = state
            self.transitions.append((round(self.env.now, 6), state, value))
            if state == "ALARM":
                for target in self.targets:
                    msg = self.rt.new_event({"AlarmName": self.node.title, "NewStateValue": "ALARM",
                                             "metric": self.metric, "value": value})
                    self.rt.deliver(target, msg)
        if self.env.now + PERIOD_S <= self.rt.until:
            self.env.schedule(PERIOD_S, self._evaluate)
