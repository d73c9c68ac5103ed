"""The one list of quiz topics: every catalog pattern id, plus a few named concepts.

A topic is what a learner's progress is tracked by (per-topic scores, weak topics, spaced review).
Pattern ids come from the catalog, so they never go out of date; the concepts are listed here.
"""
from __future__ import annotations

from functools import lru_cache

# Named concepts that cut across patterns. Keep this short: a concept earns a place when several
# items test it and no single pattern owns it.
CONCEPTS: dict[str, str] = {
    "choreography-vs-orchestration": "Choreography vs orchestration: coupling, errors, visibility, compensation",
    "at-least-once-delivery": "At-least-once delivery and duplicates",
    "retries-and-backoff": "Retries, backoff and where a failed event ends up",
    "ordering": "Ordering guarantees (and their absence)",
    "event-filtering": "Event patterns and filter policies",
    "concurrency-and-throttling": "Concurrency limits, throttling and timeouts",
}


@lru_cache(maxsize=1)
def pattern_titles() -> dict[str, str]:
    from patterns.catalog import load_catalog
    return {pid: p.title for pid, p in load_catalog().items()}


def all_topics() -> dict[str, str]:
    """Every topic id with its title: catalog patterns first (title order), then the concepts."""
    return {**pattern_titles(), **CONCEPTS}


def title(topic: str) -> str:
    return all_topics().get(topic, topic)
