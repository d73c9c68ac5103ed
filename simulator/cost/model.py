"""What each service bills, read from a run's counters: one usage line per node and billing dimension.

Each line says what it rests on. Where the run does not record what AWS meters (a function's wall time,
invocations per batch, state transitions), the line states the assumption it makes instead. The share of a
line due to repeats (retries, duplicate copies, redeliveries) is `repeat`: the part of the quantity that
would not exist had every first attempt succeeded on a perfect network.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass

from design.adapters import Adapters
from design.registry import BY_NAME, TYPES

SQS_CHUNK = 64 * 1024          # SQS, SNS, EventBridge, Pipes: each 64 KB chunk of a payload is one request
KINESIS_CHUNK = 25 * 1024      # one PUT payload unit per 25 KB of a record
DDB_WRITE_UNIT = 1024          # one write request unit per 1 KB written
LONG_POLL_S = 20.0             # Lambda's event source mapping long-polls with WaitTimeSeconds 20
POLLERS = 5                    # pollers per queue while idle (assumption †: AWS does not publish a number)
EXPRESS_MEMORY_MB = 64         # Express duration is billed in 64 MB chunks; the smallest is assumed
NOT_PRICED = {t.name: t.not_priced for t in TYPES if t.not_priced}
# The pricer of each service type: `@pricer_for("sqs_queue")` on the function that turns its counters into usage.
PRICERS = Adapters("cost model", needed=lambda spec: spec.sam_type is not None and not spec.not_priced)
pricer_for = PRICERS.register


@dataclass
class Usage:
    """One billing dimension of one node, before prices: quantity and the part due to repeats."""
    item: str
    quantity: float
    price: str                  # price key in the price book
    assumption: str
    repeat: float = 0.0         # share of the quantity due to retries, duplicates and redeliveries (0..1)
    scales: str = "events"      # "events": grows with traffic; "time": grows with the run's length


class Context:
    def __init__(self, run, design, scenario: dict | None):
        self.run, self.design = run, design
        self.scenario = scenario or {}
        self.until_s = float(run.until_s)
        self.payload_bytes = max((len(json.dumps(p, separators=(",", ":"), default=str).encode())
                                  for w in self.scenario.get("workload") or [] for p in (w.get("payloads") or [{}])),
                                 default=2)
        self.faults = (self.scenario.get("inject") or {}).get("nodes") or {}
        self.kinds = {e.key: design.kind_of(e) for e in design.edges}

    def chunks(self, size: int) -> int:
        return max(1, math.ceil(self.payload_bytes / size))

    def chunk_text(self, size: int, what: str) -> str:
        n = self.chunks(size)
        return (f"largest payload in the scenario: {self.payload_bytes:,} bytes, so {n} {what} per message"
                if n > 1 else f"payloads under {size // 1024} KB (largest in the scenario: {self.payload_bytes:,} "
                f"bytes): 1 {what} each")

    def stats(self, nid: str) -> dict:
        return self.run.nodes.get(nid) or {}

    def share(self, nid: str) -> float:
        """Share of what reached a node that was a retry or an extra copy."""
        s = self.stats(nid)
        received = s.get("received", 0)
        return min(1.0, (s.get("retried", 0) + s.get("duplicates_delivered", 0)) / received) if received else 0.0

    def out(self, nid: str, *kinds: str) -> list:
        """(edge, kind, delivered) for the node's outgoing edges of these kinds (all when none named)."""
        found = []
        for e in self.design.edges:
            if e.source == nid and (not kinds or self.kinds[e.key] in kinds):
                found.append((e, self.kinds[e.key], (self.run.edges.get(e.key) or {}).get("delivered", 0)))
        return found

    def into(self, nid: str, kind: str) -> list:
        return [(e, (self.run.edges.get(e.key) or {}).get("delivered", 0)) for e in self.design.edges
                if e.target == nid and self.kinds[e.key] == kind]

    def fault(self, nid: str, key: str, default=0.0):
        value = (self.faults.get(nid) or {}).get(key)
        return default if value is None else value


def _ms(seconds: float) -> int:
    """Billed milliseconds: rounded up to the next whole millisecond."""
    return math.ceil(round(seconds * 1000.0, 6))


