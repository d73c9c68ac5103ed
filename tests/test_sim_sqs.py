"""SQS + Lambda event source mapping: the documented numbers, asserted exactly on the trace."""
from conftest import hops, run_design

CLIENT = {"id": "src", "type": "client"}


def queue_design(queue_props, fn_props, esm_props=None, dlq=True):
    nodes = [CLIENT, {"id": "q", "type": "sqs_queue", "props": queue_props},
             {"id": "fn", "type": "lambda", "props": fn_props}]
    edges = [{"source": "src", "target": "q"}, {"source": "q", "target": "fn", "props": esm_props or {}}]
    if dlq:
        nodes.append({"id": "dlq", "type": "sqs_queue"})
        edges.append({"source": "q", "target": "dlq", "kind": "dead_letter"})
    return nodes, edges


def test_redrive_after_max_receive_count_at_visibility_timeout_times():
    nodes, edges = queue_design({"visibility_timeout_s": 30, "max_receive_count": 3}, {"duration_s": 1})
    run = run_design(nodes, edges, {"until_s": 600, "workload": [{"source": "src", "count": 1}],
                                    "inject": {"duplicate_probability": 0, "nodes": {"fn": {"failure_probability": 1}}}})
    assert [h["time"] for h in hops(run, "invoked", "fn")] == [0.0, 30.0, 60.0]
    assert [h["attempt"] for h in hops(run, "failed", "fn")] == [1, 2, 3]
    moved = hops(run, "dead_lettered")
    assert [(h["time"], h["target"]) for h in moved] == [(90.0, "dlq")]
    assert run.nodes["fn"]["received"] == 3 and run.nodes["fn"]["retried"] == 2
    assert run.nodes["q"]["dead_lettered"] == 1 and run.nodes["dlq"]["parked"] == 1 and run.nodes["dlq"]["in_flight"] == 0
    assert run.conservation["ok"], run.conservation


def test_partial_batch_response_returns_only_the_failed_item():
    scenario = {"until_s": 25, "workload": [{"source": "src", "count": 10, "rate_per_s": 1000,
                                             "payloads": [{"n": i} for i in range(10)]}],
                "inject": {"duplicate_probability": 0, "nodes": {"fn": {"poison": {"n": [3]}}}}}
    esm = {"batch_size": 10, "batching_window_s": 1, "report_batch_item_failures": True}
    nodes, edges = queue_design({"visibility_timeout_s": 10, "max_receive_count": 2}, {"duration_s": 0.5}, esm)
    run = run_design(nodes, edges, scenario)
    assert run.nodes["fn"]["processed"] == 9
    assert run.nodes["fn"]["duplicate_side_effects"] == 0
    assert run.nodes["q"]["dead_lettered"] == 1          # only the poison message, after 2 receives
    assert run.conservation["ok"]


def test_without_partial_batch_response_the_whole_batch_returns_and_side_effects_repeat():
    scenario = {"until_s": 25, "workload": [{"source": "src", "count": 10, "rate_per_s": 1000,
                                             "payloads": [{"n": i} for i in range(10)]}],
                "inject": {"duplicate_probability": 0, "nodes": {"fn": {"poison": {"n": [3]}}}}}
    esm = {"batch_size": 10, "batching_window_s": 1}
    nodes, edges = queue_design({"visibility_timeout_s": 10, "max_receive_count": 2}, {"duration_s": 0.5}, esm)
    run = run_design(nodes, edges, scenario)
    fn = run.nodes["fn"]
    # Receive 1: items 0-2 do their side effect, item 3 throws, so the whole batch fails and returns.
    # Receive 2 (after 10 s): the same again, so 0-2 are done twice. Receive 3: all 10 exceed
    # maxReceiveCount 2 → DLQ.
    assert fn["received"] == 20 and fn["processed"] == 0 and fn["failed"] == 20
    assert fn["duplicate_side_effects"] == 3
    assert run.nodes["q"]["dead_lettered"] == 10
    assert run.conservation["ok"]


