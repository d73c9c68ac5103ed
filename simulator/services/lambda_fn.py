"""AWS Lambda: synchronous, asynchronous (internal queue, retries, destinations) and polled batches.

Numbers (reference/semantics.md §1): async retries 0–2 (default 2) after waits of 60 s then 120 s,
so attempts at about 0, 60 and 180 s; throttles and 5xx requeue with backoff from 1 s up to 5 min
until the maximum event age (default 6 h); then the on-failure destination and the DLQ (both, when
both are set: "You can configure destinations in addition to or instead of a dead-letter queue",
https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html), else a drop
with a reason. Sync calls are never retried by Lambda; a timeout is an error.

Concurrency (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html,
configuration-concurrency.html): 1,000 concurrent executions per account and Region, shared by every
function without reserved concurrency; a reservation both guarantees and caps a function's share,
and at least 100 must stay unreserved (PutFunctionConcurrency refuses a reservation that breaks it).
"""
from __future__ import annotations

from dataclasses import replace
from math import frexp
from typing import Any, Final

from design.edge_kinds import DELIVERY_KINDS_ASYNC
from simulator.messages import Message
from simulator.metrics import _SUB, ZERO_BUCKET as _ZERO_BUCKET
from simulator.runtime import NO_FAULTS
from simulator.services.base import Model, model_for
from simulator.services.breaker import Breaker

ACCOUNT_CONCURRENCY = 1000          # semantics.md §1: default per account and Region
MIN_UNRESERVED = 100                # PutFunctionConcurrency leaves at least 100 unreserved
# How a function is invoked, which says who owns the retry: the caller (sync), Lambda's internal queue (async),
# or the queue or stream that polled the batch. Named int constants (compiled code compares them natively);
# every polled mode is >= BATCH. MODE_NAMES gives the word a trace shows.
SYNC: Final = 0
ASYNC: Final = 1
BATCH: Final = 2                 # polled; a failed item throws, so the whole batch fails
BATCH_PARTIAL: Final = 3         # polled with ReportBatchItemFailures: only the failed items go back
BATCH_PARTIAL_FIFO: Final = 4    # the same from a FIFO queue: processing stops at the first failure
MODE_NAMES: Final = ("sync", "async", "batch", "batch_partial", "batch_partial_fifo")

RETRY_WAITS_S = (60.0, 120.0)       # waits before the 1st and 2nd async retry
THROTTLE_BACKOFF_MAX_S = 300.0      # "backoff from 1 s rising to 5 min" (the curve is not published: doubling †)
TIMEOUT_ERROR = "Sandbox.Timedout"
NOTHING_FAILED: tuple = ()
# A conditional write refused because the item exists: the function's code treats it as "already done".
CONDITION_FAILED = "ConditionalCheckFailedException"
THROTTLE_ERROR = "TooManyRequestsException"
# Recursive loop detection (invocation-recursion; launch post 2023-07): Lambda tracks how many times a function
# has been invoked by the same triggering event through SQS, SNS, S3 and Lambda itself; "If a function is invoked
# by the same triggering event more than 16 times, Lambda will stop the next invocation and sends the event to a
# Dead-Letter Queue or on-failure destination, if configured." Chains through other services are not tracked.
RECURSION_LIMIT = 16
RECURSION_ERROR = "RecursiveInvocationException"
RECURSION_TRACKED = frozenset({"sqs_queue", "sns_topic", "s3_bucket", "lambda"})
# The reasons Lambda gives with a 429 (botocore TooManyRequestsException.Reason).
RESERVED_LIMIT = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT = "ConcurrentInvocationLimitExceeded"
INJECTED_LIMIT = "injected throttle_concurrency"


