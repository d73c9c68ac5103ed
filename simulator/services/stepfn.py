"""AWS Step Functions: executions of an ASL definition driven on the simulated clock.

Semantics (semantics.md §5): a STANDARD execution starts once per name (the event id here), so a
duplicate start is recognised and not run again (exactly-once); an EXPRESS workflow started
asynchronously is at-least-once, so a duplicate delivery runs a second execution. Tasks call the
design's nodes through `task` edges; Retry/Catch/Choice/Parallel/Map/Wait are the interpreter's
(simulator.asl). `.waitForTaskToken` waits for a callback: it arrives after the called node's
`callback_delay_s` (scenario), or never if lost; HeartbeatSeconds/TimeoutSeconds then fire.

Execution semantics (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html):
Standard exactly-once; Express asynchronous at-least-once, synchronous at-most-once, and "They can run
for up to five minutes": an Express execution still running at 300 s ends TIMED_OUT with
States.Timeout, as does any execution past the definition's own top-level TimeoutSeconds (the
interpreter leaves the execution clock to this driver).
"""
from __future__ import annotations

import math

from design.registry import TYPES
from simulator.asl import AslError, Execution, Finished, Invoke, Sleep
from simulator.messages import Message
from simulator.services.base import Model, model_for

LAMBDA_ERROR_NAMES = {"TooManyRequestsException": "Lambda.TooManyRequestsException",
                      "ServiceUnavailable": "Lambda.ServiceException"}
# Service integrations raise the service's exception with the service's prefix (e.g. a refused
# conditional put is `DynamoDB.ConditionalCheckFailedException`), which a Catch can name.
EXPRESS_MAX_S = 300.0     # "Maximum duration ... 5 minutes" (Express, synchronous and asynchronous)
# Who waits for the execution's result: a parent's Task (startExecution.sync) or a synchronous caller.
SYNC_START_KINDS = frozenset({"task", "sync"})
SERVICE_PREFIX = {t.name: t.sdk_prefix for t in TYPES if t.sdk_prefix}   # the registry's sdk_prefix


class StartedExecution:
    """One execution this state machine is driving: its start message, the interpreter, who waits for the
    result, and the task tokens still outstanding (the simulator's other Run is a whole simulation's result)."""
    __slots__ = ("msg", "execution", "reply", "tokens", "link")

    def __init__(self, msg, execution, reply, link):
        self.msg = msg
        self.execution = execution
        self.reply = reply
        self.tokens: dict[int, bool] = {}
        self.link = link


