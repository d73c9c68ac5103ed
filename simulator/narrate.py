"""Plain-words narration of a run's trace, for learners and for the classroom presenter view."""
from __future__ import annotations

from simulator.outcomes import OUTCOMES, Hop

OUTCOME_WORDS = {name: o.words for name, o in OUTCOMES.items()}


def describe(row: tuple, titles: dict[str, str] | None = None) -> str:
    """One trace row (a Hop) in words: time, which event (and whether a duplicate copy), what happened where."""
    hop = Hop(*row)
    titles = titles or {}
    outcome = hop.outcome
    where = titles.get(hop.target, hop.target)
    who = f"event {hop.event_id}" + (" (duplicate copy)" if hop.duplicate_copy else "")
    verb = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    if outcome == "dead_lettered":
        text = f"{who} {verb} {where} from {titles.get(hop.source, hop.source)}"
    elif outcome == "dropped":
        text = f"{who} {verb} at {where}"
    else:
        text = f"{who} {verb} {where}"
    if hop.attempt and hop.attempt > 1:
        text += f", attempt {hop.attempt}"
    if hop.detail and outcome not in ("invoked",):
        text += f": {hop.detail}"
    return f"t = {hop.time:,.3f} s · {text}"


def narrate(trace: list, titles: dict[str, str] | None = None, limit: int | None = None) -> list[str]:
    rows = trace if limit is None else trace[:limit]
    return [describe(h, titles) for h in rows]
