"""Generated questions answered by seeded runs of the learner's design (see quizzes.generate).

"Event 3" is the third event the design's first workload source sends (its trace id in the run); it is
tagged `quiz_event: 3` in its payload so that an injected poison pattern fails it, and only it, at the
chosen consumer.
"""
from __future__ import annotations

from design.model import Design
from quizzes.items import Item, Option
from quizzes.predict import fmt, run_data

FUNCTIONS = ("lambda",)
# How a consumer receives events: the edge kinds whose failures the fate question is about.
CONSUMER_KINDS = ("event_source", "async", "subscription", "rule_target", "notification", "schedule_target", "sync",
                  "stream", "pipe_target")
EVENT = 3
UNTIL_S = 6 * 3600   # long enough for every retry policy to settle (Lambda's maximum event age is 6 h)
SOURCES = ("https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
           "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
           "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html")
def _workload(design: Design) -> dict | None:
    base = (design.scenario or {}).get("workload") or []
    if base:
        entry = dict(base[0])
    else:
        clients = [n.id for n in design.nodes if n.type == "client"]
        if not clients:
            return None
        entry = {"source": clients[0]}
    payloads = entry.get("payloads") or [{}]
    entry["payloads"] = [dict(payloads[i % len(payloads)], quiz_event=i + 1) for i in range(EVENT)]
    entry["count"] = EVENT
    entry["rate_per_s"] = 1
    entry.pop("start_s", None)
    return entry


def scenario_for(design: Design, inject_nodes: dict | None = None, inject_edges: dict | None = None) -> dict | None:
    entry = _workload(design)
    if entry is None:
        return None
    inject: dict = {"duplicate_probability": 0}
    if inject_nodes:
        inject["nodes"] = inject_nodes
    if inject_edges:
        inject["edges"] = inject_edges
    return {"seed": 1, "until_s": UNTIL_S, "workload": [entry], "inject": inject}


def _trace_rows(design: Design, scenario: dict) -> list[dict]:
    from simulator.run import simulate
    run = simulate(design, scenario, trace=True)
    keys = ("time", "event", "trace", "source", "target", "attempt", "outcome", "detail", "copy")
    return [dict(zip(keys, h)) for h in run.trace or [] if h[2] == EVENT and not h[8]]


def consumers_reached(design: Design) -> list[str]:
    """Functions that event 3 reaches in a clean run, through an edge kind whose failures we can explain."""
    scenario = scenario_for(design)
    if scenario is None:
        return []
    kinds = {(e.source, e.target): design.kind_of(e) for e in design.edges}
    types = {n.id: n.type for n in design.nodes}
    reached = []
    for h in _trace_rows(design, scenario):
        if (h["outcome"] == "invoked" and types.get(h["target"]) in FUNCTIONS
                and kinds.get((h["source"], h["target"])) in CONSUMER_KINDS and h["target"] not in reached):
            reached.append(h["target"])
    return reached


def fate(design: Design, consumer: str) -> dict:
    """What happens to event 3 when it fails every time at `consumer`: derived from the trace."""
    scenario = scenario_for(design, {consumer: {"poison": {"quiz_event": [EVENT]}}})
    rows = _trace_rows(design, scenario)
    attempts = [h["time"] for h in rows if h["target"] == consumer and h["outcome"] == "invoked"]
    failures = [h for h in rows if h["target"] == consumer and h["outcome"] == "failed"]
    if not failures:
        return {"where": "not_reached", "attempts": len(attempts), "times": attempts}
    after = [h for h in rows if h["time"] >= failures[0]["time"]]
    for h in after:
        if h["outcome"] == "dead_lettered":
            return {"where": "dlq", "node": h["target"], "attempts": len(attempts), "times": attempts,
                    "at": h["time"], "detail": h["detail"]}
        if h["outcome"] == "dropped":
            return {"where": "dropped", "reason": h["detail"], "attempts": len(attempts), "times": attempts,
                    "at": h["time"]}
        if h["outcome"] == "error":
            return {"where": "error", "attempts": len(attempts), "times": attempts, "at": h["time"]}
        if h["outcome"] == "answered" and str(h["detail"]).startswith("partial"):
            return {"where": "partial", "attempts": len(attempts), "times": attempts, "at": h["time"]}
    if run_data(design, scenario, scenario["seed"])["totals"]["in_flight"] == 0:
        return {"where": "not_reached", "attempts": len(attempts), "times": attempts}   # no fate we can name
    return {"where": "in_flight", "attempts": len(attempts), "times": attempts}


def _fate_text(design: Design, f: dict) -> str:
    if f["where"] == "dlq":
        return f"It is moved to {design.node(f['node']).title}"
    if f["where"] == "dropped":
        return "It is dropped: retries run out and there is nowhere to send it" if f["reason"] == "retries_exhausted" \
            else f"It is dropped ({f['reason'].replace('_', ' ')})"
    if f["where"] == "error":
        return "The error goes back to the caller; nothing retries it"
    if f["where"] == "partial":
        return "The caller gets a partial answer with an error for that part; nothing retries it"
    return "It is still waiting to be retried when the run ends"


