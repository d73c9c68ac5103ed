"""Lambda invocation semantics: async retries and destinations, sync throttling and timeouts."""
from conftest import hops, run_design

NO_DUPS = {"duplicate_probability": 0}


def async_design(fn_props, destination=None):
    nodes = [{"id": "src", "type": "client"}, {"id": "fn", "type": "lambda", "props": fn_props}]
    edges = [{"source": "src", "target": "fn", "kind": "async"}]
    if destination:
        nodes.append({"id": "dest", "type": "sqs_queue"})
        edges.append({"source": "fn", "target": "dest", "kind": destination})
    return nodes, edges


def failing(until=600, **fault):
    return {"until_s": until, "workload": [{"source": "src", "count": 1}],
            "inject": {**NO_DUPS, "nodes": {"fn": {"failure_probability": 1, **fault}}}}


def test_async_retries_twice_after_one_then_two_minutes_then_dead_letter_queue():
    run = run_design(*async_design({"duration_s": 0}, "dead_letter"), failing())
    assert [h["time"] for h in hops(run, "invoked", "fn")] == [0.0, 60.0, 180.0]
    assert run.nodes["fn"]["dead_lettered"] == 1 and run.nodes["dest"]["received"] == 1
    assert run.conservation["ok"]


def test_async_max_retry_attempts_zero_means_one_attempt():
    run = run_design(*async_design({"duration_s": 0, "max_retry_attempts": 0}), failing())
    assert run.nodes["fn"]["received"] == 1
    assert run.nodes["fn"]["dropped_by_reason"] == {"retries_exhausted": 1}


def test_on_failure_destination_gets_an_invocation_record_with_the_error():
    run = run_design(*async_design({"duration_s": 0}, "on_failure"), failing())
    assert run.nodes["fn"]["dead_lettered"] == 1
    delivered = hops(run, "enqueued", "dest")
    assert len(delivered) == 1 and delivered[0]["trace"] == 1 and delivered[0]["event"] != 1


def test_async_maximum_event_age_drops_with_its_reason():
    run = run_design(*async_design({"duration_s": 0, "max_event_age_s": 90}), failing())
    # attempt at 0 fails; retry at 60 (age 60 ≤ 90) fails; the next wait of 120 s would exceed 90 s.
    assert [h["time"] for h in hops(run, "invoked", "fn")] == [0.0, 60.0]
    assert run.nodes["fn"]["dropped_by_reason"] == {"max_event_age": 1}


def test_async_throttles_back_off_from_one_second_and_do_not_use_retry_attempts():
    run = run_design(*async_design({"duration_s": 0}), {"until_s": 20, "workload": [{"source": "src", "count": 1}],
                                                        "inject": {**NO_DUPS, "nodes": {"fn": {"throttle_concurrency": 0}}}})
    times = [h["time"] for h in hops(run, "throttled", "fn")]
    assert times == [0.0, 1.0, 3.0, 7.0, 15.0]        # waits 1, 2, 4, 8 s
    assert run.nodes["fn"]["in_flight"] == 1 and run.conservation["ok"]


def test_sync_call_is_not_retried_and_the_error_goes_back_to_the_caller():
    nodes = [{"id": "src", "type": "client"}, {"id": "fn", "type": "lambda", "props": {"duration_s": 0.2}}]
    run = run_design(nodes, [{"source": "src", "target": "fn"}], failing(until=100))
    assert run.nodes["fn"]["received"] == 1 and run.nodes["fn"]["reported"] == 1
    assert run.clients["src"]["answers"] == {"InjectedFailure": 1}


def test_sync_timeout_is_an_error_at_the_timeout():
    nodes = [{"id": "src", "type": "client"}, {"id": "fn", "type": "lambda", "props": {"duration_s": 5, "timeout_s": 3}}]
    run = run_design(nodes, [{"source": "src", "target": "fn"}],
                     {"until_s": 10, "workload": [{"source": "src", "count": 1}], "inject": NO_DUPS})
    assert [h["time"] for h in hops(run, "failed", "fn")] == [3.0]
    assert run.clients["src"]["answers"] == {"Sandbox.Timedout": 1}
    assert any(f["id"] == "SIM-TIMEOUT" for f in run.findings)


def test_reserved_concurrency_throttles_sync_calls_with_429():
    nodes = [{"id": "src", "type": "client"},
             {"id": "fn", "type": "lambda", "props": {"duration_s": 1, "reserved_concurrency": 2}}]
    run = run_design(nodes, [{"source": "src", "target": "fn"}],
                     {"until_s": 10, "workload": [{"source": "src", "count": 5, "rate_per_s": 100}], "inject": NO_DUPS})
    assert run.nodes["fn"]["throttled"] == 3 and run.nodes["fn"]["processed"] == 2
    assert run.clients["src"]["answers"] == {"TooManyRequestsException": 3, "ok": 2}