def test_visibility_timeout_shorter_than_processing_delivers_twice():
    nodes, edges = queue_design({"visibility_timeout_s": 5}, {"duration_s": 8, "timeout_s": 10}, dlq=False)
    run = run_design(nodes, edges, {"until_s": 30, "workload": [{"source": "src", "count": 1}],
                                    "inject": {"duplicate_probability": 0}})
    assert [h["time"] for h in hops(run, "invoked", "fn")] == [0.0, 5.0]
    assert run.nodes["fn"]["duplicate_side_effects"] == 1
    assert run.conservation["ok"]


def test_fifo_deduplicates_copies_within_five_minutes_and_keeps_group_order():
    nodes, edges = queue_design({"fifo": True, "visibility_timeout_s": 30}, {"duration_s": 0.1}, dlq=False)
    scenario = {"until_s": 100, "workload": [{"source": "src", "count": 6, "rate_per_s": 10}],
                "inject": {"duplicate_probability": 0, "edges": {"src->q": {"duplicate_probability": 1.0}}}}
    run = run_design(nodes, edges, scenario)
    assert run.nodes["q"]["received"] == 12 and run.nodes["q"]["deduplicated"] == 6
    assert run.nodes["fn"]["processed"] == 6 and run.nodes["fn"]["duplicate_side_effects"] == 0
    order = [h["event"] for h in hops(run, "processed", "fn")]
    assert order == sorted(order)
    assert run.conservation["ok"]


def test_standard_queue_duplicates_reach_a_non_idempotent_consumer():
    nodes, edges = queue_design({}, {"duration_s": 0.1}, dlq=False)
    scenario = {"until_s": 60, "workload": [{"source": "src", "count": 20, "rate_per_s": 10}],
                "inject": {"edges": {"src->q": {"duplicate_probability": 1.0}}, "duplicate_probability": 0}}
    run = run_design(nodes, edges, scenario)
    assert run.nodes["fn"]["duplicates_delivered"] == 20
    assert run.nodes["fn"]["duplicate_side_effects"] == 20
    nodes[2]["props"]["idempotent"] = True
    run = run_design(nodes, edges, scenario)
    assert run.nodes["fn"]["duplicate_side_effects"] == 0 and run.nodes["fn"]["deduplicated"] == 20


def test_throttled_receives_count_toward_max_receive_count():
    nodes, edges = queue_design({"visibility_timeout_s": 10, "max_receive_count": 2}, {"duration_s": 1})
    scenario = {"until_s": 100, "workload": [{"source": "src", "count": 1}],
                "inject": {"duplicate_probability": 0, "nodes": {"fn": {"throttle_concurrency": 0}}}}
    run = run_design(nodes, edges, scenario)
    assert run.nodes["fn"]["throttled"] == 2
    assert run.nodes["q"]["dead_lettered"] == 1
    assert run.conservation["ok"]


def test_idempotency_record_expiry_lets_a_late_duplicate_through():
    # An archive replay at 300 s redelivers the same event ids: remembered for an hour they are recognised,
    # remembered for 60 s they are processed again.
    def run(expiry):
        nodes = [CLIENT, {"id": "bus", "type": "event_bus", "props": {"archive": True}},
                 {"id": "fn", "type": "lambda", "props": {"duration_s": 0, "idempotent": True,
                                                          "idempotency_expiry_s": expiry}}]
        edges = [{"source": "src", "target": "bus"},
                 {"source": "bus", "target": "fn", "props": {"rule": "all", "pattern": {"source": ["custom.app"]}}}]
        return run_design(nodes, edges, {"until_s": 400, "workload": [{"source": "src", "count": 3}],
                                         "replays": [{"bus": "bus", "at_s": 300, "from_s": 0, "to_s": 10}],
                                         "inject": {"duplicate_probability": 0}}).nodes["fn"]
    kept = run(3600)
    assert kept["deduplicated"] == 3 and kept["duplicate_side_effects"] == 0
    expired = run(60)
    assert expired["deduplicated"] == 0 and expired["duplicate_side_effects"] == 3


def test_batching_window_waits_to_fill_a_batch():
    nodes, edges = queue_design({}, {"duration_s": 0.1}, {"batch_size": 10, "batching_window_s": 2}, dlq=False)
    run = run_design(nodes, edges, {"until_s": 30, "workload": [{"source": "src", "count": 4, "rate_per_s": 4}],
                                    "inject": {"duplicate_probability": 0}})
    assert [h["time"] for h in hops(run, "invoked", "fn")] == [2.0, 2.0, 2.0, 2.0]


