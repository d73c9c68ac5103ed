"""The one table of trace outcomes: what each hop outcome is called, how playback shows it, how the sequence
diagram draws it. Narration (simulator/narrate.py), playback (designer/playback.py), the sequence diagram
(exporters/sequence.py) and the README read it from here; recording an outcome missing from this table fails
under test (tests/test_outcomes.py). Adding an outcome is fine; renaming one is a breaking change (DESIGN.md).

Playback kinds: move (a token travels), dlq (a square DLQ token), answer (back to the caller), ok, fail,
retry, throttle, drop, filter, dedup (marks at the node), info (narration only).
Sequence arrows: "call" (->>), "reply" (-->>, drawn from the target back), "fail" (--x), "async" (-)),
"note" (a note over the node).
"""
from __future__ import annotations

from typing import NamedTuple


class Hop(NamedTuple):
    """One trace row, as the runtime records it (a plain tuple in this order) and `--trace` writes it."""
    time: float
    event_id: int
    trace_id: int
    source: str
    target: str
    attempt: int
    outcome: str
    detail: str
    duplicate_copy: bool


class Outcome(NamedTuple):
    words: str        # narration: "event 3 <words> <node>"
    kind: str         # playback kind
    arrow: str        # sequence-diagram arrow


OUTCOMES: dict[str, Outcome] = {
    # travelling
    "sent": Outcome("sent to", "move", "call"),
    "enqueued": Outcome("queued in", "move", "call"),
    "invoked": Outcome("delivered to", "move", "call"),
    "routed": Outcome("routed by", "move", "call"),
    "fanned_out": Outcome("fanned out by", "move", "call"),
    "stored": Outcome("stored in", "move", "call"),
    "written": Outcome("written to", "move", "call"),
    "fired": Outcome("fired by", "move", "call"),
    "execution_started": Outcome("started an execution of", "move", "call"),
    "replayed": Outcome("replayed by", "move", "call"),
    "redriven": Outcome("redriven from the dead-letter queue to", "move", "call"),
    "dead_lettered": Outcome("moved to the dead-letter queue", "dlq", "async"),
    "answered": Outcome("answered by", "answer", "reply"),
    # where an attempt ended
    "processed": Outcome("processed by", "ok", "reply"),
    "execution_succeeded": Outcome("finished successfully in", "ok", "reply"),
    "failed": Outcome("failed in", "fail", "fail"),
    "error": Outcome("answered with an error by", "fail", "fail"),
    "execution_failed": Outcome("ended in failure in", "fail", "fail"),
    "callback_lost": Outcome("lost its callback in", "fail", "fail"),
    "visible_again": Outcome("visible again in", "retry", "note"),
    "returned_unprocessed": Outcome("handed back unprocessed by", "retry", "note"),
    "throttled": Outcome("throttled (429) by", "throttle", "fail"),
    "rejected": Outcome("refused by", "throttle", "fail"),
    "short_circuited": Outcome("short-circuited (circuit open) before", "throttle", "fail"),
    "dropped": Outcome("dropped", "drop", "fail"),
    "filtered": Outcome("filtered out by", "filter", "note"),
    "deduplicated": Outcome("recognised as a repeat by", "dedup", "note"),
    "condition_failed": Outcome("refused as already written by", "dedup", "note"),
    # narration only
    "scheduled": Outcome("scheduled by", "info", "note"),
    "reordered": Outcome("overtaken in the queue", "info", "note"),
    "ttl_deleted": Outcome("deleted by TTL from", "info", "note"),
    "task_external": Outcome("called an AWS API outside the design from", "info", "call"),
}

PLAYBACK_KINDS = ("move", "dlq", "answer", "ok", "fail", "retry", "throttle", "drop", "filter", "dedup", "info")
ARROWS = ("call", "reply", "fail", "async", "note")
assert all(o.kind in PLAYBACK_KINDS and o.arrow in ARROWS for o in OUTCOMES.values()), "outcome table typo"
