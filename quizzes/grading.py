"""Grading, with the partial-credit rules stated once (the quiz page shows RULES to learners).

Every item is worth 1 point. A response is a dict:
  one, many:  {"selected": [option ids]}
  order:      {"order": [option ids, first to last]}
  classify:   {"label": "choreography" | "orchestration", "reason": reason id}
"""
from __future__ import annotations

from dataclasses import dataclass

from quizzes.items import Item

RULES = {
    "one": "1 point for the correct option, 0 otherwise.",
    "many": "With k correct options: +1/k for each correct option chosen, −1/k for each wrong option chosen; "
            "the total is floored at 0.",
    "order": "Kendall's tau between your order and the correct one, floored at 0: every pair of steps in the "
             "right relative order counts for, every pair in the wrong order against; all pairs right = 1, "
             "half or more wrong = 0.",
    "classify": "½ point for the right label (choreography or orchestration) and ½ for the right reason.",
    "late": "In a timed exam, an answer given after the time limit is recorded but scores 0.",
}


@dataclass(frozen=True)
class Grade:
    score: float          # 0..1
    verdicts: dict        # option id → "correct choice" | "wrong choice" | "missed" | "not chosen" | position info

    @property
    def correct(self) -> bool:
        return self.score >= 1 - 1e-9


def grade(item: Item, response: dict | None) -> Grade:
    response = response or {}
    kind = item.kind
    if kind in ("one", "many"):
        return _choice(item, _ids(response.get("selected")), single=(kind == "one"))
    if kind == "order":
        return _order(item, _ids(response.get("order")))
    if kind == "classify":
        return _classify(item, response.get("label"), response.get("reason"))
    raise ValueError(f"unknown answer kind {kind!r}")


def _ids(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _choice(item: Item, chosen: list[str], single: bool) -> Grade:
    valid = {o.id for o in item.options}
    chosen_set = {c for c in chosen if c in valid}
    correct = set(item.answer)
    verdicts = {o.id: ("correct choice" if o.id in chosen_set and o.id in correct else
                       "wrong choice" if o.id in chosen_set else
                       "missed" if o.id in correct else "not chosen") for o in item.options}
    if single:
        score = 1.0 if len(chosen_set) == 1 and chosen_set <= correct else 0.0
    else:
        k = len(correct)
        raw = (len(chosen_set & correct) - len(chosen_set - correct)) / k
        score = max(0.0, raw)
    return Grade(round(score, 6), verdicts)


def kendall_tau(order: list[str], correct: list[str]) -> float:
    """Kendall's tau-a between two orders of the same items (+1 identical, −1 reversed)."""
    pos = {x: i for i, x in enumerate(order)}
    n = len(correct)
    pairs = n * (n - 1) // 2
    if pairs == 0:
        return 1.0
    agree = sum(1 for i in range(n) for j in range(i + 1, n) if pos[correct[i]] < pos[correct[j]])
    return (agree - (pairs - agree)) / pairs


def _order(item: Item, order: list[str]) -> Grade:
    correct = list(item.answer)
    if sorted(order) != sorted(correct) or len(set(order)) != len(order):
        return Grade(0.0, {o: "not placed" for o in correct})   # incomplete or invalid orders score 0
    verdicts = {x: ("right place" if order.index(x) == i else f"belongs at position {i + 1}")
                for i, x in enumerate(correct)}
    return Grade(round(max(0.0, kendall_tau(order, correct)), 6), verdicts)


def _classify(item: Item, label, reason) -> Grade:
    score = 0.0
    verdicts = {}
    right_label = item.answer[0]
    for o in item.options:
        verdicts[o.id] = ("correct choice" if o.id == label == right_label else "wrong choice" if o.id == label
                          else "missed" if o.id == right_label else "not chosen")
    for r in item.reasons:
        verdicts[r.id] = ("correct choice" if r.id == reason == item.answer_reason else
                          "wrong choice" if r.id == reason else
                          "missed" if r.id == item.answer_reason else "not chosen")
    if label == right_label:
        score += 0.5
    if reason == item.answer_reason:
        score += 0.5
    return Grade(score, verdicts)


def correct_response(item: Item) -> dict:
    """The full-marks response for an item (used by tests and the "show answer" view)."""
    if item.kind in ("one", "many"):
        return {"selected": list(item.answer)}
    if item.kind == "order":
        return {"order": list(item.answer)}
    return {"label": item.answer[0], "reason": item.answer_reason}
