"""Export and import figures, each a ratio against a baseline measured in the same run.

1. SAM export of a 200-node design, against serialising the same template dict with PyYAML (the floor any
   exporter pays to write YAML).
2. SAM import of the 85 corpus templates, against just loading them with a PyYAML SafeLoader that accepts
   CloudFormation tags (the floor any importer pays to read them).
3. The scale curves: time per node of `lint` and of `export` (deploy checks + build + YAML) at 100, 500,
   1,000 and 2,000 nodes, for two shapes: a topic with N Lambda subscribers (one wide node) and N/5 copies of
   API → queue (+ DLQ) → function → table (many small chains). The figure is the ratio of the time per node at
   2,000 nodes to that at 100 (goal ≤ 1.5: flat; the fan-out export was cubic, 31 s at 1,000 subscribers).
   CPU time of this process, best of 3.

Run alone: `python -m benchmarks.export_import [--curves-only]`.
"""
from __future__ import annotations

import gc
import time
from pathlib import Path

import yaml

from design import from_data

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "sam"


def design_200(copies: int = 40):
    """40 copies of API → queue (+ DLQ) → function → table: 200 nodes, 160 edges."""
    nodes, edges = [], []
    for i in range(copies):
        nodes += [{"id": f"api{i}", "type": "api_gateway"},
                  {"id": f"q{i}", "type": "sqs_queue", "props": {"visibility_timeout_s": 60, "max_receive_count": 3}},
                  {"id": f"dlq{i}", "type": "sqs_queue"},
                  {"id": f"fn{i}", "type": "lambda", "props": {"timeout_s": 10, "idempotent": i % 2 == 0}},
                  {"id": f"t{i}", "type": "dynamodb_table"}]
        edges += [{"source": f"api{i}", "target": f"q{i}"}, {"source": f"q{i}", "target": f"dlq{i}",
                                                             "kind": "dead_letter"},
                  {"source": f"q{i}", "target": f"fn{i}", "props": {"batch_size": 10,
                                                                    "report_batch_item_failures": True}},
                  {"source": f"fn{i}", "target": f"t{i}"}]
    return from_data({"name": f"Benchmark: {len(nodes)} nodes", "nodes": nodes, "edges": edges})


def fan_out(nodes: int):
    """A client → a topic (with a DLQ) → nodes − 3 Lambda subscribers: `nodes` nodes in all."""
    subscribers = nodes - 3
    doc_nodes = [{"id": "shop", "type": "client"}, {"id": "orders", "type": "sns_topic"},
                 {"id": "orders_dlq", "type": "sqs_queue"}] + \
        [{"id": f"fn{i}", "type": "lambda", "props": {"timeout_s": 10}} for i in range(subscribers)]
    edges = [{"source": "shop", "target": "orders"},
             {"source": "orders", "target": "orders_dlq", "kind": "dead_letter"}] + \
        [{"source": "orders", "target": f"fn{i}"} for i in range(subscribers)]
    return from_data({"name": f"Benchmark: topic with {subscribers} subscribers", "nodes": doc_nodes,
                      "edges": edges})


def chains(nodes: int):
    """nodes / 5 copies of API → queue (+ DLQ) → function → table."""
    return design_200(copies=nodes // 5)


SHAPES = {"topic → N subscribers": fan_out, "N/5 API → queue → function → table chains": chains}
SIZES = (100, 500, 1000, 2000)


def curve(task: str, shape: str, sizes=SIZES, repeat: int = 3) -> float:
    """Print CPU ms per node of `task` ("lint" or "export") on `shape` at each size; return the ratio of the
    largest size's time per node to the smallest's."""
    from exporters.sam import export
    from lint import lint
    run = {"lint": lint, "export": export}[task]
    make = SHAPES[shape]
    run(make(sizes[0]))   # imports and first-call costs stay out of the figures
    per_node = {}
    for size in sizes:
        design = make(size)
        per_node[size] = _best(repeat, lambda: run(design), clock=time.process_time) / size
    ratio = per_node[sizes[-1]] / per_node[sizes[0]]
    figures = ", ".join(f"{size:,}: {t * 1000:.2f}" for size, t in per_node.items())
    print(f"  {task:<6} {shape:<43} ms/node {figures} → ratio {ratio:5.2f} (goal ≤ 1.5)")
    return ratio


def curves(repeat: int = 3) -> dict[tuple[str, str], float]:
    print(f"lint and SAM export time per node, {SIZES[0]:,} to {SIZES[-1]:,} nodes (CPU time, best of {repeat})")
    return {(task, shape): curve(task, shape, repeat=repeat) for task in ("lint", "export") for shape in SHAPES}


def export_curve(sizes=(100, 1000, 2000), repeat: int = 3) -> float:
    """The fan-out export curve alone; returns the largest/smallest ratio."""
    return curve("export", "topic → N subscribers", sizes, repeat)


def _best(repeat: int, fn, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


class _TagTolerant(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


_TagTolerant.add_multi_constructor("!", lambda loader, suffix, node: None)


def report(repeat: int = 3) -> None:
    from exporters.sam import template_text
    from exporters.sam.build import build_template
    from importers.sam import import_template
    design = design_200()
    template = build_template(design)
    t_export = _best(repeat, lambda: template_text(design))
    t_dump = _best(repeat, lambda: yaml.safe_dump(template, sort_keys=False))
    print(f"SAM export, 200-node design ({len(template['Resources'])} resources): {t_export * 1000:.0f} ms; "
          f"PyYAML dump of the same template {t_dump * 1000:.0f} ms → ratio {t_export / t_dump:.2f}×")
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.yaml"))]
    t_import = _best(repeat, lambda: [import_template(t) for t in texts])
    t_load = _best(repeat, lambda: [yaml.load(t, Loader=_TagTolerant) for t in texts])
    print(f"SAM import, {len(texts)} corpus templates: {t_import * 1000:.0f} ms "
          f"({t_import / len(texts) * 1000:.1f} ms each); PyYAML load of the same files {t_load * 1000:.0f} ms "
          f"→ ratio {t_import / t_load:.2f}×")
    curves()


if __name__ == "__main__":
    import sys
    if "--curves-only" in sys.argv[1:]:
        curves()
    else:
        report()
