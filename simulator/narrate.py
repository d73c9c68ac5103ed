"""Plain-words narration of a run's trace, for learners and for the classroom presenter view."""
from __future__ import annotations

OUTCOME_WORDS = {
    "sent": "sent to", "enqueued": "queued in", "invoked": "delivered to", "processed": "processed by",
    "deduplicated": "recognised as a repeat by", "failed": "failed in", "throttled": "throttled (429) by",
    "visible_again": "visible again in", "dead_lettered": "moved to the dead-letter queue", "dropped": "dropped",
    "rejected": "refused by", "fanned_out": "fanned out by", "routed": "routed by", "filtered": "filtered out by",
    "replayed": "replayed by", "fired": "fired by", "stored": "stored in", "written": "written to",
    "condition_failed": "refused as already written by", "answered": "answered by", "error": "answered with an error by",
    "execution_started": "started an execution of", "execution_succeeded": "finished successfully in",
    "execution_failed": "ended in failure in", "short_circuited": "short-circuited (circuit open) before",
    "callback_lost": "lost its callback in", "redriven": "redriven from the dead-letter queue to", "task_external": "called an AWS API outside the design from",
    "scheduled": "scheduled by", "deleted": "deleted from", "reordered": "overtaken in the queue",
    "returned_unprocessed": "handed back unprocessed by",
}


def describe(hop: tuple, titles: dict[str, str] | None = None) -> str:
    """One trace row in words: time, which event (and whether a duplicate copy), what happened where."""
    time, event_id, _trace, source, target, attempt, outcome, detail, copy = hop
    titles = titles or {}
    where = titles.get(target, target)
    who = f"event {event_id}" + (" (duplicate copy)" if copy else "")
    verb = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    if outcome == "dead_lettered":
        text = f"{who} {verb} {where} from {titles.get(source, source)}"
    elif outcome == "dropped":
        text = f"{who} {verb} at {where}"
    else:
        text = f"{who} {verb} {where}"
    if attempt and attempt > 1:
        text += f", attempt {attempt}"
    if detail and outcome not in ("invoked",):
        text += f": {detail}"
    return f"t = {time:,.3f} s · {text}"


def narrate(trace: list, titles: dict[str, str] | None = None, limit: int | None = None) -> list[str]:
    rows = trace if limit is None else trace[:limit]
    return [describe(h, titles) for h in rows]
