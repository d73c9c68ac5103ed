"""Grading per item type, including the stated partial-credit rules."""
import pytest

from quizzes.bank import load_items
from quizzes.grading import correct_response, grade, kendall_tau
from quizzes.items import Item, Option

ITEMS = load_items()


def first(type_name, predicate=lambda i: True):
    return next(i for i in ITEMS.values() if i.type == type_name and predicate(i))


def many_item(k_correct=2, n=5):
    opts = tuple(Option(f"o{i}", f"O{i}", "x", i < k_correct) for i in range(n))
    return Item("m", "multiple", ("saga",), "beginner", "?", opts, tuple(o.id for o in opts if o.correct))


@pytest.mark.parametrize("type_name", ["single", "true_false", "pick_pattern", "spot_antipattern", "predict"])
def test_single_answer_types_score_one_or_zero(type_name):
    item = first(type_name)
    right = item.answer[0]
    wrong = next(o.id for o in item.options if o.id != right)
    assert grade(item, {"selected": [right]}).score == 1
    assert grade(item, {"selected": [wrong]}).score == 0
    assert grade(item, {"selected": []}).score == 0
    assert grade(item, {"selected": [right, wrong]}).score == 0       # two choices for one answer: 0
    assert grade(item, {"selected": ["not-an-option"]}).score == 0
    assert grade(item, {"selected": [right]}).verdicts[right] == "correct choice"


def test_multiple_choice_partial_credit_rule():
    item = many_item(k_correct=2, n=5)          # o0, o1 correct
    assert grade(item, {"selected": ["o0", "o1"]}).score == 1
    assert grade(item, {"selected": ["o0"]}).score == 0.5              # +1/2
    assert grade(item, {"selected": ["o0", "o1", "o2"]}).score == 0.5  # +1 −1/2
    assert grade(item, {"selected": ["o0", "o2"]}).score == 0          # +1/2 −1/2
    assert grade(item, {"selected": ["o2", "o3", "o4"]}).score == 0    # floored at 0, not −1.5
    item3 = many_item(k_correct=3, n=5)
    assert grade(item3, {"selected": ["o0", "o1"]}).score == pytest.approx(2 / 3)
    assert grade(item3, {"selected": ["o0", "o1", "o2", "o3"]}).score == pytest.approx(2 / 3)


def test_multiple_choice_bank_item():
    item = first("multiple", lambda i: len(i.answer) >= 2)
    assert grade(item, correct_response(item)).score == 1
    assert grade(item, {"selected": list(item.answer[:1])}).score == pytest.approx(1 / len(item.answer))


def test_order_scored_by_kendall_tau_floored_at_zero():
    item = first("order", lambda i: len(i.answer) >= 4)
    right = list(item.answer)
    assert grade(item, {"order": right}).score == 1
    assert grade(item, {"order": right[::-1]}).score == 0
    swapped = right[:]
    swapped[0], swapped[1] = swapped[1], swapped[0]
    n = len(right)
    pairs = n * (n - 1) // 2
    assert grade(item, {"order": swapped}).score == pytest.approx((pairs - 2) / pairs)   # one discordant pair
    assert grade(item, {"order": right[:-1]}).score == 0                 # incomplete
    assert grade(item, {"order": right[:-1] + right[:1]}).score == 0     # a step twice
    assert kendall_tau(["a", "b", "c"], ["a", "b", "c"]) == 1 and kendall_tau(["c", "b", "a"], ["a", "b", "c"]) == -1


def test_classify_half_for_label_half_for_reason():
    item = first("classify")
    label, reason = item.answer[0], item.answer_reason
    other = next(o.id for o in item.options if o.id != label)
    bad_reason = next(r.id for r in item.reasons if r.id != reason)
    assert grade(item, {"label": label, "reason": reason}).score == 1
    assert grade(item, {"label": label, "reason": bad_reason}).score == 0.5
    assert grade(item, {"label": other, "reason": reason}).score == 0.5
    assert grade(item, {"label": other, "reason": bad_reason}).score == 0
    assert grade(item, {}).score == 0


@pytest.mark.parametrize("item_id", list(ITEMS))
def test_every_items_correct_response_scores_full_marks(item_id):
    item = ITEMS[item_id]
    assert grade(item, correct_response(item)).correct
