"""Quiz sessions: selection and shuffling by seed, scoring and per-topic breakdown, review and timed exam
modes, retakes, persistence round trip, and Leitner-box spaced review with injected time."""
from datetime import datetime, timedelta, timezone

import pytest

from quizzes import spaced
from quizzes.bank import load_items
from quizzes.engine import QuizError, Session, Spec, option_order, select
from quizzes.grading import correct_response

ITEMS = load_items()
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)


def test_selection_is_deterministic_per_seed_and_respects_filters():
    spec = Spec(topics=("saga",), difficulties=("intermediate", "advanced"), size=5, seed=7)
    a, b = select(ITEMS, spec), select(ITEMS, spec)
    assert a == b and len(a) == 5 and len(set(a)) == 5
    for iid in a:
        assert "saga" in ITEMS[iid].topics and ITEMS[iid].difficulty in ("intermediate", "advanced")
    others = {tuple(select(ITEMS, Spec(topics=("saga",), size=5, seed=s))) for s in range(10)}
    assert len(others) > 1, "different seeds should give different quizzes"


def test_pool_smaller_than_size_takes_everything_and_empty_pool_is_an_error():
    pool = [i for i, it in ITEMS.items() if "graphql-aggregation" in it.topics]
    assert sorted(select(ITEMS, Spec(topics=("graphql-aggregation",), size=50, seed=1))) == sorted(pool)
    from quizzes.topics import all_topics
    empty = next((t, d) for t in all_topics() for d in ("beginner", "intermediate", "advanced")
                 if not any(t in i.topics and i.difficulty == d for i in ITEMS.values()))
    with pytest.raises(QuizError, match="no questions"):
        select(ITEMS, Spec(topics=(empty[0],), difficulties=(empty[1],), size=5, seed=1))
    with pytest.raises(QuizError, match="time limit"):
        select(ITEMS, Spec(mode="exam", size=3))


def test_options_shuffled_by_seed_and_order_items_never_shown_solved():
    item = next(i for i in ITEMS.values() if i.type == "single" and len(i.options) == 4)
    orders = {tuple(option_order(item, s)) for s in range(20)}
    assert len(orders) > 1 and all(sorted(o) == sorted(x.id for x in item.options) for o in orders)
    assert option_order(item, 3) == option_order(item, 3)
    for it in (i for i in ITEMS.values() if i.type == "order"):
        for s in range(30):
            assert option_order(it, s) != list(it.answer)
    tf = next(i for i in ITEMS.values() if i.type == "true_false")
    assert option_order(tf, 5) == ["true", "false"] or option_order(tf, 5) == [o.id for o in tf.options]


def test_session_scores_and_breaks_down_by_topic():
    s = Session.start(ITEMS, Spec(topics=("dead-letter-queue-redrive",), size=4, seed=3), T0)
    right, wrong = s.item_ids[:2], s.item_ids[2:]
    for iid in right:
        s.answer(ITEMS, iid, correct_response(ITEMS[iid]), T0)
    for iid in wrong:
        s.answer(ITEMS, iid, {"selected": [], "order": [], "label": None}, T0)
    assert s.score() == 2 and s.missed() == wrong
    row = s.by_topic(ITEMS)["dead-letter-queue-redrive"]
    assert row == {"score": 2.0, "max": 4, "items": 4}
    with pytest.raises(QuizError, match="already answered"):
        s.answer(ITEMS, right[0], correct_response(ITEMS[right[0]]), T0)


def test_review_mode_gives_feedback_each_item_and_quiz_mode_at_the_end():
    assert Session.start(ITEMS, Spec(size=2, seed=1, mode="review"), T0).feedback_each
    assert not Session.start(ITEMS, Spec(size=2, seed=1, mode="quiz"), T0).feedback_each


def test_timed_exam_records_the_limit_and_does_not_count_late_answers():
    s = Session.start(ITEMS, Spec(size=3, seed=11, mode="exam", time_limit_s=600), T0)
    assert s.deadline == T0 + timedelta(seconds=600)
    a, b, c = s.item_ids
    s.answer(ITEMS, a, correct_response(ITEMS[a]), T0 + timedelta(seconds=599))
    late = s.answer(ITEMS, b, correct_response(ITEMS[b]), T0 + timedelta(seconds=601))
    assert late.late and late.score == 0
    assert s.time_left(T0 + timedelta(seconds=700)) == 0 and s.time_left(T0) == 600
    s.finish(T0 + timedelta(seconds=700))
    assert s.score() == 1 and s.missed() == [b, c]
    with pytest.raises(QuizError):
        s.answer(ITEMS, c, correct_response(ITEMS[c]), T0)


def test_retake_asks_only_the_missed_items_reshuffled():
    s = Session.start(ITEMS, Spec(size=6, seed=5, mode="quiz"), T0)
    for iid in s.item_ids[:3]:
        s.answer(ITEMS, iid, correct_response(ITEMS[iid]), T0)
    retake = Session.start(ITEMS, s.retake_spec(seed=99), T0)
    assert sorted(retake.item_ids) == sorted(s.item_ids[3:])
    assert retake.feedback_each
    for iid in retake.item_ids:
        retake.answer(ITEMS, iid, correct_response(ITEMS[iid]), T0)
    with pytest.raises(QuizError, match="nothing to retake"):
        retake.retake_spec(seed=1)


def test_session_round_trips_through_plain_data():
    s = Session.start(ITEMS, Spec(topics=("saga",), size=3, seed=2, mode="exam", time_limit_s=60), T0)
    s.answer(ITEMS, s.item_ids[0], correct_response(ITEMS[s.item_ids[0]]), T0 + timedelta(seconds=5))
    again = Session.from_dict(s.to_dict())
    assert again.to_dict() == s.to_dict() and again.score() == s.score() and again.spec == s.spec


def test_leitner_boxes_with_injected_time():
    day = timedelta(days=1)
    st = spaced.after_answer(None, "saga", 1.0, T0)
    assert st is None                                           # never missed: not scheduled
    st = spaced.after_answer(None, "saga", 0.5, T0)             # partial credit counts as a miss
    assert (st.box, st.due_at) == (1, T0 + day)
    assert spaced.after_answer(st, "saga", 1.0, T0 + day / 2) == st    # early: no change
    st = spaced.after_answer(st, "saga", 1.0, T0 + day)
    assert (st.box, st.due_at) == (2, T0 + day + 3 * day)
    st = spaced.after_answer(st, "saga", 1.0, T0 + 4 * day)
    assert (st.box, st.due_at) == (3, T0 + 11 * day)
    st = spaced.after_answer(st, "saga", 1.0, T0 + 11 * day)
    assert (st.box, st.due_at) == (4, T0 + 25 * day)
    missed = spaced.after_answer(st, "saga", 0.0, T0 + 12 * day)
    assert (missed.box, missed.due_at) == (1, T0 + 13 * day)
    assert spaced.after_answer(st, "saga", 1.0, T0 + 25 * day) is None   # right in the last box: learned
    states = [spaced.ReviewState("a", 1, T0 + day), spaced.ReviewState("b", 2, T0 - day)]
    assert [s.concept for s in spaced.due(states, T0 + day)] == ["b", "a"]
    assert [s.concept for s in spaced.due(states, T0)] == ["b"]
