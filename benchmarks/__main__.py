"""Benchmarks (`make bench`). Every figure is a ratio against a baseline measured in this same process and run.

1. The engine (benchmarks/engine.py): the fan-out race against SimPy, 1 M events in metrics mode against a
   bare heap loop, memory at 1 M vs 100 k events, the trace's cost, callbacks vs generator resumes.
2. Export and import (benchmarks/export_import.py).
3. The canvas (benchmarks/canvas.py).
"""
from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--publishes", type=int, default=300_000, help="publishes in the fan-out race")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each side of the race")
    args = parser.parse_args()

    from benchmarks.engine import report as engine_report
    engine_report(args.publishes, args.repeat)

    from benchmarks.export_import import report
    report()

    from benchmarks import canvas as canvas_bench
    canvas_bench.main([])

    from benchmarks import live_load
    live_load.main([])


if __name__ == "__main__":
    main()
