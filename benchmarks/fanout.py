"""The benchmark design: SNS → 3 SQS → 3 Lambda, 5 % failures, 2 % duplicates, DLQ after 3 receives."""
from __future__ import annotations

from design import from_data


def fanout_design(consumers: int = 3):
    nodes = [{"id": "pub", "type": "client"}, {"id": "topic", "type": "sns_topic"}]
    edges = [{"source": "pub", "target": "topic"}]
    for i in range(consumers):
        nodes += [{"id": f"q{i}", "type": "sqs_queue", "props": {"visibility_timeout_s": 30, "max_receive_count": 3}},
                  {"id": f"f{i}", "type": "lambda", "props": {"duration_s": 0.05, "timeout_s": 3}},
                  {"id": f"dlq{i}", "type": "sqs_queue"}]
        edges += [{"source": "topic", "target": f"q{i}"}, {"source": f"q{i}", "target": f"f{i}"},
                  {"source": f"q{i}", "target": f"dlq{i}", "kind": "dead_letter"}]
    return from_data({"name": "benchmark fan-out", "nodes": nodes, "edges": edges})


def fanout_scenario(publishes: int, rate_per_s: float = 1000.0, consumers: int = 3) -> dict:
    return {"until_s": publishes / rate_per_s + 600, "workload": [{"source": "pub", "count": publishes,
                                                                   "rate_per_s": rate_per_s}],
            "inject": {"duplicate_probability": 0.02,
                       "nodes": {f"f{i}": {"failure_probability": 0.05} for i in range(consumers)}}}