def usage_of(ctx: Context, node) -> tuple[list[Usage], list[str]]:
    """The usage lines of one node and its notes (what is not priced, and why)."""
    pricer = PRICERS.get(node.type)
    if pricer is None:
        return [], [NOT_PRICED[node.type]] if node.type in NOT_PRICED else []
    usages, notes = pricer(ctx, node)
    declared = BY_NAME[node.type].price_keys
    for usage in usages:   # a dimension the registry does not declare is a pricer bug, not a figure to show
        if usage.price not in declared:
            raise KeyError(f"cost model for {node.type!r} bills {usage.price!r}, which is not among its "
                           f"registry price_keys {declared}")
    return usages, notes


@pricer_for("lambda")
def _lambda(ctx: Context, node):
    s = ctx.stats(node.id)
    attempts = s.get("received", 0) - s.get("throttled", 0)
    duration = float(ctx.fault(node.id, "duration_s", None) if ctx.fault(node.id, "duration_s", None) is not None
                     else node.prop("duration_s"))
    latency = float(ctx.fault(node.id, "latency_s"))
    timeout = float(node.prop("timeout_s"))
    memory = int(node.prop("memory_mb"))
    ms = _ms(min(duration + latency, timeout))
    share = ctx.share(node.id)
    basis = (f"billed duration per attempt = min(duration_s {duration:g} s + injected latency {latency:g} s, "
             f"timeout_s {timeout:g} s) = {ms:,} ms (rounded up to 1 ms); the run does not record each "
             f"invocation's wall time, so time spent waiting on calls is not added")
    batch = "; one request per message attempt (the run counts messages, not invocations: batches of several " \
            "messages would be fewer requests)" if ctx.into(node.id, "event_source") else ""
    return [
        Usage("requests", attempts, "lambda.requests", f"{s.get('received', 0):,} attempts reached the function, "
              f"{s.get('throttled', 0):,} of them throttled and not billed{batch}", share),
        Usage(f"duration ({memory:,} MB)", attempts * ms / 1000.0 * memory / 1024.0, "lambda.gb_seconds",
              f"{attempts:,} billed attempts × {ms:,} ms × {memory:,} MB / 1,024; {basis}; x86 price", share),
    ], []


@pricer_for("sqs_queue")
def _queue(ctx: Context, node):
    s = ctx.stats(node.id)
    key = "sqs.fifo_requests" if node.prop("fifo") else "sqs.standard_requests"
    k = ctx.chunks(SQS_CHUNK)
    moved_in = sum(n for e, n in ctx.into(node.id, "dead_letter")
                   if ctx.design.node(e.source).type == "sqs_queue")
    sends = max(0, s.get("received", 0) - s.get("failed", 0) - moved_in)
    lines = [Usage("send requests", sends * k, key, f"{sends:,} SendMessage calls (refused puts not billed"
                   + (f"; {moved_in:,} moved in by a source queue's redrive policy are SQS's own move, not billed †"
                      if moved_in else "") + f"); {ctx.chunk_text(SQS_CHUNK, 'request')}", ctx.share(node.id))]
    consumers = [(e, n) for e, kind, n in ctx.out(node.id) if kind != "dead_letter"]
    if consumers:
        receives = sum(n for _e, n in consumers)
        repeats = sum(n * ctx.share(e.target) for e, n in consumers)
        lines.append(Usage("receive requests", receives * k, key, f"one ReceiveMessage per message per attempt "
                           f"({receives:,} message receives, redeliveries included; the poller may batch up to 10 "
                           f"per call, so this is an upper bound); {ctx.chunk_text(SQS_CHUNK, 'request')}",
                           repeats / receives if receives else 0.0))
        deleted = s.get("processed", 0)
        lines.append(Usage("delete requests", deleted, key, f"one DeleteMessage per message processed ({deleted:,}); "
                           "DeleteMessageBatch could group up to 10", min(1.0, s.get("duplicates_delivered", 0) /
                                                                            s["received"]) if s.get("received") else 0))
        empty = math.ceil(POLLERS * ctx.until_s / LONG_POLL_S)
        lines.append(Usage("empty receives (long polling)", empty, key, f"assumption: {POLLERS} pollers each make "
                           f"one {LONG_POLL_S:g}-second long poll after another for the whole run "
                           f"({ctx.until_s:g} s); the run does not record when the queue was empty, so this is an "
                           "upper bound that grows with time, not traffic", 0.0, "time"))
    return lines, []


_PROTOCOLS = {"sqs_queue": ("sns.sqs_deliveries", "SQS"), "lambda": ("sns.lambda_deliveries", "Lambda"),
              "external": ("sns.http_deliveries", "HTTP/S")}


