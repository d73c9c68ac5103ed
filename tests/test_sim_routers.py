"""SNS, EventBridge, S3 notifications and Scheduler: routing, filtering, delivery retries, DLQs."""
from conftest import hops, run_design

NO_DUPS = {"duplicate_probability": 0}
CLIENT = {"id": "src", "type": "client"}


def test_sns_fans_out_to_every_subscription_whose_filter_accepts():
    nodes = [CLIENT, {"id": "t", "type": "sns_topic"}, {"id": "all", "type": "sqs_queue"},
             {"id": "big", "type": "sqs_queue"}, {"id": "eu", "type": "sqs_queue"}]
    edges = [{"source": "src", "target": "t"}, {"source": "t", "target": "all"},
             {"source": "t", "target": "big", "props": {"filter_policy": {"total": [{"numeric": [">=", 500]}]},
                                                        "filter_policy_scope": "MessageBody"}},
             {"source": "t", "target": "eu", "props": {"filter_policy": {"region": ["eu"]}}}]
    scenario = {"until_s": 10, "inject": NO_DUPS, "workload": [{
        "source": "src", "count": 4, "payloads": [{"total": 100}, {"total": 900}],
        "attributes": [{"region": "eu"}, {"region": "us"}]}]}
    run = run_design(nodes, edges, scenario)
    assert run.nodes["all"]["received"] == 4
    assert run.nodes["big"]["received"] == 2      # body scope: totals 900, 900
    assert run.nodes["eu"]["received"] == 2       # attribute scope: regions eu, eu
    assert run.edges["t->big"]["filtered"] == 2 and run.nodes["t"]["processed"] == 4


def test_sns_retry_phases_then_subscription_dlq():
    # The subscribed queue is down for the whole run: 100,015 attempts over ~23 days, then the DLQ.
    nodes = [CLIENT, {"id": "t", "type": "sns_topic"}, {"id": "q", "type": "sqs_queue"}, {"id": "dlq", "type": "sqs_queue"}]
    edges = [{"source": "src", "target": "t"}, {"source": "t", "target": "q", "props": {"dead_letter": "dlq"}}]
    run = run_design(nodes, edges, {"until_s": 30 * 86400, "workload": [{"source": "src", "count": 1}],
                                    "inject": {**NO_DUPS, "nodes": {"q": {"outages": [[0, 1e8]]}}}}, trace=False)
    assert run.nodes["q"]["received"] == 100_015
    assert run.nodes["t"]["dead_lettered"] == 1 and run.nodes["dlq"]["received"] == 1
    assert run.conservation["ok"]


def test_sns_retry_schedule_starts_with_three_immediate_then_one_second_apart():
    nodes = [CLIENT, {"id": "t", "type": "sns_topic"}, {"id": "q", "type": "sqs_queue"}]
    edges = [{"source": "src", "target": "t"}, {"source": "t", "target": "q"}]
    run = run_design(nodes, edges, {"until_s": 2.5, "workload": [{"source": "src", "count": 1}],
                                    "inject": {**NO_DUPS, "nodes": {"q": {"outages": [[0, 100]]}}}})
    assert [h["time"] for h in hops(run, "rejected", "q")] == [0.0, 0.0, 0.0, 1.0, 2.0]


