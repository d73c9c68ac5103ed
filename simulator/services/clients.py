"""The edges of a design: clients that send into it, and external systems (legacy, SaaS, HTTP) it calls."""
from __future__ import annotations

from dataclasses import replace

from simulator.messages import Message
from simulator.runtime import NO_FAULTS
from simulator.services.base import Model, model_for


class ClientModel(Model):
    """Emits the workload. Keeps what callers were told, which is what a user of the system sees."""

    def setup(self) -> None:
        self.answers: dict[str, int] = {}
        self.sent = 0
        self.sends = [link for link in self.out if link.kind not in ("metric",)]
        self._answered_cb = self._answered        # bound once, not per event

    def emit(self, msg: Message) -> None:
        self.sent += 1
        first = True
        rt = self.rt
        for link in self.sends:
            copy = msg if first else msg.fresh()
            first = False
            copy.attempt = 1
            if rt.trace is not None:
                rt.record(copy, self.id, link.target.id, "sent")
            rt.deliver(link, copy, self._answered_cb)

    def _answered(self, ok, error, output) -> None:
        key = "ok" if ok else (error or "error")
        self.answers[key] = self.answers.get(key, 0) + 1


class ExternalModel(Model):
    """A system we do not run: answers after `duration_s`, or fails (injected failures, outages)."""

    def setup(self) -> None:
        f = self.faults
        name = self.node.prop("error_name")
        if name and f is not NO_FAULTS and not f.error_given:
            # The node names the error its failures raise; the scenario's `error` still overrides it.
            self.faults = f = replace(f, error=str(name))
        self.duration = float(f.duration_s if f.duration_s is not None else self.node.prop("duration_s")) \
            + f.latency_s
        self.busy = 0
        self.cap = f.throttle_concurrency
        self.running: set = set()

    def receive(self, link, msg: Message, reply) -> None:
        s = self.stats
        s.received += 1
        if msg.copy:
            s.duplicates_delivered += 1
        if msg.attempt > 1:
            s.retried += 1
        if self.cap is not None and self.busy >= self.cap:
            s.failed += 1
            s.throttled += 1
            s.reported += 1
            self.rt.record(msg, link.source.id, self.id, "throttled", "429")
            if reply:
                reply(False, "TooManyRequests", None)
            return
        error = self.fault_error(msg)
        self.busy += 1
        entry = (link, msg, reply, error)
        self.running.add(entry)
        self.env.schedule(self.duration, self._answer, entry)

    def _answer(self, entry) -> None:
        link, msg, reply, error = entry
        self.running.discard(entry)
        self.busy -= 1
        s = self.stats
        if error:
            s.failed += 1
            s.reported += 1
            self.rt.record(msg, link.source.id, self.id, "failed", error)
            if reply:
                reply(False, error, None)
            return
        self.side_effect(msg)
        s.processed += 1
        s.latency(self.env.now - msg.core.created)
        self.rt.record(msg, link.source.id, self.id, "processed")
        if reply:
            reply(True, None, msg.core.body)

    def in_flight(self) -> int:
        return len(self.running)


# Registered here rather than with `@model_for` on the class: mypyc compiles a class with a decorator as a
# plain Python class (no native attributes), and this module is compiled (simulator/_compiled.py).
model_for("client")(ClientModel)
model_for("external")(ExternalModel)
