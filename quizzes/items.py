"""Quiz items as plain, immutable data: what the engine shows, grades and explains."""
from __future__ import annotations

from dataclasses import dataclass, field

from quizzes.schema import ITEM_TYPES


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    explanation: str
    correct: bool = False


@dataclass(frozen=True, eq=False)
class Item:
    id: str
    type: str
    topics: tuple[str, ...]
    difficulty: str
    stem: str
    options: tuple[Option, ...]
    answer: tuple[str, ...]                 # correct option ids; for `order`, the correct order
    sources: tuple[str, ...] = ()
    explanation: str = ""
    reasons: tuple[Option, ...] = ()        # classify: the "why" options
    answer_reason: str | None = None        # classify: the correct reason id
    design: object = None                   # a design.model.Design to draw (spot/predict/generated items)
    design_ref: str | None = None           # the catalog pattern that design came from, if any
    bank: str = ""
    facts: dict = field(default_factory=dict)   # how the answer was derived (predict / generated items)

    @property
    def kind(self) -> str:
        """How it is answered and graded: one, many, order or classify."""
        return ITEM_TYPES[self.type]["answer"]

    def option(self, option_id: str) -> Option:
        for o in self.options + self.reasons:
            if o.id == option_id:
                return o
        raise KeyError(option_id)

    def to_json(self) -> dict:
        """The listing form (`python -m quizzes list --json`): everything but the design object."""
        doc = {"id": self.id, "bank": self.bank, "type": self.type, "topics": list(self.topics),
               "difficulty": self.difficulty, "stem": self.stem,
               "options": [_option_json(o) for o in self.options], "answer": list(self.answer)}
        if self.reasons:
            doc["reasons"] = [_option_json(o) for o in self.reasons]
            doc["answer_reason"] = self.answer_reason
        if self.explanation:
            doc["explanation"] = self.explanation
        if self.design_ref:
            doc["design_ref"] = self.design_ref
        elif self.design is not None:
            doc["design"] = self.design.to_dict()
        if self.facts:
            doc["facts"] = self.facts
        doc["sources"] = list(self.sources)
        return doc


def _option_json(o: Option) -> dict:
    return {"id": o.id, "text": o.text, "correct": o.correct, "explanation": o.explanation}