def test_jitter_on_an_edge_reorders_a_standard_queue():
    nodes, edges = queue_design({}, {"duration_s": 0.01}, {"batch_size": 1}, dlq=False)
    scenario = {"until_s": 60, "seed": 4, "workload": [{"source": "src", "count": 30, "rate_per_s": 100}],
                "inject": {"duplicate_probability": 0, "edges": {"src->q": {"jitter_s": 1.0}}}}
    order = [h["event"] for h in hops(run_design(nodes, edges, scenario), "processed", "fn")]
    assert sorted(order) == list(range(1, 31)) and order != sorted(order)


def test_dlq_redrive_moves_parked_messages_back_to_the_source_queue():
    nodes, edges = queue_design({"visibility_timeout_s": 10, "max_receive_count": 2}, {"duration_s": 0.1})
    scenario = {"until_s": 300, "workload": [{"source": "src", "count": 4, "rate_per_s": 10}],
                "redrives": [{"queue": "dlq", "at_s": 120}],
                "inject": {"duplicate_probability": 0, "nodes": {"fn": {"outages": [[0, 60]]}}}}
    run = run_design(nodes, edges, scenario)
    assert run.nodes["q"]["dead_lettered"] == 4          # parked while the consumer was down
    assert len(hops(run, "redriven")) == 4 and run.nodes["dlq"]["in_flight"] == 0
    assert run.nodes["fn"]["processed"] == 4             # after the redrive, the fixed consumer handles them
    assert run.conservation["ok"]


def test_fifo_dedup_window_is_five_minutes():
    # An archive replay re-sends the same event id to a FIFO queue: within 5 minutes of the first send it
    # is dropped as a duplicate; after 5 minutes it is a new message and the consumer runs it again.
    def run(replay_at):
        nodes = [CLIENT, {"id": "bus", "type": "event_bus", "props": {"archive": True}},
                 {"id": "q", "type": "sqs_queue", "props": {"fifo": True}},
                 {"id": "fn", "type": "lambda", "props": {"duration_s": 0.1}}]
        edges = [{"source": "src", "target": "bus"},
                 {"source": "bus", "target": "q", "props": {"rule": "all", "pattern": {"source": ["custom.app"]}}},
                 {"source": "q", "target": "fn"}]
        return run_design(nodes, edges, {"until_s": 700, "workload": [{"source": "src", "count": 1}],
                                         "replays": [{"bus": "bus", "at_s": replay_at, "from_s": 0, "to_s": 10}],
                                         "inject": {"duplicate_probability": 0}})
    inside = run(299)
    assert inside.nodes["q"]["deduplicated"] == 1 and inside.nodes["fn"]["processed"] == 1
    after = run(301)
    assert after.nodes["q"]["deduplicated"] == 0 and after.nodes["fn"]["duplicate_side_effects"] == 1


def test_a_batch_is_full_at_the_six_mb_payload_limit_before_the_window_ends():
    # Bodies of ~1.1 MB: five of them (5.5 MB) fit under the 6 MB synchronous payload limit, a sixth would not,
    # so a batch of 5 goes as soon as the 6th message waits, long before the 60 s window (batch size 100).
    blob = "x" * 1_100_000
    nodes, edges = queue_design({}, {"duration_s": 0.1}, {"batch_size": 100, "batching_window_s": 60}, dlq=False)
    run = run_design(nodes, edges, {"until_s": 200, "workload": [{"source": "src", "count": 12, "rate_per_s": 10,
                                                                  "payloads": [{"blob": blob}]}],
                                    "inject": {"duplicate_probability": 0}}, trace=True)
    times = [round(h["time"], 3) for h in hops(run, "invoked", "fn")]
    # Full by payload when the 6th (0.5 s) and the 11th (1.0 s) message wait; each batch takes the five that fit.
    assert times[:5] == [0.5] * 5 and times[5:10] == [1.0] * 5
    assert times[10:] == [61.0, 61.0]       # the 11th and 12th wait for the window opened at 1.0 s
    assert run.conservation["ok"]


