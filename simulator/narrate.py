"""Plain-words narration of a run's trace, for learners and for the classroom presenter view."""
from __future__ import annotations

from simulator.outcomes import OUTCOMES

OUTCOME_WORDS = {name: o.words for name, o in OUTCOMES.items()}


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