class AccountConcurrency:
    """The account's concurrency in one Region: reservations carved out, the rest one shared pool."""
    __slots__ = ("size", "running", "reserved")

    def __init__(self, rt) -> None:
        self.reserved: dict[str, int] = {}
        total = 0
        limit = ACCOUNT_CONCURRENCY - MIN_UNRESERVED
        for model in rt.models.values():
            if not isinstance(model, LambdaModel):
                continue
            want = model.node.prop("reserved_concurrency")
            if want is None:
                continue
            want = int(want)
            if total + want > limit:
                # AWS refuses this PutFunctionConcurrency call (InvalidParameterValueException), so the
                # function keeps using unreserved concurrency. Which of several reservations is refused
                # depends on the order they are applied: the design's node order here †.
                rt.finding("SIM-RESERVED-CONCURRENCY", f"nodes[{model.id}].props.reserved_concurrency",
                           f"{model.node.title}: reserving {want} would leave {ACCOUNT_CONCURRENCY - total - want} "
                           f"of the account's {ACCOUNT_CONCURRENCY} unreserved, below the {MIN_UNRESERVED} AWS keeps "
                           f"for functions without a reservation; AWS refuses it, so this function runs on "
                           f"unreserved concurrency")
                continue
            self.reserved[model.id] = want
            total += want
        self.size = ACCOUNT_CONCURRENCY - total    # shared by every function without a reservation
        self.running = 0


class Invocation:
    """One running invocation: which messages, who to answer, whether it already ended."""
    # `working` (the messages that call dependencies: not failed, not repeats) and `pending_calls` are set by
    # `_call_dependencies` before anything reads them: an invocation without calls never pays for them.
    __slots__ = ("msgs", "done", "finished", "mode", "ctx", "pending_calls", "error", "errors", "working")
    pending_calls: list[Any]
    working: list[Any]

    def __init__(self, msgs: list[Any], done: Any, mode: int, ctx: Any) -> None:
        self.msgs = msgs
        self.done = done
        self.mode = mode
        self.ctx = ctx              # the caller's context, handed back to `done`
        self.finished = False
        self.error: Any = None
        self.errors: list[Any] | None = None          # per message: the injected fault decided when the invocation began


