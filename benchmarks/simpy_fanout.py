"""The benchmark fan-out written the way SimPy is meant to be used: one process per message copy.

SNS → 3 SQS queues → 3 Lambda consumers; every delivery may be duplicated (2 %), every invocation
may fail (5 %); a failed message becomes visible again after the visibility timeout and moves to
the DLQ on the receive after `max_receive_count`. The same rules as our engine's models, without
the rest (tracing, filters, batching windows), so the comparison flatters SimPy if anything.
"""
from __future__ import annotations

import random

import simpy


def run_simpy(publishes: int, rate_per_s: float, seed: int, consumers: int = 3, duration_s: float = 0.05,
              visibility_timeout_s: float = 30.0, max_receive_count: int = 3, failure_p: float = 0.05,
              duplicate_p: float = 0.02) -> dict:
    env = simpy.Environment()
    rng = random.Random(seed)
    counts = {"hops": 0, "processed": 0, "dead_lettered": 0, "failed": 0}

    def consume(env):
        receives = 0
        while True:
            receives += 1
            if receives > max_receive_count:
                counts["dead_lettered"] += 1
                counts["hops"] += 1                  # the move to the DLQ
                return
            counts["hops"] += 1                      # queue → function
            yield env.timeout(duration_s)
            if rng.random() < failure_p:
                counts["failed"] += 1
                yield env.timeout(visibility_timeout_s - duration_s)
                continue
            counts["processed"] += 1
            return

    def deliver(env):
        counts["hops"] += 1                          # topic → queue
        env.process(consume(env))
        if rng.random() < duplicate_p:
            counts["hops"] += 1
            env.process(consume(env))

    def publisher(env):
        gap = 1.0 / rate_per_s
        for _ in range(publishes):
            counts["hops"] += 1                      # publisher → topic
            for _c in range(consumers):
                deliver(env)
            yield env.timeout(gap)

    env.process(publisher(env))
    env.run()
    return counts
