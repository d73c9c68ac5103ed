"""`python -m simulator run DESIGN [--scenario FILE] [--seed N] [--json] [--trace FILE]`;
`python -m simulator cost DESIGN [--scenario FILE] [--per-million]`."""
from __future__ import annotations

import argparse
import json
import sys


def _engine_info() -> int:
    from simulator._compiled import engine_info
    info = engine_info()
    print(f"engine: {info['engine']} ({info['reason']})")
    for module, file in info["modules"].items():
        print(f"  {module}: {file}")
    return 0


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--engine-info"]:
        return _engine_info()
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Run events through a design.",
                                     epilog="--engine-info: say whether the compiled or the pure-Python engine runs")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a design")
    run.add_argument("design")
    run.add_argument("--scenario", help="a *.scenario.yaml file (default: the design's own scenario)")
    run.add_argument("--seed", type=int, help="overrides the scenario's seed")
    run.add_argument("--json", action="store_true", help="print one JSON object (deterministic)")
    run.add_argument("--trace", metavar="FILE", help="write the hop-by-hop trace as JSON lines")
    conf = sub.add_parser("conformance", help="every documented behaviour, its AWS source, and the verdict")
    conf.add_argument("--json", action="store_true", help="print one JSON list (deterministic)")
    conf.add_argument("--service", help="only the cases of one service group")
    cost = sub.add_parser("cost", help="the bill of a run as a table (list prices, no free tier unless asked)")
    cost.add_argument("design")
    cost.add_argument("--scenario", help="a *.scenario.yaml file (default: the design's own scenario)")
    cost.add_argument("--seed", type=int, help="overrides the scenario's seed")
    cost.add_argument("--per-million", action="store_true", help="scale every line to a million events in")
    cost.add_argument("--region", default="us-east-1", help="price file to use (default us-east-1)")
    cost.add_argument("--free-tier", action="store_true", help="subtract the monthly free tier")
    cost.add_argument("--price", action="append", default=[], metavar="KEY=USD",
                      help="override a price, in the price file's units (e.g. lambda.requests=0.25 per 1M)")
    cost.add_argument("--json", action="store_true", help="print the cost object (deterministic)")
    args = parser.parse_args(argv)
    if args.command == "conformance":
        return _conformance(args)
    if args.command == "cost":
        return _cost(args)

    from design import DesignError, load_file
    from design.documents import DocumentError, parse, read_text
    from simulator.run import ScenarioError, simulate
    if args.trace and (problem := _trace_path_problem(args.trace)):   # before a long run, not after it
        print(f"cannot write trace {args.trace}: {problem}", file=sys.stderr)
        return 1
    try:
        design = load_file(args.design)
        scenario = None
        if args.scenario:
            scenario = parse(read_text(args.scenario), "yaml", name=args.scenario)
            if scenario is None:
                scenario = {}
        result = simulate(design, scenario, seed=args.seed, trace=bool(args.trace))
    except DesignError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except (DocumentError, ScenarioError) as exc:
        problems = getattr(exc, "problems", [str(exc)])
        from design.loader import format_problems
        prefix = "scenario: " if isinstance(exc, ScenarioError) else ""
        print(format_problems([prefix + p for p in problems]), file=sys.stderr)
        return 1
    if args.trace:
        try:
            _write_trace(args.trace, result.trace or [])
        except OSError as exc:
            print(f"cannot write trace {args.trace}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=False))
    else:
        from simulator.report import text_report
        print(text_report(result))
    return 0 if result.conservation["ok"] else 2


def _cost(args) -> int:
    """`python -m simulator cost DESIGN [--scenario FILE] [--per-million]`: the bill of a run as a table."""
    from design import DesignError, load_file
    from design.documents import DocumentError, parse, read_text
    from simulator.cost import PriceError, price_run
    from simulator.cost.table import bill_table
    from simulator.run import ScenarioError, simulate
    overrides, problems = {}, []
    for item in args.price:
        key, _, value = item.partition("=")
        try:
            overrides[key.strip()] = float(value)
        except ValueError:
            problems.append(f"--price {item}: expected KEY=USD, e.g. lambda.requests=0.25")
    try:
        if problems:
            raise PriceError(problems)
        design = load_file(args.design)
        scenario = None
        if args.scenario:
            scenario = parse(read_text(args.scenario), "yaml", name=args.scenario) or {}
        result = simulate(design, scenario, seed=args.seed)
        bill = price_run(result, region=args.region, free_tier=args.free_tier, overrides=overrides)
    except DesignError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except (DocumentError, ScenarioError, PriceError) as exc:
        from design.loader import format_problems
        prefix = "scenario: " if isinstance(exc, ScenarioError) else ""
        print(format_problems([prefix + p for p in getattr(exc, "problems", [str(exc)])]), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(bill.to_json(), indent=2))
    else:
        print(bill_table(bill, per_million=args.per_million))
    return 0


def _trace_path_problem(path: str) -> str | None:
    """What makes the trace file unwritable, checked before the run (permissions are left to the write)."""
    from pathlib import Path
    target = Path(path)
    if target.is_dir():
        return "is a directory"
    if not target.parent.is_dir():
        return f"no such folder {str(target.parent)!r}"
    return None


def _write_trace(path: str, trace) -> None:
    from simulator.outcomes import Hop
    with open(path, "w", encoding="utf-8") as out:
        for row in trace:
            hop = Hop(*row)
            out.write(json.dumps({"time": hop.time, "event_id": f"e{hop.event_id}", "trace_id": f"t{hop.trace_id}",
                                  "from": hop.source, "to": hop.target, "attempt": hop.attempt,
                                  "outcome": hop.outcome, "detail": hop.detail,
                                  "duplicate_copy": hop.duplicate_copy}) + "\n")


def _conformance(args) -> int:
    from simulator.conformance import CaseError, check_all
    try:
        verdicts = check_all()
    except CaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.service:
        verdicts = [v for v in verdicts if v.case.service == args.service]
    if args.json:
        print(json.dumps([v.as_dict() for v in verdicts], indent=2))
    else:
        for v in verdicts:
            c = v.case
            mark = "pass" if v.ok else "FAIL"
            bound = "" if c.published else " (no published figure: bound only)"
            print(f"{mark}  {c.service:15} {c.id}{bound}\n      {c.title}\n      {c.url}")
            for f in v.failures:
                print(f"      ! {f}")
        passed = sum(v.ok for v in verdicts)
        print(f"\n{passed} of {len(verdicts)} cases pass", file=sys.stderr)
    return 0 if all(v.ok for v in verdicts) else 2


if __name__ == "__main__":
    sys.exit(main())