@pricer_for("sns_topic")
def _topic(ctx: Context, node):
    s = ctx.stats(node.id)
    publishes = max(0, s.get("received", 0) - s.get("failed", 0))
    lines = [Usage("publishes", publishes * ctx.chunks(SQS_CHUNK), "sns.publishes",
                   f"{publishes:,} Publish calls (refused ones not billed); {ctx.chunk_text(SQS_CHUNK, 'request')}; "
                   "standard-topic price", ctx.share(node.id))]
    notes = []
    for e, _kind, n in ctx.out(node.id, "subscription"):
        ttype = ctx.design.node(e.target).type
        if ttype not in _PROTOCOLS:
            notes.append(f"deliveries to {e.target} ({ttype}) are not priced yet")
            continue
        key, name = _PROTOCOLS[ttype]
        lines.append(Usage(f"{name} deliveries to {e.target}", n, key, f"{n:,} delivery attempts along "
                           f"{e.key} (retries included, filtered messages not delivered)", ctx.share(e.target)))
    return lines, notes


@pricer_for("event_bus")
def _bus(ctx: Context, node):
    s = ctx.stats(node.id)
    events = max(0, s.get("received", 0) - s.get("failed", 0))
    return [Usage("custom events published", events * ctx.chunks(SQS_CHUNK), "eventbridge.custom_events",
                  f"{events:,} PutEvents entries (refused ones not billed); {ctx.chunk_text(SQS_CHUNK, 'event')}; "
                  "same-account rule deliveries are free", ctx.share(node.id))], \
        ["archive storage and replay processing are not priced"] if node.prop("archive") else []


@pricer_for("pipe")
def _pipe(ctx: Context, node):
    s = ctx.stats(node.id)
    requests = max(0, s.get("received", 0) - s.get("filtered", 0))
    return [Usage("requests", requests * ctx.chunks(SQS_CHUNK), "eventbridge.pipes_requests",
                  f"{requests:,} records that passed the filter ({s.get('filtered', 0):,} filtered out are not "
                  f"billed), one request each (a batch under 64 KB would be one request); "
                  f"{ctx.chunk_text(SQS_CHUNK, 'request')}", ctx.share(node.id))], []


@pricer_for("schedule")
def _schedule(ctx: Context, node):
    attempts = sum(n for _e, _k, n in ctx.out(node.id, "schedule_target"))
    retries = max(0, attempts - ctx.stats(node.id).get("processed", 0) * len(ctx.out(node.id, "schedule_target")))
    return [Usage("invocations", attempts, "eventbridge.scheduler_invocations", f"{attempts:,} target invocations "
                  "(retries counted as invocations †)", retries / attempts if attempts else 0.0)], []


@pricer_for("api_gateway")
def _gateway(ctx: Context, node):
    s = ctx.stats(node.id)
    kind = str(node.prop("api_kind") or "REST").upper()
    requests = s.get("received", 0) - s.get("throttled", 0)
    return [Usage(f"{kind} API requests", requests, "apigateway.http_requests" if kind == "HTTP" else
                  "apigateway.rest_requests", f"{s.get('received', 0):,} requests received, "
                  f"{s.get('throttled', 0):,} throttled (429) and assumed not billed †; error answers are billed",
                  ctx.share(node.id))], []


@pricer_for("dynamodb_table")
def _table(ctx: Context, node):
    s = ctx.stats(node.id)
    writes = max(0, s.get("received", 0) - s.get("failed", 0))
    units = math.ceil(ctx.payload_bytes / DDB_WRITE_UNIT) or 1
    return [Usage("write request units (on-demand)", writes * units, "dynamodb.write_request_units",
                  f"{writes:,} writes (refused conditional writes included: they consume units) × {units} unit(s) "
                  f"for items up to {units} KB (largest payload {ctx.payload_bytes:,} bytes); standard writes, not "
                  "transactional", ctx.share(node.id))], \
        ["read request units: the simulator models no reads of this table (stream reads by a Lambda trigger are free)"]