def test_standard_queue_reorders_occasionally_at_the_natural_rate_and_the_seed_fixes_it():
    nodes, edges = queue_design({}, {"duration_s": 0.5, "idempotent": True}, {"batch_size": 1}, dlq=False)
    scenario = {"until_s": 200, "seed": 5, "workload": [{"source": "src", "count": 400, "rate_per_s": 100}]}
    first = run_design(nodes, edges, scenario)
    order = [h["event"] for h in hops(first, "processed", "fn") if not h["copy"]]
    assert sorted(set(order)) == list(range(1, 401)) and order != sorted(order)
    overtaken = sum(1 for a, b in zip(order, order[1:]) if b < a)
    assert 0 < overtaken <= 20                                       # occasional: ~1 % of sends behind a backlog
    again = run_design(nodes, edges, scenario)
    assert again.trace == first.trace and again.nodes == first.nodes    # same seed, same run
    scenario["inject"] = {"duplicate_probability": 0}                   # the perfect network keeps send order
    exact = [h["event"] for h in hops(run_design(nodes, edges, scenario), "processed", "fn")]
    assert exact == list(range(1, 401))


def test_fifo_never_reorders_within_a_group_even_with_duplicates_and_failures():
    nodes, edges = queue_design({"fifo": True, "visibility_timeout_s": 5}, {"duration_s": 0.1, "idempotent": True},
                                {"batch_size": 3, "report_batch_item_failures": True}, dlq=False)
    edges[0]["props"] = {"message_group_field": "g"}
    scenario = {"until_s": 3000, "seed": 8,
                "workload": [{"source": "src", "count": 60, "rate_per_s": 20,
                              "payloads": [{"g": "a"}, {"g": "b"}, {"g": "c"}]}],
                "inject": {"duplicate_probability": 0.2, "nodes": {"fn": {"failure_probability": 0.3}}}}
    run = run_design(nodes, edges, scenario)
    firsts = {}
    for h in hops(run, target="fn"):
        if h["outcome"] in ("processed", "deduplicated"):    # idempotent: a repeat of an earlier side effect
            firsts.setdefault(h["event"], h["time"])
    for g in range(3):
        group = [e for e in sorted(firsts, key=firsts.get) if (e - 1) % 3 == g]
        assert group == sorted(group), group
    assert len(firsts) == 60 and run.conservation["ok"]


def test_command_pattern_applies_commands_in_order_per_account_under_failures():
    from patterns.catalog import get
    from simulator.run import simulate
    design = get("command-pattern").design
    for seed in (29, 2, 4):
        run = simulate(design, None, seed=seed, trace=True)
        assert run.nodes["handle_command"]["failed"] > 0 and run.conservation["ok"]
        order = [r[1] for r in run.trace if r[4] == "commands_q" and r[6] == "enqueued"]                       # event ids in send order at the queue
        account = {eid: i % 6 for i, eid in enumerate(order)}
        group = {0: "a-1", 1: "a-2", 2: "a-1", 3: "a-3", 4: "a-2", 5: "a-3"}
        done = []
        for r in run.trace:
            if r[4] == "handle_command" and r[6] == "processed" and not r[8] and r[1] in account and r[1] not in done:
                done.append(r[1])
        for acct in ("a-1", "a-2", "a-3"):
            mine = [order.index(e) for e in done if group[account[e]] == acct]
            assert mine == sorted(mine), (seed, acct)


def test_pollers_scale_back_to_five_when_the_queue_is_idle():
    nodes, edges = queue_design({"visibility_timeout_s": 100}, {"duration_s": 5, "timeout_s": 10}, {"batch_size": 1},
                                dlq=False)
    scenario = {"until_s": 100, "workload": [{"source": "src", "count": 40, "rate_per_s": 10000},
                                             {"source": "src", "count": 40, "rate_per_s": 10000, "start_s": 50}],
                "inject": {"duplicate_probability": 0}}
    run = run_design(nodes, edges, scenario)
    starts = [h["time"] for h in hops(run, "invoked", "fn")]
    assert sum(1 for t in starts if t < 0.01) == 5 and sum(1 for t in starts if 50 <= t < 50.01) == 5
    assert run.nodes["fn"]["processed"] == 80 and run.conservation["ok"]
