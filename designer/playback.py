"""Playback frames: a run's trace turned into what the canvas animates, and the state at any moment.

Each trace row becomes one compact hop `[t, edge, src, dst, kind, attempt, copy, event]` (indices into the
design's edges and nodes, -1 when the hop follows no drawn edge) plus one line of narration in plain words
(`simulator.narrate.describe`). What the browser makes of the hops (badge counters, lasting marks, moving
tokens) is frontend/src/playback.js alone; frontend/test/fixtures/playback.json holds cases worked out by hand
that this builder (tests/test_playback.py) and those rules (frontend/test/playback.test.mjs) both must meet.

Kinds: what the viewer sees.
- move   a token travels along the edge (sent, queued, invoked, published, written, started, ...)
- dlq    a square token labelled DLQ travels to the dead-letter queue
- answer a token travels back to the caller (a synchronous answer)
- ok     processed: a tick at the node
- fail   failed (outage, injected failure, timeout): a cross at the node, which stays marked
- retry  visible again in its queue for another attempt
- throttle throttled or refused (429, circuit open)
- drop   dropped (lost, with a reason)
- filter filtered out by a rule or a filter policy (not lost: nobody asked for it)
- dedup  recognised as a repeat (idempotency, conditional write)
- info   anything else (an API called outside the design; the second record of one journey)
"""
from __future__ import annotations

from design.edge_kinds import FAILURE_PATH_KINDS
from design.model import Design
from simulator.narrate import describe
from simulator.outcomes import OUTCOMES, PLAYBACK_KINDS, Hop

KINDS = PLAYBACK_KINDS
K = {name: i for i, name in enumerate(KINDS)}
OUTCOME_KIND = {name: o.kind for name, o in OUTCOMES.items()}
# At the end of a fully played run the badges show the run's own counters (the results table's numbers, in
# the same words), so the canvas and the table never disagree: chip → run counter.
FINAL_COUNTERS = {"in": "received", "ok": "processed", "fail": "failed", "retry": "retried",
                  "dup": "duplicates_delivered", "dlq": "dead_lettered", "drop": "dropped", "throttle": "throttled",
                  "filter": "filtered", "dedup": "deduplicated", "parked": "parked", "flight": "in_flight"}
DEFAULT_LIMIT = 2000
MAX_LIMIT = 10_000


def kind_of(outcome: str) -> str:
    return OUTCOME_KIND.get(outcome, "info")


def build(run, design: Design, limit: int = DEFAULT_LIMIT) -> dict:
    """The playback payload for the canvas: at most `limit` hops (the first ones), with narration."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    trace = run.trace or []
    index = {n.id: i for i, n in enumerate(design.nodes)}
    titles = {n.id: n.title for n in design.nodes}
    by_pair: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for i, edge in enumerate(design.edges):
        by_pair.setdefault((edge.source, edge.target), []).append((i, design.kind_of(edge) or ""))
    hops, lines = [], []
    last_travel = None
    for row in trace[:limit]:
        hop = Hop(*row)
        t, src, dst, copy = hop.time, hop.source, hop.target, hop.duplicate_copy
        kind = kind_of(hop.outcome)
        if kind in ("move", "dlq"):
            # One journey, two records (a client's "sent" and the queue's "enqueued"; "dead_lettered" and
            # the DLQ's "enqueued"): one token. The second record stays in the narration.
            key = (t, hop.event_id, src, dst, copy)
            if key == last_travel:
                kind = "info"
            last_travel = key
        edge = _edge_for(by_pair, src, dst, kind)
        hops.append([t, edge, index.get(src, -1), index.get(dst, -1), K[kind], int(hop.attempt or 0), 1 if copy else 0,
                     int(hop.event_id)])
        lines.append(describe(hop, titles))
    shown, total = len(hops), len(trace)
    note = ""
    if total > shown:
        note = (f"The canvas plays the first {shown:,} of {total:,} recorded hops; the metrics and charts cover the "
                "whole run.")
    if run.trace_truncated:
        note = (note + " " if note else "") + "The simulator recorded only the first 200,000 hops of this long run."
    end = hops[-1][0] if hops else 0.0
    final = None
    if total == shown and not run.trace_truncated:
        final = [{chip: run.nodes[n.id][name] for chip, name in FINAL_COUNTERS.items()} for n in design.nodes]
    return {"kinds": list(KINDS), "hops": hops, "narration": lines, "end": end, "until": run.until_s,
            "total": total, "shown": shown, "note": note, "seed": run.seed, "final": final}


def _edge_for(by_pair, src: str, dst: str, kind: str) -> int:
    candidates = by_pair.get((src, dst), [])   # an answer travels this edge backwards
    if not candidates:
        return -1
    if kind == "dlq":
        for i, k in candidates:
            if k in FAILURE_PATH_KINDS:
                return i
    for i, k in candidates:
        if k not in ("dead_letter", "on_failure", "metric", "notify", "compensate"):
            return i
    return candidates[0][0]