def bus_design(n_targets, target_props=None):
    nodes = [CLIENT, {"id": "bus", "type": "event_bus"}] + [
        {"id": f"q{i}", "type": "sqs_queue"} for i in range(n_targets)] + [{"id": "dlq", "type": "sqs_queue"}]
    pattern = {"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">", 100]}]}}
    edges = [{"source": "src", "target": "bus"}] + [
        {"source": "bus", "target": f"q{i}", "props": {"rule": "big-orders", "pattern": pattern, **(target_props or {})}}
        for i in range(n_targets)]
    return nodes, edges


ORDERS = [{"source": "shop", "detail-type": "OrderPlaced", "detail": {"total": 50}},
          {"source": "shop", "detail-type": "OrderPlaced", "detail": {"total": 500}}]


def test_eventbridge_rule_matches_by_content_and_caps_targets_at_five():
    run = run_design(*bus_design(6), {"until_s": 10, "inject": NO_DUPS,
                                       "workload": [{"source": "src", "count": 4, "payloads": ORDERS}]})
    assert [run.nodes[f"q{i}"]["received"] for i in range(6)] == [2, 2, 2, 2, 2, 0]
    assert run.nodes["bus"]["filtered"] == 2 and run.nodes["bus"]["processed"] == 2
    assert [f["id"] for f in run.findings] == ["SIM-RULE-TARGETS"]


def test_eventbridge_target_retry_policy_then_per_target_dlq():
    props = {"retry_attempts": 2, "dead_letter": "dlq"}
    run = run_design(*bus_design(1, props), {"until_s": 600, "workload": [{"source": "src", "count": 1, "payloads": ORDERS[1:]}],
                                              "inject": {**NO_DUPS, "nodes": {"q0": {"outages": [[0, 1e6]]}}}})
    assert run.nodes["q0"]["received"] == 3          # 1 attempt + 2 retries
    assert run.nodes["bus"]["dead_lettered"] == 1 and run.nodes["dlq"]["received"] == 1


def test_eventbridge_maximum_event_age_drops_with_reason():
    props = {"max_event_age_s": 60}
    run = run_design(*bus_design(1, props), {"until_s": 3600, "workload": [{"source": "src", "count": 1, "payloads": ORDERS[1:]}],
                                              "inject": {**NO_DUPS, "nodes": {"q0": {"outages": [[0, 1e6]]}}}})
    assert run.nodes["bus"]["dropped_by_reason"] == {"max_event_age": 1}
    assert all(h["time"] <= 60 for h in hops(run, "rejected", "q0"))


def test_invalid_pattern_fails_closed_with_a_finding():
    nodes, edges = bus_design(1)
    edges[1]["props"]["pattern"] = {"detail": {"total": [{"numerik": [">", 1]}]}}
    run = run_design(nodes, edges, {"until_s": 10, "inject": NO_DUPS, "workload": [{"source": "src", "count": 2, "payloads": ORDERS}]})
    assert run.nodes["q0"]["received"] == 0 and run.nodes["bus"]["filtered"] == 2
    assert any(f["id"] == "SIM-BAD-PATTERN" for f in run.findings)


def test_archive_replay_redelivers_the_same_event_ids():
    nodes = [CLIENT, {"id": "bus", "type": "event_bus", "props": {"archive": True}},
             {"id": "fn", "type": "lambda", "props": {"duration_s": 0.1, "idempotent": True}},
             {"id": "raw", "type": "lambda", "props": {"duration_s": 0.1}}]
    pattern = {"source": ["shop"]}
    edges = [{"source": "src", "target": "bus"},
             {"source": "bus", "target": "fn", "props": {"rule": "r", "pattern": pattern}},
             {"source": "bus", "target": "raw", "props": {"rule": "r", "pattern": pattern}}]
    scenario = {"until_s": 1200, "inject": NO_DUPS, "replays": [{"bus": "bus", "at_s": 900, "from_s": 0, "to_s": 600}],
                "workload": [{"source": "src", "count": 10, "payloads": ORDERS}]}
    run = run_design(nodes, edges, scenario)
    assert len(hops(run, "replayed", "bus")) == 10
    assert run.nodes["fn"]["deduplicated"] == 10 and run.nodes["fn"]["duplicate_side_effects"] == 0
    assert run.nodes["raw"]["duplicate_side_effects"] == 10


def test_scheduler_rate_starts_at_once_and_invokes_within_its_60_second_precision():
    # schedule-types.html: without a StartDate a rate schedule starts invoking immediately, and every
    # schedule invokes "with 60 second precision" (1:00 → between 1:00:00 and 1:00:59).
    nodes = [{"id": "every5", "type": "schedule", "props": {"expression": "rate(5 minutes)"}},
             {"id": "fn", "type": "lambda", "props": {"duration_s": 1}}]
    run = run_design(nodes, [{"source": "every5", "target": "fn"}], {"until_s": 3599, "inject": NO_DUPS})
    times = [h["time"] for h in hops(run, "invoked", "fn")]
    assert len(times) == 12          # scheduled at 0, 300, …, 3300
    assert all(300.0 * i <= t < 300.0 * i + 60 for i, t in enumerate(times))


def test_scheduler_cron_weekdays_at_nine():
    from simulator.services.schedules import fire_times
    times, problem = fire_times("cron(0 9 ? * MON-FRI *)", 7 * 86400)
    assert problem is None
    # 2026-01-01 is a Thursday: Thu, Fri, Mon, Tue, Wed at 09:00
    assert [t / 86400 for t in times] == [0.375, 1.375, 4.375, 5.375, 6.375]
    assert fire_times("cron(0 9 L * ? *)", 86400)[1] is not None


def test_s3_notifications_are_unordered_and_arrive_within_seconds():
    nodes = [CLIENT, {"id": "b", "type": "s3_bucket"}, {"id": "fn", "type": "lambda", "props": {"duration_s": 0}}]
    edges = [{"source": "src", "target": "b"}, {"source": "b", "target": "fn"}]
    run = run_design(nodes, edges, {"until_s": 60, "seed": 5, "inject": NO_DUPS,
                                    "workload": [{"source": "src", "count": 30, "rate_per_s": 20}]})
    invoked = hops(run, "invoked", "fn")
    assert len(invoked) == 30
    assert [h["event"] for h in invoked] != sorted(h["event"] for h in invoked)
    assert run.conservation["ok"]


def test_scheduler_retry_policy_then_its_dead_letter_queue():
    nodes = [{"id": "tick", "type": "schedule", "props": {"expression": "rate(10 minutes)", "retry_attempts": 3}},
             {"id": "q", "type": "sqs_queue"}, {"id": "dlq", "type": "sqs_queue"}]
    edges = [{"source": "tick", "target": "q"}, {"source": "tick", "target": "dlq", "kind": "dead_letter"}]
    run = run_design(nodes, edges, {"until_s": 1500, "inject": {**NO_DUPS, "nodes": {"q": {"outages": [[0, 1e6]]}}}})
    assert run.nodes["tick"]["processed"] == 3               # scheduled at 0, 600 and 1200
    assert run.nodes["q"]["received"] == 12                  # 1 attempt + 3 retries, three times
    assert run.nodes["q"]["retried"] == 9
    assert run.nodes["tick"]["dead_lettered"] == 3 and run.nodes["dlq"]["received"] == 3


def _external_behind(router_type, edge_props=None):
    nodes = [CLIENT, {"id": "r", "type": router_type}, {"id": "x", "type": "external", "props": {"duration_s": 0.1}}]
    return nodes, [{"source": "src", "target": "r"}, {"source": "r", "target": "x", "props": edge_props or {}}]


def test_a_retry_to_an_external_target_counts_once_where_it_arrives():
    # SNS → HTTP/S endpoint: 1 attempt + 3 retries 20 s apart; the endpoint counts each retry once.
    run = run_design(*_external_behind("sns_topic"), {"until_s": 300, "workload": [{"source": "src", "count": 1}],
                                                      "inject": {**NO_DUPS, "nodes": {"x": {"failure_probability": 1}}}})
    assert (run.nodes["x"]["received"], run.nodes["x"]["retried"]) == (4, 3)
    assert run.totals["retried"] == 3 and run.nodes["r"]["dropped"] == 1
    props = {"rule": "all", "pattern": {"source": [{"prefix": ""}]}, "retry_attempts": 4}
    run = run_design(*_external_behind("event_bus", props), {
        "until_s": 300, "workload": [{"source": "src", "count": 1, "payloads": ORDERS[1:]}],
        "inject": {**NO_DUPS, "nodes": {"x": {"failure_probability": 1}}}})
    assert (run.nodes["x"]["received"], run.nodes["x"]["retried"]) == (5, 4) and run.totals["retried"] == 4
    assert run.conservation["ok"]


def test_eventbridge_default_policy_gives_up_after_about_a_day():
    run = run_design(*bus_design(1), {"until_s": 3 * 86400, "seed": 3, "workload": [
        {"source": "src", "count": 3, "payloads": ORDERS[1:]}],
        "inject": {**NO_DUPS, "nodes": {"q0": {"outages": [[0, 1e8]]}}}}, trace=True)
    assert run.nodes["bus"]["dropped"] == 3
    assert 3 * 150 <= run.nodes["q0"]["received"] <= 3 * 186      # ≤ 1 + 185 each
    last = max(h["time"] for h in hops(run, "rejected", "q0"))
    assert 18 * 3600 < last <= 86400 + 2                            # within the 24-hour age


def _fifo_topic(sub_type="sqs_queue", sub_props=None):
    nodes = [CLIENT, {"id": "t", "type": "sns_topic", "props": {"fifo": True}},
             {"id": "q", "type": sub_type, "props": sub_props or {}}]
    edges = [{"source": "src", "target": "t", "props": {"message_group_field": "account"}},
             {"source": "t", "target": "q"}]
    return nodes, edges


def test_sns_fifo_topic_deduplicates_by_event_id_and_keeps_group_order_through_retries():
    payloads = [{"account": "a", "n": i} for i in range(6)]
    run = run_design(*_fifo_topic(sub_props={"fifo": True}), {
        "until_s": 120, "workload": [{"source": "src", "count": 6, "payloads": payloads}],
        "inject": {"duplicate_probability": 0, "edges": {"src->t": {"duplicate_probability": 1.0}},
                   "nodes": {"q": {"outages": [[0, 4.5]]}}}})
    assert run.nodes["t"]["deduplicated"] == 6 and run.nodes["t"]["processed"] == 6
    assert [h["event"] for h in hops(run, "enqueued", "q")] == [1, 2, 3, 4, 5, 6]
    assert run.nodes["q"]["received"] - run.nodes["q"]["failed"] == 6 and run.conservation["ok"]


def test_sns_fifo_topic_passes_the_group_and_refuses_non_queue_subscribers():
    run = run_design(*_fifo_topic("lambda"), {"until_s": 10, "inject": NO_DUPS,
                                             "workload": [{"source": "src", "count": 2, "payloads": [{"account": "a"}]}]})
    assert run.nodes["q"]["received"] == 0 and [f["id"] for f in run.findings] == ["SIM-SNS-FIFO-SUBSCRIBER"]
    # Two groups into a FIFO queue with a slow consumer: they run side by side, so the group arrived.
    nodes, edges = _fifo_topic(sub_props={"fifo": True})
    nodes.append({"id": "fn", "type": "lambda", "props": {"duration_s": 5, "timeout_s": 10}})
    edges.append({"source": "q", "target": "fn", "props": {"batch_size": 1}})
    run = run_design(nodes, edges, {"until_s": 60, "inject": NO_DUPS, "workload": [
        {"source": "src", "count": 3, "rate_per_s": 100, "payloads": [{"account": "a"}, {"account": "b"}]}]})
    starts = [h["time"] for h in hops(run, "invoked", "fn")]
    assert len(starts) == 3 and starts[1] < 1 and starts[2] >= 5       # a, b together; the second a waits


def test_archive_replay_finds_only_events_within_retention_and_marks_them():
    nodes = [CLIENT, {"id": "bus", "type": "event_bus", "props": {"archive": True, "archive_retention_days": 1}},
             {"id": "fresh", "type": "sqs_queue"}, {"id": "again", "type": "sqs_queue"}]
    edges = [{"source": "src", "target": "bus"},
             {"source": "bus", "target": "fresh", "props": {"rule": "new", "pattern": {"replay-name": [{"exists": False}]}}},
             {"source": "bus", "target": "again", "props": {"rule": "old", "pattern": {"replay-name": [{"exists": True}]}}}]
    scenario = {"until_s": 100_000, "inject": NO_DUPS,
                "workload": [{"source": "src", "count": 4, "payloads": ORDERS},
                             {"source": "src", "count": 3, "start_s": 90_000, "payloads": ORDERS}],
                "replays": [{"bus": "bus", "at_s": 95_000, "from_s": 0, "to_s": 95_000}]}
    run = run_design(nodes, edges, scenario)
    assert run.nodes["fresh"]["received"] == 7
    assert run.nodes["again"]["received"] == 3        # the 4 early ones are older than a day at 95,000 s
    assert {h["event"] for h in hops(run, "replayed", "bus")} == {5, 6, 7}


def test_scheduler_flexible_window_spreads_invocations_within_it():
    nodes = [{"id": "hourly", "type": "schedule", "props": {"expression": "rate(1 hour)", "flexible_window_min": 15}},
             {"id": "q", "type": "sqs_queue"}]
    run = run_design(nodes, [{"source": "hourly", "target": "q"}], {"until_s": 5 * 3600 + 1000, "inject": NO_DUPS})
    times = [h["time"] for h in hops(run, "enqueued", "q")]
    assert len(times) == 6 and all(3600 * i <= t <= 3600 * i + 900 for i, t in enumerate(times))
    assert any(t - 3600 * i > 60 for i, t in enumerate(times))          # beyond the 60 s precision
    again = run_design(nodes, [{"source": "hourly", "target": "q"}], {"until_s": 5 * 3600 + 1000, "inject": NO_DUPS})
    assert [h["time"] for h in hops(again, "enqueued", "q")] == times  # same seed, same run


def test_s3_sends_to_eventbridge_only_when_eventbridge_notifications_is_on():
    pattern = {"source": ["aws.s3"], "detail-type": ["Object Created"]}
    for on in (True, False):
        nodes = [CLIENT, {"id": "b", "type": "s3_bucket", "props": {"eventbridge_notifications": on}},
                 {"id": "bus", "type": "event_bus"}, {"id": "q", "type": "sqs_queue"}]
        edges = [{"source": "src", "target": "b"}, {"source": "b", "target": "bus"},
                 {"source": "bus", "target": "q", "props": {"rule": "uploads", "pattern": pattern}}]
        run = run_design(nodes, edges, {"until_s": 30, "inject": NO_DUPS, "workload": [{"source": "src", "count": 3}]})
        assert run.nodes["q"]["received"] == (3 if on else 0) and run.conservation["ok"]
        assert any(f["id"] == "SIM-S3-EVENTBRIDGE-OFF" for f in run.findings) is (not on)
