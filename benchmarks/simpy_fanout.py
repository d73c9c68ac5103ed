"""The benchmark fan-out written the way SimPy is meant to be used: processes for the publisher, the
pollers' scaling and each invocation.

SNS → N SQS queues → N Lambda consumers; every delivery (publisher → topic, topic → queue, queue →
function) may be duplicated (2 %), as DESIGN.md's global `duplicate_probability` says; every message in an
invocation may fail (5 %). Each queue's event source mapping follows the documented SQS poller rules
(services-sqs-scaling): five concurrent batches at first, one more per 0.2 s (300 a minute) while messages
wait and every batch is busy, at most 1,000, back to five when the mapping is idle; a batch takes up to 10
visible messages. Without partial batch responses one failing message fails the whole batch: the messages
before it already did their side effect, and every message of the batch becomes visible again after the
visibility timeout and moves to the DLQ on the receive after `max_receive_count`. It keeps the same per-node
counters as our engine (received, processed, failed, retried, duplicate copies, side effects done twice,
dead-lettered, latency histogram), so both produce the same kind of answer and their metrics can be compared.
"""
from __future__ import annotations

import random
from collections import deque

import simpy

from simulator.metrics import NodeStats

BATCH_SIZE, SCALE_START, SCALE_STEP_S, SCALE_MAX = 10, 5, 60.0 / 300, 1000


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

    def side_effect(i, msg):
        fn = functions[i]
        if msg[0] in done_ids[i]:
            fn.duplicate_side_effects += 1
        done_ids[i].add(msg[0])

    def twin(env, i, msg, receives):
        """SQS delivered the message a second time: one extra invocation, its failure left to the original."""
        fn = functions[i]
        hops[0] += 1
        fn.received += 1
        if receives > 1:
            fn.retried += 1
        else:
            fn.duplicates_delivered += 1
        fails = rng.random() < failure_p
        yield env.timeout(duration_s)
        if fails:
            fn.failed += 1
            fn.returned += 1
            return
        side_effect(i, msg)
        fn.processed += 1
        fn.latency(env.now - msg[1])

    class Mapping:
        """One queue and the event source mapping polling it. A message is [event id, created, copy, receives]."""

        def __init__(self, i):
            self.i = i
            self.visible: deque = deque()
            self.running = 0
            self.cap = SCALE_START
            self.growing = False

        def arrive(self, msg):
            self.visible.append(msg)
            self.poll()

        def poll(self):
            q = queues[self.i]
            while self.running < self.cap and self.visible:
                batch = []
                while self.visible and len(batch) < BATCH_SIZE:
                    msg = self.visible.popleft()
                    msg[3] += 1
                    if msg[3] > max_receive_count:
                        q.dead_lettered += 1
                        hops[0] += 1                  # the move to the DLQ
                        continue
                    batch.append(msg)
                if batch:
                    self.running += 1
                    env.process(self.invoke(batch))
            if self.visible and not self.growing and self.cap < SCALE_MAX:
                self.growing = True
                env.process(self.grow())

        def grow(self):
            while True:
                yield env.timeout(SCALE_STEP_S)
                if not self.visible or self.running < self.cap or self.cap >= SCALE_MAX:
                    break
                self.cap += 1
                self.poll()
            self.growing = False

        def invoke(self, batch):
            i, fn, q = self.i, functions[self.i], queues[self.i]
            hops[0] += len(batch)                     # queue → function
            fn.received += len(batch)
            for msg in batch:
                if msg[3] > 1:
                    fn.retried += 1
                elif msg[2]:
                    fn.duplicates_delivered += 1
            fails = [rng.random() < failure_p for _ in batch]
            if rng.random() < duplicate_p:
                env.process(twin(env, i, batch[0], batch[0][3]))
            yield env.timeout(duration_s)
            self.running -= 1
            if True in fails:
                for msg in batch[:fails.index(True)]:
                    side_effect(i, msg)               # done before the failing message threw
                fn.failed += len(batch)
                fn.returned += len(batch)
                env.process(self.reappear(batch))
            else:
                for msg in batch:
                    side_effect(i, msg)
                    fn.processed += 1
                    fn.latency(env.now - msg[1])
                    q.processed += 1
            if self.visible:
                self.poll()
            elif not self.running:
                self.cap = SCALE_START

        def reappear(self, batch):
            yield env.timeout(visibility_timeout_s - duration_s)
            self.visible.extend(batch)
            self.poll()

    mappings = [Mapping(i) for i in range(consumers)]

    def deliver(env, i, event_id, copy):
        hops[0] += 1                                  # topic → queue
        queues[i].received += 1
        if copy:
            queues[i].duplicates_delivered += 1
        mappings[i].arrive([event_id, env.now, copy, 0])
        if rng.random() < duplicate_p:
            hops[0] += 1
            queues[i].received += 1
            queues[i].duplicates_delivered += 1
            mappings[i].arrive([event_id, env.now, True, 0])

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
