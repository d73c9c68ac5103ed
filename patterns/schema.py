"""The schema every catalog file must meet (no unknown keys), and the fixed vocabularies it uses."""
from __future__ import annotations

LEVELS = ("beginner", "intermediate", "advanced")
KINDS = ("pattern", "anti-pattern")
# "Problem solved" filter on the catalog page: one list, here.
PROBLEMS = {
    "decoupling": "Decouple producers from consumers",
    "fan-out": "Deliver one event to many consumers",
    "routing": "Route events by their content",
    "reliability": "Survive failures without losing work",
    "duplicates": "Handle duplicate deliveries safely",
    "ordering": "Keep events in order",
    "coordination": "Coordinate a multi-step business process",
    "consistency": "Keep data consistent across services",
    "long-running": "Run work that takes long or waits for people",
    "backpressure": "Absorb bursts and protect downstream systems",
    "migration": "Migrate away from a legacy system",
    "ingestion": "Ingest and transform data streams",
    "scheduling": "Run work on a schedule",
    "integration": "Connect services without glue code",
    "governance": "Control who may publish or consume what",
    "recovery": "Recover and replay lost or failed events",
    "aggregation": "Aggregate several sources behind one API",
}

_TEXT = {"type": "string", "minLength": 1}
_TEXT_LIST = {"type": "array", "minItems": 1, "items": _TEXT}
_ID = {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}

PATTERN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "kind", "level", "problems", "summary", "how_it_works", "when_to_use",
                 "when_not_to_use", "trade_offs", "failure_behaviour", "related", "sources", "design",
                 "demonstrates"],
    "properties": {
        "id": _ID,
        "title": _TEXT,
        "kind": {"enum": list(KINDS)},
        "level": {"enum": list(LEVELS)},
        "problems": {"type": "array", "minItems": 1, "items": {"enum": list(PROBLEMS)}},
        "summary": _TEXT,
        "how_it_works": _TEXT,
        "when_to_use": _TEXT_LIST,
        "when_not_to_use": _TEXT_LIST,
        "trade_offs": _TEXT_LIST,
        "failure_behaviour": _TEXT,
        "related": {"type": "array", "items": _ID},
        "sources": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["title", "url"],
            "properties": {"title": _TEXT, "url": {"type": "string", "pattern": "^https://"}}}},
        # A design fragment: validated in full by the design loader, not here.
        "design": {"type": "object"},
        "demonstrates": _TEXT,          # what the default scenario shows, in one or two sentences
        "compare_with": _ID,            # a pattern whose default run makes the contrast (e.g. sync vs storage-first)
        "anti_pattern_of": _ID,         # for anti-patterns: the pattern that fixes it
    },
}

COMPARISON_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "summary", "left", "right", "dimensions", "choose_left_when", "choose_right_when",
                 "sources"],
    "properties": {
        "id": _ID, "title": _TEXT, "summary": _TEXT,
        "left": _ID, "right": _ID,             # pattern ids being compared
        "dimensions": {"type": "array", "minItems": 3, "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "left", "right"],
            "properties": {"name": _TEXT, "left": _TEXT, "right": _TEXT}}},
        "choose_left_when": _TEXT_LIST, "choose_right_when": _TEXT_LIST,
        "hybrid": _TEXT,
        "sources": PATTERN_SCHEMA["properties"]["sources"],
    },
}
