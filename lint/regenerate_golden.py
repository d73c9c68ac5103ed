"""Rewrite the golden files of the lint fixtures from what the linter finds now, for review.

    python -m lint.regenerate_golden            # rewrite every tests/lint_fixtures/*.expected.json
    python -m lint.regenerate_golden NAME ...   # only these fixtures (file names without .yaml)
    python -m lint.regenerate_golden --check    # write nothing; list the fixtures whose findings changed

The golden files are the specification: they were written by hand for what each rule must find. After
regenerating, read the diff (`git diff tests/lint_fixtures`) finding by finding before keeping it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "lint_fixtures"


def golden_path(fixture: Path) -> Path:
    return fixture.with_name(fixture.name[: -len(".yaml")] + ".expected.json")


def render(findings: list[dict]) -> str:
    return json.dumps(findings, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lint.regenerate_golden", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="fixture names (default: all)")
    parser.add_argument("--check", action="store_true", help="only report fixtures whose findings differ")
    args = parser.parse_args(argv)

    from design import DesignError, load_file
    from lint import lint
    fixtures = sorted(FIXTURES.glob("*.yaml"))
    if args.names:
        fixtures = [f for f in fixtures if f.name[:-5] in args.names]
        unknown = set(args.names) - {f.name[:-5] for f in fixtures}
        if unknown:
            print(f"unknown fixture(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 1
    changed = 0
    for fixture in fixtures:
        try:
            findings = lint(load_file(fixture))
        except DesignError as exc:
            print(f"{fixture.name}: {exc.problems[0]}", file=sys.stderr)
            return 1
        golden = golden_path(fixture)
        old = json.loads(golden.read_text(encoding="utf-8")) if golden.exists() else None
        if old == findings:
            continue
        changed += 1
        print(f"{'differs' if args.check else 'rewrote'}: {golden.name}", file=sys.stderr)
        if not args.check:
            golden.write_text(render(findings), encoding="utf-8")
    print(f"{len(fixtures)} fixtures, {changed} {'differ' if args.check else 'rewritten'}", file=sys.stderr)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