class LambdaModel(Model):
    def setup(self) -> None:
        p, f = self.node.prop, self.faults
        if p("error_name") and f is not NO_FAULTS and not f.error_given:
            # The node names the error its failures raise; the scenario's `error` still overrides it.
            self.faults = f = replace(f, error=str(p("error_name")))
        self.timeout = float(p("timeout_s"))
        self.duration = float(f.duration_s if f.duration_s is not None else p("duration_s")) + f.latency_s
        self.idempotent = bool(p("idempotent"))
        self.key_path = tuple(str(p("idempotency_key")).split(".")) if p("idempotency_key") else ()
        self.expiry = float(p("idempotency_expiry_s"))
        account = self.rt.lambda_account
        if account is None:
            account = self.rt.lambda_account = AccountConcurrency(self.rt)
        reserved = account.reserved.get(self.id)
        self.reserved: int | None = reserved
        if reserved is None:
            self.cap = ACCOUNT_CONCURRENCY
            self.pool: AccountConcurrency | None = account   # shares the unreserved pool with the other functions
            self.limit_reason = ACCOUNT_LIMIT
        else:
            self.cap = reserved
            self.pool = None                     # its own reservation: no other function competes
            self.limit_reason = RESERVED_LIMIT
        if f.throttle_concurrency is not None and f.throttle_concurrency < self.cap:
            self.cap = f.throttle_concurrency    # an injected cap (scenario), not an AWS setting
            self.limit_reason = INJECTED_LIMIT
        self.max_retries = int(p("max_retry_attempts"))
        self.max_age = float(p("max_event_age_s"))
        self.emits = p("emits")
        self.crash_p = f.crash_after_side_effect_probability
        self.calls = self.links("sync")
        self.async_calls = self.links("async")
        self.publishes = self.links("publish")
        self.on_failure = self.link("on_failure")
        self.on_success = self.link("on_success")
        self.dlq = self.link("dead_letter")
        self.breaker = Breaker(p("breaker_failure_threshold"), p("breaker_open_s")) if p("circuit_breaker") else None
        # No crash injection and nothing published after success: `_finish` may take its short path.
        self.plain = not (self.crash_p or self.publishes or self.async_calls or self.emits)
        self.simple_timing = not self.calls and self.duration <= self.timeout   # one event: the finish
        self._finish_cb = self._finish            # bound once, not per invocation
        # When the only injected fault is a failure probability, `invoke` draws it inline (see there).
        self.fault_p = f.failure_probability if (f is not NO_FAULTS and not f.outages and f.poison is None) else None
        self.running = 0
        self.active_msgs = 0               # messages in running invocations (in flight at the end)
        self.waiting: set = set()          # async events waiting for a retry
        self.own_retries = 0
        if self.duration > self.timeout:
            self.rt.finding("SIM-TIMEOUT", f"nodes[{self.id}]", f"{self.node.title} works {self.duration:g} s "
                            f"but times out after {self.timeout:g} s: every invocation fails")

    # entry points ----------------------------------------------------------------------
    def receive(self, link, msg: Message, reply) -> None:
        if msg.copy:
            self.stats.duplicates_delivered += 1
        if link.kind in DELIVERY_KINDS_ASYNC:
            if reply:
                reply(True, None, None)       # 202: accepted into the internal queue
            msg.born = self.env.now
            msg.attempt = 0
            msg.async_errors = 0
            msg.async_throttles = 0
            self._async_attempt(msg)
        else:
            msg.attempt = 1
            self.invoke([msg], self._sync_done, SYNC, link, reply)

    def invoke(self, msgs: list, done, mode: int, link=None, ctx=None) -> None:
        """Run one invocation over `msgs` (a batch for polled sources). `done(ctx, failed_msgs, error, output)`
        is called at the end; failed_msgs lists the messages that failed (all of them on an error)."""
        s = self.stats
        n = len(msgs)
        s.received += n
        polled = mode >= BATCH
        looping = False
        for m in msgs:
            if m.attempt > 1:
                s.retried += 1
            elif m.copy and polled:
                s.duplicates_delivered += 1      # an extra copy reaching this node from its queue/stream
            if m.core.lineage >= RECURSION_LIMIT:
                looping = True
        if looping:
            self._stop_recursion(msgs, done, mode, ctx)
            return
        pool = self.pool
        if self.running >= self.cap or (pool is not None and pool.running >= pool.size):
            s.failed += n
            s.throttled += n
            self._settle_failures(msgs, mode)
            if self.rt.trace is not None:
                reason = self.limit_reason if self.running >= self.cap else ACCOUNT_LIMIT
                self._trace_all(msgs, "throttled", f"{THROTTLE_ERROR} ({reason})")
            done(ctx, msgs, THROTTLE_ERROR, None)
            return
        self.running += 1
        if pool is not None:
            pool.running += 1
        if self.rt.trace is not None:
            self._trace_all(msgs, "invoked", MODE_NAMES[mode])
        inv = Invocation(msgs, done, mode, ctx)
        p = self.fault_p
        if p is not None:
            # Only a failure probability is injected: the same draw per message as `fault_error`, in the same
            # order. `errors` stays None when every message passed (what _finish reads as "no fault").
            rng = self.rt.rng
            if n == 1:
                if p and rng.random() < p:
                    inv.errors = [self.faults.error]
            elif p:
                error = self.faults.error
                errors = [error if rng.random() < p else None for _m in msgs]
                if error in errors:
                    inv.errors = errors
        elif self.faults is not NO_FAULTS:
            # Faults are decided as the invocation reaches the function (an outage fails what arrives then).
            inv.errors = [self.fault_error(m) for m in msgs]
        self.active_msgs += n
        env = self.env
        if self.simple_timing:
            env.schedule(self.duration, self._finish_cb, inv)
        elif self.duration > self.timeout:
            env.schedule(self.timeout, self._timed_out, inv)
        else:
            env.schedule(self.timeout, self._timed_out, inv)
            env.schedule(self.duration, self._call_dependencies, inv)

    # the work --------------------------------------------------------------------------
    def _call_dependencies(self, inv: Invocation) -> None:
        if inv.finished:
            return
        working = [m for i, m in enumerate(inv.msgs) if not self._skips_work(inv, i, m)]
        if not working:
            self._finish(inv)          # failed or a recognised repeat: the handler never calls out
            return
        inv.pending_calls = list(self.calls)
        inv.working = working
        self._next_call(inv)

    def _skips_work(self, inv: Invocation, i: int, m: Message) -> bool:
        if inv.errors is not None and inv.errors[i]:
            return True
        # Powertools checks the idempotency record before the handler runs.
        return self.idempotent and bool(m.core.done & self.bit) and (
            m.core.done_at is None or self.env.now - m.core.done_at.get(self.index, 0) <= self.expiry)

    def _next_call(self, inv: Invocation) -> None:
        if inv.finished:
            return
        if not inv.pending_calls:
            self._finish(inv)
            return
        link = inv.pending_calls.pop(0)
        breaker = self.breaker
        if breaker is not None and not breaker.allow(self.env.now):
            self.rt.record(inv.msgs[0], self.id, link.target.id, "short_circuited", "circuit open")
            inv.error = "CircuitOpen"
            self._finish(inv)
            return

        def answered(ok, error, output, inv=inv):
            if breaker is not None:
                breaker.result(ok, self.env.now)
            if inv.finished:
                return
            if not ok:
                inv.error = error or "DependencyFailed"
                self._finish(inv)
            else:
                self._next_call(inv)
        working = inv.working
        for m in working:
            call = m.fresh()
            call.attempt = 1
            self.rt.deliver(link, call, answered if m is working[0] else None)

    def _timed_out(self, inv: Invocation) -> None:
        if inv.finished:
            return
        inv.error = TIMEOUT_ERROR
        self.stats.timed_out += len(inv.msgs)
        self._finish(inv)

    def _finish(self, inv: Invocation) -> None:
        if inv.finished:
            return
        inv.finished = True
        self.running -= 1
        if self.pool is not None:
            self.pool.running -= 1
        msgs = inv.msgs
        self.active_msgs -= len(msgs)
        s, rt = self.stats, self.rt
        if self.plain and inv.error is None and inv.errors is None:
            # The common case, kept short: no message failed and nothing is published afterwards, so every
            # message does its side effect and succeeds (the general loop below would reach the same counts).
            now = self.env.now
            bit = self.bit
            idempotent = self.idempotent
            hist = s.latency_hist
            trace = rt.trace is not None
            for m in msgs:
                core = m.core
                if idempotent:
                    did = self.side_effect(m, True, self.expiry)
                else:
                    did = True
                    if core.done & bit:
                        s.duplicate_side_effects += 1
                    core.done |= bit
                s.processed += 1
                # NodeStats.latency, inlined (the same bucket): this line runs once per processed message.
                seconds = now - core.created
                if seconds > 1e-6:
                    mantissa, exponent = frexp(seconds)
                    key = exponent * _SUB + int(mantissa * 2 * _SUB) - _SUB
                else:
                    key = _ZERO_BUCKET
                hist[key] = hist.get(key, 0) + 1
                if trace:
                    rt.record(m, m.hop_from, self.id, "processed" if did else "deduplicated")
            inv.done(inv.ctx, NOTHING_FAILED, None, msgs[0].core.body)
            return
        failed: list = []
        succeeded: list = []
        error = inv.error
        whole = False            # the invocation as a whole failed: no item counts as done
        errors = inv.errors
        stopped: list = []       # FIFO partial batch: returned unprocessed after the first failure
        fifo = inv.mode == BATCH_PARTIAL_FIFO
        for i, m in enumerate(inv.msgs):
            if stopped or (fifo and failed):
                # services-sqs-errorhandling: on a FIFO queue the function stops at the first failure and
                # returns it and every message after it in batchItemFailures, unprocessed.
                stopped.append(m)
                continue
            err = error if error is not None else (errors[i] if errors is not None else None)
            if err:
                m.error = err
                failed.append(m)
                if inv.mode < BATCH_PARTIAL:
                    # The function throws: items after this one never run; those before it already
                    # performed their side effect, and will again when the batch comes back.
                    error, whole = err, True
                continue
            did = self.side_effect(m, self.idempotent, self.expiry)
            if self.crash_p and rt.rng.random() < self.crash_p:
                error, whole = error or "Runtime.ExitError", True   # crashed after the side effect
                m.error = error
                failed.append(m)
                continue
            if did and (err := self._publish(m)) and err != CONDITION_FAILED:
                m.error = err
                failed.append(m)
                if inv.mode < BATCH_PARTIAL:
                    error, whole = err, True
                continue
            succeeded.append((m, did))
        if whole:
            for m, _did in succeeded:
                m.error = error
            failed = list(inv.msgs)
            succeeded = []
            stopped = []          # the whole invocation failed: every message is a failed attempt
        for m, did in succeeded:
            s.processed += 1
            s.latency(self.env.now - m.core.created)
            rt.record(m, m.hop_from, self.id, "processed" if did else "deduplicated")
        if failed:
            s.failed += len(failed)
            self._settle_failures(failed, inv.mode)
            for m in failed:
                rt.record(m, m.hop_from, self.id, "failed", m.error or error or "")
        if stopped:
            s.returned += len(stopped)          # never ran: not a failed attempt, handed back to the queue
            for m in stopped:
                m.error = None
                rt.record(m, m.hop_from, self.id, "returned_unprocessed", "after an earlier failure in its FIFO batch")
            failed = failed + stopped
        output = None
        if not failed:
            output = inv.msgs[0].core.body
            if self.emits and isinstance(output, dict):
                output = {**output, **self.emits}
        inv.done(inv.ctx, failed, error if failed else None, output)

    def _publish(self, m: Message) -> str | None:
        if not (self.publishes or self.async_calls):
            return None
        body = m.core.body
        if self.emits:
            body = dict(body) if isinstance(body, dict) else {"input": body}
            body.update(self.emits)
        for link in self.publishes + self.async_calls:
            out = self.rt.derive(m, body)
            if link.target.node.type in RECURSION_TRACKED:
                out.core.lineage = m.core.lineage + 1    # the SDK carries the lineage header on; others drop it
            result = []
            self.rt.deliver(link, out, lambda ok, err, o: result.append(err if not ok else None))
            if result and result[0]:
                return result[0]
        return None

    def _stop_recursion(self, msgs: list, done, mode: int, ctx) -> None:
        """The invocation never runs: a RecursiveInvocationException to the caller (a poller returns the batch)."""
        s = self.stats
        s.failed += len(msgs)
        self._settle_failures(msgs, mode)
        self._trace_all(msgs, "failed", f"{RECURSION_ERROR}: invoked {RECURSION_LIMIT} times by one chain of events")
        self.rt.finding("SIM-RECURSIVE-LOOP", f"nodes[{self.id}]", f"{self.node.title} is in a recursive loop: "
                        f"Lambda stopped it after {RECURSION_LIMIT} invocations by the same chain of events")
        done(ctx, msgs, RECURSION_ERROR, None)

    def _settle_failures(self, msgs: list, mode: int) -> None:
        if mode == SYNC:
            self.stats.reported += len(msgs)
        elif mode != ASYNC:
            self.stats.returned += len(msgs)   # back to the queue or stream, which owns the retry

    def _trace_all(self, msgs, outcome, detail) -> None:
        if self.rt.trace is not None:
            for m in msgs:
                self.rt.record(m, m.hop_from, self.id, outcome, detail)

    def _sync_done(self, reply, failed, error, output) -> None:
        if reply:
            reply(not failed, error, output)

    # asynchronous invocation -------------------------------------------------------------
    def _async_attempt(self, msg: Message) -> None:
        msg.attempt += 1
        self.invoke([msg], self._async_done, ASYNC, None, msg)

    def _async_done(self, msg: Message, failed, error, _output=None) -> None:
        now = self.env.now
        if not failed:
            if self.on_success is not None:
                self._to_destination(self.on_success, msg, None, count=False)
            return
        if error == RECURSION_ERROR:
            self._give_up(msg, error, "recursive_loop")    # no retries: straight to the DLQ or destination
            return
        if error == THROTTLE_ERROR:
            if self.reserved == 0:
                # "When you set reserved concurrency to zero for an asynchronously invoked function, Lambda
                # begins sending new events to the configured dead-letter queue or the on-failure event
                # destination, without any retries." (invocation-async-retain-records)
                self._give_up(msg, error, "reserved_concurrency_zero")
                return
            throttles = msg.async_throttles = msg.async_throttles + 1
            # "increases exponentially from 1 second after the first attempt to a maximum of 5 minutes":
            # the base of the exponent is not published; doubling †.
            wait = min(THROTTLE_BACKOFF_MAX_S, 2.0 ** (throttles - 1))
        else:
            errors = msg.async_errors = msg.async_errors + 1
            if errors > self.max_retries:
                self._give_up(msg, error, "retries_exhausted")
                return
            wait = RETRY_WAITS_S[min(errors, len(RETRY_WAITS_S)) - 1]
        self.waiting.add(msg)
        expires = msg.born + self.max_age
        if now + wait > expires:
            # The event would be older than the maximum age before its next attempt: it waits in the
            # queue and is discarded when it reaches that age (AWS does not say at which instant †).
            self.env.schedule(max(0.0, expires - now), self._expire, (msg, error))
            return
        self.env.schedule(wait, self._retry, msg)

    def _expire(self, args) -> None:
        msg, error = args
        self.waiting.discard(msg)
        self._give_up(msg, error, "max_event_age")

    def _retry(self, msg: Message) -> None:
        self.waiting.discard(msg)
        self.own_retries += 1
        self._async_attempt(msg)

    def _give_up(self, msg: Message, error, reason: str) -> None:
        """Discarded: "A dead-letter queue acts the same as an on-failure destination in that it is used when
        an event fails all processing attempts or expires without being processed" (invocation-async-retain-
        records), and destinations can be configured "in addition to" a DLQ: with both, both receive it
        (the destination an invocation record, the DLQ the event). Counted once as dead-lettered."""
        if self.on_failure is None and self.dlq is None:
            self.stats.drop(reason)
            self.rt.record(msg, msg.hop_from, self.id, "dropped", reason)
            return
        self.stats.dead_lettered += 1
        if self.on_failure is not None:
            self._to_destination(self.on_failure, msg, error, count=False, reason=reason)
        if self.dlq is not None:
            self.rt.record(msg, self.id, self.dlq.target.id, "dead_lettered", reason)
            self.rt.deliver(self.dlq, msg.fresh())

    def _to_destination(self, link, msg: Message, error, count: bool = True, reason: str = "") -> None:
        condition = "Success" if not error else ("EventAgeExceeded" if reason == "max_event_age" else
                                                 "RetriesExhausted")
        record = {"requestPayload": msg.core.body, "responseContext": {"functionError": error},
                  "requestContext": {"condition": condition, "approximateInvokeCount": msg.attempt}}
        if error:
            self.rt.record(msg, self.id, link.target.id, "dead_lettered", f"on-failure destination ({reason})")
        if count:
            self.stats.dead_lettered += 1
        self.rt.deliver(link, self.rt.derive(msg, record))

    # end of run ------------------------------------------------------------------------
    def in_flight(self) -> int:
        return self.active_msgs + len(self.waiting)

    def resolved_by_retry(self) -> int:
        return self.own_retries


# Registered here rather than with `@model_for` on the class: mypyc compiles a class with a decorator as a
# plain Python class (no native attributes), and this module is compiled (simulator/_compiled.py).
model_for("lambda")(LambdaModel)
