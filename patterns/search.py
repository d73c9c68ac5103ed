"""Catalog search and filters (pure, so the page stays thin and the logic is testable)."""
from __future__ import annotations


def _haystack(pattern) -> str:
    doc = pattern.doc
    parts = [doc["title"], doc["summary"], doc["how_it_works"], doc["failure_behaviour"], doc["id"]]
    parts += doc["when_to_use"] + doc["when_not_to_use"] + doc["trade_offs"] + doc["problems"] + pattern.services
    return " ".join(parts).lower()


def filter_patterns(catalog: dict, query: str = "", services=(), levels=(), problems=(), kinds=()) -> list:
    """Patterns matching every filter; a query matches when all its words appear somewhere in the text."""
    words = [w for w in (query or "").lower().split() if w]
    out = []
    for pattern in catalog.values():
        if services and not set(services) <= set(pattern.services):
            continue
        if levels and pattern.level not in levels:
            continue
        if problems and not set(problems) & set(pattern.problems):
            continue
        if kinds and pattern.kind not in kinds:
            continue
        if words:
            text = _haystack(pattern)
            if not all(w in text for w in words):
                continue
        out.append(pattern)
    return out
