"""Questions generated from a design: the classification rule, and fates and counts checked against
independent simulator runs of the same design with the same fault."""
import pytest

from design import from_data
from patterns.catalog import load_catalog
from quizzes.generate import classify, classify_item, items_for_design
from quizzes.generate_runs import EVENT, duplicate_item, fate, fate_items, scenario_for
from quizzes.grading import correct_response, grade
from simulator.run import simulate

CLIENT = {"id": "shop", "type": "client"}


def design(nodes, edges):
    return from_data({"name": "mine", "nodes": [CLIENT] + nodes, "edges": edges})


def queue_design(max_receive=2, idempotent=False):
    return design([{"id": "q", "type": "sqs_queue", "props": {"visibility_timeout_s": 30,
                                                              "max_receive_count": max_receive}},
                   {"id": "fn", "type": "lambda", "props": {"idempotent": idempotent}},
                   {"id": "dlq", "type": "sqs_queue"}],
                  [{"source": "shop", "target": "q"}, {"source": "q", "target": "fn"},
                   {"source": "q", "target": "dlq", "kind": "dead_letter"}])


def poisoned_run(d, consumer):
    """An independent run: the generator's scenario with event 3 poisoned at the consumer."""
    return simulate(d, scenario_for(d, {consumer: {"poison": {"quiz_event": [EVENT]}}}), trace=True)


def trace_rows(run, outcome):
    return [h for h in run.trace if h[2] == EVENT and h[6] == outcome and not h[8]]


def test_catalog_styles_are_classified_by_the_rule():
    catalog = load_catalog()
    assert classify(catalog["choreography"].design) == "choreography"
    assert classify(catalog["orchestration"].design) == "orchestration"
    assert classify(catalog["saga"].design) == "orchestration"
    assert classify(catalog["fan-out-sns"].design) is None            # fan-out alone is neither
    assert classify(catalog["lambda-chaining-instead-of-workflow"].design) is None


def test_classify_rule_on_small_designs():
    chain = design([{"id": "a", "type": "lambda"}, {"id": "bus", "type": "event_bus"},
                    {"id": "b", "type": "lambda"}],
                   [{"source": "shop", "target": "a"}, {"source": "a", "target": "bus"},
                    {"source": "bus", "target": "b", "props": {"pattern": {"source": ["a"]}}}])
    assert classify(chain) == "choreography"
    item = classify_item(chain)
    assert grade(item, {"label": "choreography", "reason": "reactions"}).score == 1
    assert grade(item, {"label": "orchestration", "reason": "coordinator"}).score == 0
    one_task = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${a}", "End": True}}}
    single = design([{"id": "sm", "type": "state_machine", "props": {"definition": one_task}},
                     {"id": "a", "type": "lambda"}], [{"source": "shop", "target": "sm"}, {"source": "sm", "target": "a"}])
    assert classify(single) is None                   # one task is not a sequence to orchestrate


def test_fate_dead_letter_queue_matches_the_run():
    d = queue_design(max_receive=2)
    f = fate(d, "fn")
    run = poisoned_run(d, "fn")
    assert f["where"] == "dlq" and f["node"] == "dlq"
    assert f["attempts"] == len(trace_rows(run, "invoked")) == 2
    assert [h[4] for h in trace_rows(run, "dead_lettered")] == ["dlq"]
    assert run.nodes["dlq"]["received"] == 1 and run.nodes["fn"]["processed"] == 2   # events 1 and 2 fine
    where, count = fate_items(d, "fn")
    assert where.answer == ("dlq-dlq",) and count.answer == ("n2",)
    for item in (where, count):
        assert grade(item, correct_response(item)).score == 1
        assert sum(o.correct for o in item.options) == 1 and all(o.explanation for o in item.options)


def test_fate_async_without_destination_is_dropped_after_three_attempts():
    d = design([{"id": "fn", "type": "lambda"}], [{"source": "shop", "target": "fn", "kind": "async"}])
    f = fate(d, "fn")
    run = poisoned_run(d, "fn")
    assert f["where"] == "dropped" and f["reason"] == "retries_exhausted"
    assert f["attempts"] == 3 == len(trace_rows(run, "invoked"))
    assert run.nodes["fn"]["dropped_by_reason"] == {"retries_exhausted": 1}
    assert [round(t) for t in f["times"]] == [round(h[0]) for h in trace_rows(run, "invoked")]


def test_fate_async_with_on_failure_destination():
    d = design([{"id": "fn", "type": "lambda"}, {"id": "failed", "type": "sqs_queue"}],
               [{"source": "shop", "target": "fn", "kind": "async"},
                {"source": "fn", "target": "failed", "kind": "on_failure"}])
    f = fate(d, "fn")
    assert f["where"] == "dlq" and f["node"] == "failed" and f["attempts"] == 3
    assert poisoned_run(d, "fn").nodes["failed"]["received"] == 1


def test_fate_synchronous_call_returns_the_error_once():
    d = design([{"id": "api", "type": "api_gateway"}, {"id": "fn", "type": "lambda"}],
               [{"source": "shop", "target": "api"}, {"source": "api", "target": "fn"}])
    f = fate(d, "fn")
    run = poisoned_run(d, "fn")
    assert f["where"] == "error" and f["attempts"] == 1
    assert sum(run.clients["shop"]["answers"].values()) == 3 and run.clients["shop"]["answers"].get("ok") == 2


@pytest.mark.parametrize("idempotent, effects", [(False, 6), (True, 3)])
def test_duplicate_item_counts_side_effects_like_the_run(idempotent, effects):
    d = queue_design(idempotent=idempotent)
    item = duplicate_item(d, "fn")
    run = simulate(d, scenario_for(d, inject_edges={"q->fn": {"duplicate_probability": 1.0}}))
    fn = run.nodes["fn"]
    assert item.answer == (f"n{effects}",)
    assert fn["processed"] - fn["deduplicated"] == effects
    assert fn["duplicate_side_effects"] == (0 if idempotent else 3)


def test_items_for_every_catalog_design_are_gradable_and_explained():
    total = 0
    for pid, pattern in load_catalog().items():
        items = items_for_design(pattern.design, seed=1)
        assert items == [] or len({i.id for i in items}) == len(items), pid
        for item in items:
            total += 1
            assert grade(item, correct_response(item)).score == 1, (pid, item.id)
            assert all(o.explanation for o in item.options + item.reasons), (pid, item.id)
            assert {o.id for o in item.options if o.correct} == set(item.answer), (pid, item.id)
        assert items_for_design(pattern.design, seed=1) and [i.id for i in items] == [
            i.id for i in items_for_design(pattern.design, seed=1)] or not items, pid
    assert total >= 40
