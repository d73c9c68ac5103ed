"""`python -m exporters sam|starter|asl|mermaid|dot|sequence DESIGN ...`: artefacts made from a design.

Exit 0 on success; 1 on an invalid design or one AWS would refuse (one problem per line on stderr).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m exporters", description="Export a design.")
    sub = parser.add_subparsers(dest="command", required=True)
    sam = sub.add_parser("sam", help="an AWS SAM template")
    sam.add_argument("design")
    sam.add_argument("-o", "--output", help="write here instead of standard output")
    starter = sub.add_parser("starter", help="a starter project (zip): template, handler stubs, tests, README")
    starter.add_argument("design")
    starter.add_argument("-o", "--output", required=True, help="the .zip to write")
    asl = sub.add_parser("asl", help="a state machine's Amazon States Language (JSON)")
    asl.add_argument("design")
    asl.add_argument("node_id")
    asl.add_argument("--region", default="us-east-1", help="region in the example ARNs (default us-east-1)")
    asl.add_argument("--account", default="123456789012", help="account id in the example ARNs")
    for name, what in (("mermaid", "a Mermaid flowchart"), ("dot", "Graphviz DOT (or SVG/PNG with --format)")):
        p = sub.add_parser(name, help=what)
        p.add_argument("design")
        p.add_argument("-o", "--output")
        if name == "dot":
            p.add_argument("--format", choices=("dot", "svg", "png"), default="dot")
    seq = sub.add_parser("sequence", help="a Mermaid sequence diagram of a simulation run")
    seq.add_argument("design")
    seq.add_argument("--scenario", help="a *.scenario.yaml file (default: the design's own scenario)")
    seq.add_argument("--seed", type=int)
    seq.add_argument("--limit", type=int, default=200, help="most messages drawn (default 200)")
    seq.add_argument("-o", "--output")
    return parser


def _write(data, output: str | None) -> None:
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    path = Path(output)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def _run(args) -> object:
    from design import load_file
    design = load_file(args.design)
    if args.command == "sam":
        from exporters.sam import export
        return export(design)
    if args.command == "starter":
        from exporters.starter import starter_zip
        return starter_zip(design)
    if args.command == "asl":
        from exporters.asl import asl_text
        return asl_text(design, args.node_id, region=args.region, account=args.account)
    if args.command == "mermaid":
        from exporters.mermaid import to_mermaid
        return to_mermaid(design)
    if args.command == "dot":
        from exporters.dot import to_dot
        source = to_dot(design)
        if args.format == "dot":
            return source
        from exporters.render import render
        return render(source, args.format)
    from design.documents import parse, read_text
    from exporters.sequence import to_sequence
    from simulator.run import simulate
    scenario = parse(read_text(args.scenario), "yaml", name=args.scenario) or {} if args.scenario else None
    run = simulate(design, scenario, seed=args.seed, trace=True)
    return to_sequence(run.trace, {n.id: n.title for n in design.nodes}, limit=max(1, args.limit))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from design import DesignError
    from design.documents import DocumentError
    from design.loader import format_problems
    from exporters.asl import AslError
    from exporters.render import RenderError
    from exporters.sam import ExportError
    from simulator.run import ScenarioError
    try:
        data = _run(args)
    except (DesignError, ExportError, ScenarioError) as exc:
        print(format_problems(getattr(exc, "problems", None) or [str(exc)]), file=sys.stderr)   # at most 20
        return 1
    except (AslError, RenderError, DocumentError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        _write(data, getattr(args, "output", None))
    except OSError as exc:   # -o into a missing folder, a directory, a read-only place
        print(f"cannot write {getattr(args, 'output', None) or 'standard output'}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