def _fate_options(design: Design, consumer: str, f: dict) -> tuple[Option, ...]:
    """The answer plus every other fate this design could plausibly give, each explained."""
    b = design.node(consumer).title
    why_right = (f"Right. The run shows {b} invoked {f['attempts']} time(s) for event 3, at "
                 f"{', '.join(fmt(t) + ' s' for t in f['times'])}, and then: {_fate_text(design, f).lower()}.")
    candidates = {}
    dlqs = [e.target for e in design.edges if design.kind_of(e) in ("dead_letter", "on_failure")]
    for d in dict.fromkeys(dlqs):
        candidates[f"dlq-{d}"] = (f"It is moved to {design.node(d).title}",
                                  f"No: {design.node(d).title} is not where this failure is sent; it receives "
                                  "what a different queue, subscription or function gives up on.")
    candidates["dropped"] = ("It is dropped: retries run out and there is nowhere to send it",
                             "No: something in this path keeps the event (a DLQ or destination), returns the error, "
                             "or is still retrying it.")
    candidates["error"] = ("The error goes back to the caller; nothing retries it",
                           f"No: {b} is not called synchronously here, so no caller is waiting for the error; "
                           "the service that delivered the event owns the retries.")
    candidates["in_flight"] = ("It is still waiting to be retried when the run ends",
                               "No: the retries end within the run (six simulated hours), so the event reaches a "
                               "final state.")
    candidates["processed"] = ("It succeeds on a retry",
                               "No: a poison message fails every time; retrying cannot fix it, which is why "
                               "retries must be bounded and failures parked.")
    key = f"dlq-{f['node']}" if f["where"] == "dlq" else f["where"]
    correct = Option(key, _fate_text(design, f), why_right, True)
    others = [Option(k, text, why) for k, (text, why) in candidates.items() if k != key]
    return (correct, *others[:4])


def fate_items(design: Design, consumer: str) -> list[Item]:
    f = fate(design, consumer)
    if f["where"] == "not_reached":
        return []
    b = design.node(consumer).title
    stem = (f"In your design “{design.name}”, suppose {b} fails every time it handles event 3 (a poison message; "
            "the other events succeed). Where does event 3 end up?")
    base = dict(type="single", difficulty="intermediate", topics=("retries-and-backoff", "dead-letter-queue-redrive"),
                design=design, bank="generated", sources=SOURCES, facts={"consumer": consumer, **f})
    from quizzes.generate import _gid
    where = Item(id=_gid(design, "fate", consumer), stem=stem, options=_fate_options(design, consumer, f),
                 answer=(_fate_options(design, consumer, f)[0].id,),
                 explanation="Derived from a seeded simulator run of your design with that failure injected.",
                 **base)
    n = f["attempts"]
    choices = [(n, f"Right: the run shows {n} invocation(s) of {b} for event 3 before it stopped being retried."),
               (1, "No: that would mean no retries at all, which only holds for a synchronous call."),
               (n + 1, "No: one attempt too many; the retry limit counts the first attempt as well."),
               (2 * n, "No: nothing doubles the attempts; each failed attempt counts once."),
               (n + 2, "No: more attempts than the retry settings on this path allow.")]
    opts = _distinct_options(choices, n)
    count = Item(id=_gid(design, "attempts", consumer), stem=stem.replace("Where does event 3 end up?",
                 f"How many times is {b} invoked for event 3 in all?"), options=opts, answer=(f"n{n}",),
                 explanation="Counted from the run's trace.", **base)
    return [where, count]


def duplicate_item(design: Design, consumer: str) -> Item | None:
    """Every delivery into `consumer` is duplicated: how many side effects does it perform for 3 events?"""
    edges = {e.key: {"duplicate_probability": 1.0} for e in design.in_edges(consumer)}
    scenario = scenario_for(design, inject_edges=edges)
    if scenario is None:
        return None
    stats = run_data(design, scenario, 1)["nodes"][consumer]
    effects = stats["processed"] - stats["deduplicated"]
    distinct = effects - stats["duplicate_side_effects"]
    if distinct <= 0:
        return None
    b = design.node(consumer).title
    idem = bool(design.node(consumer).prop("idempotent"))
    choices = [(effects, f"Right: the run shows {b} performing {effects} side effect(s) for {distinct} distinct "
                         "event(s)" + (" — it is idempotent, so the copies are recognised and skipped." if idem else
                                       " — it is not idempotent, so every copy repeats the side effect.")),
               (distinct, "No: that would need an idempotent consumer (or FIFO deduplication before it); "
                          f"{b} is not idempotent here, so each copy acts again."),
               (2 * distinct, "No: only a consumer that is not idempotent repeats the side effect, and this one is "
                              "idempotent: the copies are delivered but change nothing."),
               (0, "No: duplicates are extra deliveries; the events themselves are still processed."),
               (3 * distinct, "No: each delivery into it is duplicated once, not twice.")]
    opts = _distinct_options(choices, effects)
    from quizzes.generate import _gid
    return Item(id=_gid(design, "dups", consumer), type="single",
                topics=("idempotent-consumer", "at-least-once-delivery"), difficulty="beginner",
                stem=(f"Three events go through your design “{design.name}”, and every delivery into {b} is "
                      f"duplicated. How many times does {b} perform its side effect?"),
                options=opts, answer=(f"n{effects}",), design=design, bank="generated", sources=SOURCES[:1] + (
                    "https://docs.aws.amazon.com/wellarchitected/latest/framework/rel04-bp04.html",),
                explanation="Derived from a seeded simulator run of your design (side effects = processed − "
                            "recognised duplicates).", facts={"consumer": consumer, "side_effects": effects,
                                                              "distinct": distinct, "idempotent": idem})


def _distinct_options(choices: list[tuple[int, str]], right: int, limit: int = 4) -> tuple[Option, ...]:
    """Options from (value, explanation) pairs: the first explanation per value wins; at most `limit`."""
    seen: dict[int, str] = {}
    for value, why in choices:
        if value >= 0 and value not in seen and len(seen) < limit:
            seen[value] = why
    return tuple(Option(f"n{v}", str(v), why, v == right) for v, why in sorted(seen.items()))