@model_for("state_machine")
class StateMachineModel(Model):
    accepts_puts = True       # StartExecution answers at once
    def setup(self) -> None:
        p = self.node.prop
        self.express = p("type") == "EXPRESS"
        self.definition = p("definition")
        self.targets = {link.target.id: link for link in self.links("task")}
        self.running: set = set()
        self.invalid = None
        limit = EXPRESS_MAX_S if self.express else math.inf
        top = self.definition.get("TimeoutSeconds") if isinstance(self.definition, dict) else None
        if isinstance(top, (int, float)) and not isinstance(top, bool) and top > 0:
            limit = min(limit, float(top))
        self.time_limit = limit if limit != math.inf else None
        if not isinstance(self.definition, dict):
            self.invalid = "no definition"
        else:
            from states_language import validate_definition
            problems = validate_definition(self.definition)
            if problems:
                self.invalid = "; ".join(problems[:3])
        if self.invalid:
            self.rt.finding("SIM-ASL", f"nodes[{self.id}].props.definition", f"{self.node.title}: invalid state "
                            f"machine ({self.invalid}); every execution fails with States.Runtime")

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        s = self.stats
        if not self.express and msg.core.done & self.bit:
            s.deduplicated += 1
            self.rt.record(msg, link.source.id, self.id, "deduplicated", "execution name already used")
            if reply:
                reply(True, None, None)
            return
        if self.express and msg.copy and link.kind in SYNC_START_KINDS and msg.core.done & self.bit:
            # Synchronous Express is at-most-once: Step Functions does not run the same start again, so an
            # extra copy of a synchronous start is not a second execution (how AWS would answer it †).
            s.deduplicated += 1
            self.rt.record(msg, link.source.id, self.id, "deduplicated", "synchronous Express: at most once")
            if reply:
                reply(True, None, None)
            return
        self.side_effect(msg)
        if self.invalid:
            self._end(StartedExecution(msg, None, reply, link),
                      Finished("FAILED", None, "States.Runtime", self.invalid))
            return
        try:
            execution = Execution(self.definition, msg.core.body, rng=self.rt.rng, name=f"e{msg.core.id}")
        except AslError as exc:
            self._end(StartedExecution(msg, None, reply, link),
                      Finished("FAILED", None, "States.Runtime", str(exc)[:200]))
            return
        started = StartedExecution(msg, execution, reply, link)
        self.running.add(started)
        if self.time_limit is not None:
            self.env.schedule(self.time_limit, self._timed_out, started)
        self.rt.record(msg, link.source.id, self.id, "execution_started", "STANDARD" if not self.express else "EXPRESS")
        if reply and link.kind != "task":
            reply(True, None, None)      # StartExecution answers at once; the caller does not wait
            started.reply = None
        self._apply(started, execution.start())

    def _apply(self, started: StartedExecution, commands: list) -> None:
        for cmd in commands:
            if isinstance(cmd, Finished):
                self._end(started, cmd)
                return
            if isinstance(cmd, Sleep):
                self.env.schedule(cmd.seconds, self._slept, (started, cmd.token))
            elif isinstance(cmd, Invoke):
                self._invoke(started, cmd)

    def _timed_out(self, started: StartedExecution) -> None:
        if started in self.running:
            why = "Express executions run for at most 5 minutes" if self.express and self.time_limit == \
                EXPRESS_MAX_S else "the execution's TimeoutSeconds elapsed"
            self._end(started, Finished("TIMED_OUT", None, "States.Timeout", why))

    def _slept(self, args) -> None:
        started, token = args
        if started in self.running:
            self._apply(started, started.execution.slept(token))

    def _invoke(self, started: StartedExecution, cmd: Invoke) -> None:
        link = self.targets.get(cmd.target) if cmd.target else None
        if link is None:
            # An AWS API call to something outside the design: modelled as succeeding at once.
            self.rt.record(started.msg, self.id, cmd.target or cmd.resource, "task_external", cmd.state)
            self.env.schedule(0.0, self._answer, (started, cmd.token, True, None, {}))
            return
        call = Message(started.msg.core, started.msg.copy)
        call.attempt = 1
        started.tokens[cmd.token] = True
        if cmd.timeout_s:
            self.env.schedule(cmd.timeout_s, self._answer, (started, cmd.token, False, "States.Timeout", None))
        waits = cmd.integration == "wait_for_task_token"

        def answered(ok, error, output, started=started, token=cmd.token, target=link.target):
            if not ok:
                ttype = target.node.type
                if ttype == "lambda":
                    name = LAMBDA_ERROR_NAMES.get(error, error)
                elif ttype in SERVICE_PREFIX and error and "." not in error:
                    name = f"{SERVICE_PREFIX[ttype]}.{error}"
                else:
                    name = error
                self._answer((started, token, False, name or "States.TaskFailed", None))
            elif waits:
                self._await_callback(started, token, target, cmd)
            else:
                self._answer((started, token, True, None, output if output is not None else {}))
        self.rt.deliver(link, call, answered)

    def _await_callback(self, started: StartedExecution, token: int, target, cmd: Invoke) -> None:
        """The task was handed its token; the answer comes from outside (a person, another system)."""
        f = target.faults
        lost = bool(f.callback_lost_probability) and self.rt.rng.random() < f.callback_lost_probability
        delay = f.callback_delay_s if f.callback_delay_s is not None else 0.0
        if lost:
            self.rt.record(started.msg, target.id, self.id, "callback_lost", cmd.state)
        else:
            self.env.schedule(delay, self._answer, (started, token, True, None, {"approved": True}))
        if cmd.heartbeat_s and (lost or delay > cmd.heartbeat_s):
            # Nobody sends heartbeats while waiting, so the heartbeat lapses first.
            self.env.schedule(cmd.heartbeat_s, self._answer, (started, token, False, "States.HeartbeatTimeout", None))

    def _answer(self, args) -> None:
        started, token, ok, error, output = args
        if started not in self.running or started.tokens.get(token, True) is False:
            return
        started.tokens[token] = False        # answered: later answers for this token are ignored
        execution = started.execution
        if ok:
            self._apply(started, execution.task_succeeded(token, output))
        else:
            self._apply(started, execution.task_failed(token, error, ""))

    def _end(self, started: StartedExecution, result: Finished) -> None:
        self.running.discard(started)
        s = self.stats
        if result.status == "SUCCEEDED":
            s.processed += 1
            s.latency(self.env.now - started.msg.core.created)
            self.rt.record(started.msg, self.id, self.id, "execution_succeeded")
            if started.reply:
                started.reply(True, None, result.output)
        else:
            s.failed += 1
            s.reported += 1
            self.rt.record(started.msg, self.id, self.id, "execution_failed",
                           f"{result.error}: {result.cause or ''}"[:200])
            if started.reply:
                started.reply(False, result.error, None)

    def in_flight(self) -> int:
        return len(self.running)

    def settled_extra(self) -> int:
        return self.stats.deduplicated