@pricer_for("kinesis_stream")
def _stream(ctx: Context, node):
    s = ctx.stats(node.id)
    shards = int(node.prop("shard_count"))
    puts = max(0, s.get("received", 0) - s.get("failed", 0))
    k = ctx.chunks(KINESIS_CHUNK)
    return [Usage("shard-hours (provisioned)", shards * ctx.until_s / 3600.0, "kinesis.shard_hours",
                  f"{shards} shard(s) × the run's {ctx.until_s:g} s; grows with time, not traffic", 0.0, "time"),
            Usage("PUT payload units", puts * k, "kinesis.put_payload_units",
                  f"{puts:,} records put × {k} unit(s) of 25 KB; {ctx.chunk_text(KINESIS_CHUNK, 'unit')}",
                  ctx.share(node.id))], []


@pricer_for("s3_bucket")
def _bucket(ctx: Context, node):
    s = ctx.stats(node.id)
    puts = max(0, s.get("received", 0) - s.get("failed", 0))
    return [Usage("PUT requests", puts, "s3.put_requests", f"{puts:,} PutObject calls (refused ones not billed); "
                  "S3 Standard; event notifications are free", ctx.share(node.id))], \
        ["GET requests: the simulator models no reads of this bucket"]


@pricer_for("state_machine")
def _state_machine(ctx: Context, node):
    s = ctx.stats(node.id)
    executions = max(0, s.get("received", 0) - s.get("deduplicated", 0))
    definition = node.prop("definition") if isinstance(node.prop("definition"), dict) else {}
    per_execution, tasks = path_of(definition)
    calls = {e.target: n for e, _k, n in ctx.out(node.id, "task")}
    retries = sum(max(0, calls.get(t, 0) - executions * c) for t, c in tasks.items())
    off_path = sum(n for t, n in calls.items() if t not in tasks)    # Catch branches, compensations
    if node.prop("type") == "EXPRESS":
        seconds = sum(float(ctx.design.node(t).prop("duration_s") or 0) * c for t, c in tasks.items()
                      if t in calls and ctx.design.node(t).type in ("lambda", "external"))
        billed = math.ceil(round(seconds * 10, 6)) / 10.0 or 0.1
        return [Usage("requests", executions, "stepfunctions.express_requests", f"{executions:,} executions "
                      "started (duplicate starts run again: Express is at-least-once)", ctx.share(node.id)),
                Usage(f"duration ({EXPRESS_MEMORY_MB} MB)", executions * billed * EXPRESS_MEMORY_MB / 1024.0,
                      "stepfunctions.express_gb_seconds", f"assumption: each execution lasts as long as the "
                      f"tasks on its main path take ({seconds:g} s, billed {billed:g} s in 100 ms steps) and uses "
                      f"{EXPRESS_MEMORY_MB} MB; the run does not record execution times", ctx.share(node.id))], []
    transitions = executions * per_execution + retries + off_path
    return [Usage("state transitions", transitions, "stepfunctions.standard_transitions",
                  f"estimate: {executions:,} executions × {per_execution} states on the main path (Choice: its "
                  f"Default; Map: one item) + {retries:,} task retries (task calls beyond one per execution) + "
                  f"{off_path:,} calls to tasks off the main path (Catch branches, compensations; their Pass/Fail "
                  "states are not counted); the run does not count transitions",
                  retries / transitions if transitions else 0.0)], []


def path_of(definition: dict) -> tuple[int, Counter]:
    """(states entered along the main path, task calls per target node) of an ASL definition."""
    from states_language import resolve_target
    tasks: Counter = Counter()

    def walk(block: dict) -> int:
        states = block.get("States") or {}
        name, seen, count = block.get("StartAt"), set(), 0
        while isinstance(name, str) and name in states and name not in seen:
            seen.add(name)
            state = states[name]
            count += 1
            kind = state.get("Type")
            if kind == "Task":
                _integration, target = resolve_target(str(state.get("Resource", "")),
                                                      state.get("Parameters") or state.get("Arguments"), {}, {})
                if target:
                    tasks[target] += 1
            elif kind == "Parallel":
                count += sum(walk(b) for b in state.get("Branches") or [] if isinstance(b, dict))
            elif kind == "Map":
                inner = state.get("ItemProcessor") or state.get("Iterator")
                count += walk(inner) if isinstance(inner, dict) else 0
            if kind == "Choice":
                choices = state.get("Choices") or [{}]
                name = state.get("Default") or choices[0].get("Next")
                continue
            if state.get("End") or kind in ("Succeed", "Fail"):
                break
            name = state.get("Next")
        return count

    return walk(definition), tasks


PRICERS.check()   # every AWS type is priced or says why not (the registry's not_priced)