def test_crash_after_side_effect_repeats_the_side_effect_on_retry():
    nodes, edges = async_design({"duration_s": 0})
    run = run_design(nodes, edges, {"until_s": 600, "seed": 3, "workload": [{"source": "src", "count": 200, "rate_per_s": 10}],
                                    "inject": {**NO_DUPS, "nodes": {"fn": {"crash_after_side_effect_probability": 0.5}}}})
    fn = run.nodes["fn"]
    assert fn["failed"] > 50 and fn["duplicate_side_effects"] > 0
    # every failed attempt was followed by a retry or, after the 3rd, a drop
    assert fn["failed"] == fn["retried"] + fn["dropped"] + fn["in_flight"]
    nodes[1]["props"]["idempotent"] = True
    run = run_design(nodes, edges, {"until_s": 600, "seed": 3, "workload": [{"source": "src", "count": 200, "rate_per_s": 10}],
                                    "inject": {**NO_DUPS, "nodes": {"fn": {"crash_after_side_effect_probability": 0.5}}}})
    assert run.nodes["fn"]["duplicate_side_effects"] == 0


def test_business_idempotency_key_recognises_a_relayed_repeat_with_a_new_event_id():
    # A relay function republishes every order as a new event (new id); a duplicate upstream therefore
    # reaches the consumer as two different event ids. Keyed by orderId, the consumer still sees one order.
    nodes = [{"id": "src", "type": "client"}, {"id": "relay", "type": "lambda", "props": {"duration_s": 0}},
             {"id": "t", "type": "sns_topic"},
             {"id": "consumer", "type": "lambda", "props": {"duration_s": 0, "idempotent": True}}]
    edges = [{"source": "src", "target": "relay", "kind": "async"}, {"source": "relay", "target": "t"},
             {"source": "t", "target": "consumer"}]
    scenario = {"until_s": 60, "workload": [{"source": "src", "count": 5, "payloads": [{"orderId": i} for i in range(5)]}],
                "inject": {"duplicate_probability": 0, "edges": {"src->relay": {"duplicate_probability": 1.0}}}}
    by_id = run_design(nodes, edges, scenario).nodes["consumer"]
    assert by_id["processed"] == 10 and by_id["deduplicated"] == 0
    nodes[3]["props"]["idempotency_key"] = "orderId"
    by_key = run_design(nodes, edges, scenario).nodes["consumer"]
    assert by_key["processed"] == 10 and by_key["deduplicated"] == 5


def test_reservations_that_leave_fewer_than_100_unreserved_are_refused_with_a_finding():
    nodes = [{"id": "src", "type": "client"},
             {"id": "a", "type": "lambda", "props": {"reserved_concurrency": 600, "duration_s": 10, "timeout_s": 15}},
             {"id": "b", "type": "lambda", "props": {"reserved_concurrency": 350, "duration_s": 10, "timeout_s": 15}}]
    run = run_design(nodes, [{"source": "src", "target": "b"}],
                     {"until_s": 30, "workload": [{"source": "src", "count": 390, "rate_per_s": 100000}], "inject": NO_DUPS})
    found = [f for f in run.findings if f["id"] == "SIM-RESERVED-CONCURRENCY"]
    assert [f["path"] for f in found] == ["nodes[b].props.reserved_concurrency"]
    # b's 350 is refused (600 + 350 > 900): it shares the 400 left unreserved, so all 390 calls run.
    assert run.nodes["b"]["throttled"] == 0 and run.nodes["b"]["processed"] == 390
    assert run.conservation["ok"]


def test_scenario_error_overrides_the_node_error_name_and_external_nodes_use_error_name():
    nodes = [{"id": "src", "type": "client"},
             {"id": "fn", "type": "lambda", "props": {"duration_s": 0, "error_name": "PaymentDeclined"}},
             {"id": "ext", "type": "external", "props": {"duration_s": 0, "error_name": "LegacyDown"}}]
    edges = [{"source": "src", "target": "fn"}, {"source": "src", "target": "ext"}]
    inject = {**NO_DUPS, "nodes": {"fn": {"failure_probability": 1, "error": "CardExpired"},
                                   "ext": {"failure_probability": 1}}}
    run = run_design(nodes, edges, {"until_s": 10, "workload": [{"source": "src", "count": 1}], "inject": inject})
    assert run.clients["src"]["answers"] == {"CardExpired": 1, "LegacyDown": 1}


def test_unreserved_functions_share_one_pool_and_the_throttle_names_the_reason():
    nodes = [{"id": "src", "type": "client"}] + [
        {"id": f, "type": "lambda", "props": {"duration_s": 5, "timeout_s": 10}} for f in ("a", "b")]
    edges = [{"source": "src", "target": "a"}, {"source": "src", "target": "b"}]
    run = run_design(nodes, edges, {"until_s": 20, "workload": [{"source": "src", "count": 501, "rate_per_s": 100000}],
                                    "inject": NO_DUPS})
    # 501 events each call a then b: 1,002 overlapping calls, the account allows 1,000, so the last two are throttled.
    assert run.totals["throttled"] == 2 and run.totals["processed"] == 1000
    assert {h["detail"] for h in hops(run, "throttled")} == {"TooManyRequestsException (ConcurrentInvocationLimitExceeded)"}
    assert run.conservation["ok"]
