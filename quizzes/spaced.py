"""Spaced review of missed concepts: Leitner boxes with intervals of 1, 3, 7 and 14 days.

Rules (time is passed in; nothing here reads the clock):
- A concept (an item's topic) enters the schedule the first time an item on it is missed (score < 1):
  box 1, due in 1 day.
- Any later miss puts it back in box 1, due in 1 day.
- A fully correct answer given when the concept is due moves it up one box (due in 3, 7, then 14 days);
  a correct answer in box 4 retires it from the schedule (learned). Correct answers before the due date
  change nothing, so cramming cannot skip the spacing.
- Concepts never missed are never scheduled.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

BOX_DAYS = (1, 3, 7, 14)


@dataclass(frozen=True)
class ReviewState:
    concept: str
    box: int            # 1..len(BOX_DAYS)
    due_at: datetime

    def is_due(self, now: datetime) -> bool:
        return now >= self.due_at


def after_answer(state: ReviewState | None, concept: str, score: float, now: datetime) -> ReviewState | None:
    """The concept's new state after one graded answer (None: not on the schedule)."""
    if score < 1 - 1e-9:
        return ReviewState(concept, 1, now + timedelta(days=BOX_DAYS[0]))
    if state is None or not state.is_due(now):
        return state
    if state.box >= len(BOX_DAYS):
        return None
    return ReviewState(concept, state.box + 1, now + timedelta(days=BOX_DAYS[state.box]))


def apply(states: dict[str, ReviewState], topics, score: float, now: datetime) -> dict[str, ReviewState | None]:
    """The changed states for every topic of one answered item (None = remove from the schedule)."""
    changes = {}
    for topic in topics:
        new = after_answer(states.get(topic), topic, score, now)
        if new != states.get(topic):
            changes[topic] = new
    return changes


def due(states, now: datetime) -> list[ReviewState]:
    """Concepts due now, most overdue first."""
    return sorted((s for s in states if s.is_due(now)), key=lambda s: (s.due_at, s.concept))
