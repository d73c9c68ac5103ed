"""The catalog: every file meets the schema, every design loads and runs, and the runs teach what they claim."""
import copy

import jsonschema
import pytest
import yaml

from patterns.catalog import DATA_DIR, file_problems, load_catalog, load_comparisons
from patterns.schema import PATTERN_SCHEMA
from patterns.search import filter_patterns
from simulator.run import simulate

REQUIRED = {"synchronous-api", "async-processing", "fan-out-sns", "eventbridge-content-routing",
            "event-driven-pipeline", "choreography", "orchestration", "saga", "callback-task-token", "storage-first",
            "functionless-integration", "gatekeeper-event-bus", "event-relay", "idempotent-consumer",
            "dead-letter-queue-redrive", "circuit-breaker", "strangler-fig", "data-lake-ingestion", "scheduled-tasks",
            "eventbridge-pipes", "archive-and-replay", "queue-as-buffer", "priority-queue", "command-pattern",
            "pipes-and-filters", "graphql-aggregation", "legacy-api-proxy", "sync-lambda-chain", "monolithic-lambda",
            "long-running-lambda", "lambda-chaining-instead-of-workflow"}
CATALOG = load_catalog()


def test_every_required_pattern_is_there():
    assert REQUIRED <= set(CATALOG)
    anti = {pid for pid, p in CATALOG.items() if p.kind == "anti-pattern"}
    assert anti == {"sync-lambda-chain", "monolithic-lambda", "long-running-lambda",
                    "lambda-chaining-instead-of-workflow"}
    for pid in anti:
        assert CATALOG[pid].doc["anti_pattern_of"] in CATALOG


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_file_meets_the_schema(path):
    _doc, problems = file_problems(path, PATTERN_SCHEMA)
    assert problems == []


def test_schema_refuses_unknown_keys_and_missing_fields():
    doc = copy.deepcopy(CATALOG["saga"].doc)
    doc["colour"] = "red"
    del doc["when_not_to_use"]
    doc["level"] = "expert"
    errors = sorted(e.message for e in jsonschema.Draft202012Validator(PATTERN_SCHEMA).iter_errors(doc))
    assert errors == ["'expert' is not one of ['beginner', 'intermediate', 'advanced']",
                      "'when_not_to_use' is a required property",
                      "Additional properties are not allowed ('colour' was unexpected)"]


def test_a_broken_catalog_file_is_reported_by_name(tmp_path):
    bad = tmp_path / "bad-one.yaml"
    bad.write_text(yaml.safe_dump({"id": "other", "title": "x"}), encoding="utf-8")
    _doc, problems = file_problems(bad, PATTERN_SCHEMA)
    assert "bad-one.yaml: id 'other' must match the file name" in problems
    assert any(p.startswith("bad-one.yaml: (top): 'kind' is a required property") for p in problems)


@pytest.mark.parametrize("pattern_id", sorted(CATALOG))
def test_each_pattern_runs_its_default_scenario_and_nothing_vanishes(pattern_id):
    pattern = CATALOG[pattern_id]
    assert pattern.design.scenario, "every pattern carries a default scenario"
    run = simulate(pattern.design, trace=False)
    assert run.conservation["ok"], run.conservation
    assert run.totals["received"] > 0
    assert simulate(pattern.design, trace=False).to_json() == run.to_json()


def test_storage_first_loses_nothing_where_the_synchronous_api_fails_callers():
    sync = simulate(CATALOG["synchronous-api"].design)
    first = simulate(CATALOG["storage-first"].design)
    sync_errors = sum(v for k, v in sync.clients["shop"]["answers"].items() if k != "ok")
    assert sync_errors > 0
    assert first.clients["shop"]["answers"] == {"ok": first.clients["shop"]["sent"]}
    assert first.totals["dropped"] == 0
    assert CATALOG["storage-first"].doc["compare_with"] == "synchronous-api"


def test_idempotent_consumer_performs_no_side_effect_twice():
    run = simulate(CATALOG["idempotent-consumer"].design)
    assert run.totals["duplicates_delivered"] > 0 and run.totals["duplicate_side_effects"] == 0


def test_sync_lambda_chain_shows_timeouts_to_the_caller():
    # A function that times out behind API Gateway "runs but returns an error": the caller gets a 502
    # (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html); the timeout itself
    # shows in the gateway's trace detail, not in what the client is told.
    run = simulate(CATALOG["sync-lambda-chain"].design, trace=True)
    answers = next(iter(run.clients.values()))["answers"]
    assert answers.get("502 BadGateway", 0) > 0
    assert any(row[6] == "error" and "Timedout" in row[7] for row in run.trace)


def test_circuit_breaker_opens_and_closes_again():
    run = simulate(CATALOG["circuit-breaker"].design)
    states = [s for transitions in run.breakers.values() for _t, s in transitions]
    assert "open" in states and "half_open" in states and states[-1] == "closed"


def test_long_running_lambda_times_out_every_invocation():
    run = simulate(CATALOG["long-running-lambda"].design)
    assert [f["id"] for f in run.findings] == ["SIM-TIMEOUT"]


def test_comparison_page_data():
    comparison = load_comparisons()["choreography-vs-orchestration"]
    assert (comparison["left"], comparison["right"]) == ("choreography", "orchestration")
    assert len(comparison["dimensions"]) >= 8


def test_search_and_filters():
    assert [p.id for p in filter_patterns(CATALOG, "compensation pivot")][:1] == ["saga"]
    only_anti = filter_patterns(CATALOG, kinds=["anti-pattern"])
    assert {p.id for p in only_anti} == {"sync-lambda-chain", "monolithic-lambda", "long-running-lambda",
                                          "lambda-chaining-instead-of-workflow"}
    with_kinesis = filter_patterns(CATALOG, services=["kinesis_stream"])
    assert with_kinesis and all("kinesis_stream" in p.services for p in with_kinesis)
    assert filter_patterns(CATALOG, "zzzz-nothing") == []
    beginners = filter_patterns(CATALOG, levels=["beginner"], problems=["fan-out"])
    assert "fan-out-sns" in {p.id for p in beginners}
