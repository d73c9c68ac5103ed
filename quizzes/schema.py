"""The bank file format: the item types (one list, here) and the JSON schema every bank file must meet.

A bank file is YAML: `{bank, title, items: [...]}`. No unknown keys anywhere. What JSON schema
cannot say (answers naming real options, topics that exist, designs that load, predicted answers the
simulator can compute) is checked by `quizzes.bank`.
"""
from __future__ import annotations

from patterns.schema import LEVELS

# The one list of item types. `answer`: how a learner answers and how it is graded (see quizzes.grading).
ITEM_TYPES: dict[str, dict] = {
    "single": {"title": "Single choice", "answer": "one"},
    "multiple": {"title": "Multiple choice (choose every correct option)", "answer": "many"},
    "true_false": {"title": "True or false", "answer": "one"},
    "classify": {"title": "Classify the scenario: choreography or orchestration, and why", "answer": "classify"},
    "pick_pattern": {"title": "Pick the pattern for the requirement", "answer": "one"},
    "order": {"title": "Put the steps in order", "answer": "order"},
    "spot_antipattern": {"title": "Spot the anti-pattern in the diagram", "answer": "one"},
    "predict": {"title": "Predict the outcome of a seeded run", "answer": "one"},
}
CLASSIFY_LABELS: dict[str, str] = {"choreography": "Choreography", "orchestration": "Orchestration"}
TRUE_FALSE = {"true": "True", "false": "False"}
DIFFICULTIES = LEVELS

_TEXT = {"type": "string", "minLength": 1}
_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$", "maxLength": 80}
_OPTION = {
    "type": "object", "additionalProperties": False, "required": ["id", "explanation"],
    "properties": {
        "id": _ID,
        "text": _TEXT,                 # what the learner reads (pick_pattern options name a `pattern` instead)
        "pattern": _ID,                # pick_pattern: a catalog pattern id; its title is the option text
        "correct": {"type": "boolean"},
        "explanation": _TEXT,          # why this option is right, or why it is wrong
    },
}
_OPTIONS = {"type": "array", "minItems": 2, "maxItems": 8, "items": _OPTION}
_DISTRACTOR = {
    "type": "object", "additionalProperties": False, "required": ["metric", "explanation"],
    "properties": {"metric": _TEXT, "explanation": _TEXT},
}


def _when(type_name: str, then: dict) -> dict:
    return {"if": {"properties": {"type": {"const": type_name}}, "required": ["type"]}, "then": then}


def _forbid(*keys: str) -> dict:
    return {"not": {"anyOf": [{"required": [k]} for k in keys]}}


ITEM_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "type", "topics", "difficulty", "stem", "sources"],
    "properties": {
        "id": _ID,
        "type": {"enum": list(ITEM_TYPES)},
        "topics": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _ID},
        "difficulty": {"enum": list(DIFFICULTIES)},
        "stem": _TEXT,
        "options": _OPTIONS,
        "reasons": _OPTIONS,                       # classify: why it is one or the other
        "answer": {"oneOf": [{"type": "array", "minItems": 1, "items": _ID},
                             {"type": "object", "additionalProperties": False, "required": ["label", "reason"],
                              "properties": {"label": {"enum": list(CLASSIFY_LABELS)}, "reason": _ID}}]},
        "explanation": _TEXT,                      # the general explanation shown with the answer
        "design_ref": _ID,                         # a catalog pattern whose design the item shows or runs
        "design": {"type": "object"},              # an inline design (checked by the design loader)
        "scenario": {"type": "object"},            # predict: the scenario to run (checked by the simulator)
        "seed": {"type": "integer", "minimum": 0},
        "answer_metric": _TEXT,                    # predict: expression over the run, e.g. nodes.fn.processed
        "distractors": {"type": "array", "minItems": 2, "maxItems": 5, "items": _DISTRACTOR},
        "unit": _TEXT,                             # predict: what the number counts, e.g. "charges"
        "sources": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^https://[^\\s]+$"}},
    },
    "allOf": [
        _when("single", {"required": ["options", "answer"], **_forbid("reasons", "answer_metric", "distractors")}),
        _when("multiple", {"required": ["options", "answer"], **_forbid("reasons", "answer_metric", "distractors")}),
        _when("true_false", {"required": ["options", "answer"], **_forbid("reasons", "answer_metric", "distractors")}),
        _when("pick_pattern", {"required": ["options", "answer"],
                               **_forbid("reasons", "answer_metric", "distractors")}),
        _when("order", {"required": ["options", "answer"], **_forbid("reasons", "answer_metric", "distractors")}),
        _when("classify", {"required": ["options", "reasons", "answer"],
                           **_forbid("answer_metric", "distractors")}),
        _when("spot_antipattern", {"required": ["options", "answer"],
                                   "oneOf": [{"required": ["design_ref"]}, {"required": ["design"]}]}),
        _when("predict", {"required": ["answer_metric", "distractors", "explanation", "seed"],
                          # an inline design brings its scenario; a design_ref may use the pattern's own
                          "oneOf": [{"required": ["design_ref"]}, {"required": ["design", "scenario"]}],
                          **_forbid("options", "answer", "reasons")}),
    ],
}

BANK_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["bank", "title", "items"],
    "properties": {
        "bank": _ID,
        "title": _TEXT,
        "description": _TEXT,
        "items": {"type": "array", "minItems": 1, "items": ITEM_SCHEMA},
    },
}
