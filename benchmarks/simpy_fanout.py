"""The benchmark fan-out written the way SimPy is meant to be used: one process per message copy.

SNS → N SQS queues → N Lambda consumers; every delivery (publisher → topic, topic → queue, queue →
function) may be duplicated (2 %), as DESIGN.md's global `duplicate_probability` says; every invocation may
fail (5 %); a failed message becomes visible again after the visibility timeout and moves to the
DLQ on the receive after `max_receive_count`. It keeps the same per-node counters as our engine
(received, processed, failed, retried, duplicate copies, side effects done twice, dead-lettered,
latency histogram), so both produce the same kind of answer and their metrics can be compared.
"""
from __future__ import annotations

import random

import simpy

from simulator.metrics import NodeStats


def run_simpy(publishes: int, rate_per_s: float, seed: int, consumers: int = 3, duration_s: float = 0.05,
              visibility_timeout_s: float = 30.0, max_receive_count: int = 3, failure_p: float = 0.05,
              duplicate_p: float = 0.02) -> dict:
    env = simpy.Environment()
    rng = random.Random(seed)
    hops = [0]
    topic = NodeStats()
    queues = [NodeStats() for _ in range(consumers)]
    functions = [NodeStats() for _ in range(consumers)]
    done_ids: list[set] = [set() for _ in range(consumers)]

    def twin(env, i, event_id, created):
        """SQS delivered the message a second time: one extra invocation, its failure left to the original."""
        fn = functions[i]
        hops[0] += 1
        fn.received += 1
        fn.duplicates_delivered += 1
        yield env.timeout(duration_s)
        if rng.random() < failure_p:
            fn.failed += 1
            fn.returned += 1
            return
        if event_id in done_ids[i]:
            fn.duplicate_side_effects += 1
        done_ids[i].add(event_id)
        fn.processed += 1
        fn.latency(env.now - created)

    def consume(env, i, event_id, created, copy):
        q, fn = queues[i], functions[i]
        receives = 0
        while True:
            receives += 1
            if receives > max_receive_count:
                q.dead_lettered += 1
                hops[0] += 1                          # the move to the DLQ
                return
            hops[0] += 1                              # queue → function
            fn.received += 1
            if receives > 1:
                fn.retried += 1
            elif copy:
                fn.duplicates_delivered += 1
            if rng.random() < duplicate_p:
                env.process(twin(env, i, event_id, created))
            yield env.timeout(duration_s)
            if rng.random() < failure_p:
                fn.failed += 1
                fn.returned += 1
                yield env.timeout(visibility_timeout_s - duration_s)
                continue
            if event_id in done_ids[i]:
                fn.duplicate_side_effects += 1
            done_ids[i].add(event_id)
            fn.processed += 1
            fn.latency(env.now - created)
            q.processed += 1
            return

    def deliver(env, i, event_id, copy):
        hops[0] += 1                                  # topic → queue
        queues[i].received += 1
        if copy:
            queues[i].duplicates_delivered += 1
        env.process(consume(env, i, event_id, env.now, copy))
        if rng.random() < duplicate_p:
            hops[0] += 1
            queues[i].received += 1
            queues[i].duplicates_delivered += 1
            env.process(consume(env, i, event_id, env.now, True))

    def publish(env, event_id, copy):
        hops[0] += 1                                  # publisher → topic
        topic.received += 1
        topic.processed += 1
        if copy:
            topic.duplicates_delivered += 1
        for i in range(consumers):
            deliver(env, i, event_id, copy)

    def publisher(env):
        gap = 1.0 / rate_per_s
        for event_id in range(publishes):
            publish(env, event_id, False)
            if rng.random() < duplicate_p:
                publish(env, event_id, True)
            yield env.timeout(gap)

    env.process(publisher(env))
    env.run()
    nodes = {"topic": topic.as_dict()}
    for i in range(consumers):
        nodes[f"q{i}"] = queues[i].as_dict()
        nodes[f"f{i}"] = functions[i].as_dict()
    return {"hops": hops[0], "nodes": nodes}
