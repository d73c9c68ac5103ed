"""Rewrite the golden files of the lint fixtures from what the linter finds now, for review.

    python -m lint.regenerate_golden            # rewrite every tests/lint_fixtures/*.expected.json
    python -m lint.regenerate_golden NAME ...   # only these fixtures (file names without .yaml)
    python -m lint.regenerate_golden --check    # write nothing; list the fixtures whose findings changed

The golden files are the specification: they were written by hand for what each rule must find. After
regenerating, read the diff (`git diff tests/lint_fixtures`) finding by finding before keeping it.

A golden finding holds its id, severity, path (and fix) exactly, and instead of the message's wording the
`message_names`: the facts the message must name (the services by their titles, quoted names, numbers
with their units). Rewording a message keeps the golden; dropping a fact from it fails the test.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "lint_fixtures"
_QUOTED = re.compile(r"(?<!\w)'[^']+'(?!\w)")
_NUMBER = re.compile(r"(?<![\w.\[-])\d+(?:[.,]\d+)*(?:\s?(?:ms|s|MiB|KiB|MB|KB|%|×)(?![\w]))?")


def _whole(text: str) -> re.Pattern:
    return re.compile(r"(?<![\w'])" + re.escape(text) + r"(?![\w'])")


def message_names(message: str, titles: list[str]) -> list[str]:
    """The facts a message names: titles of the design's nodes, quoted names, numbers (with units)."""
    found: list[tuple[int, str]] = []
    rest = message
    for title in sorted({t for t in titles if t}, key=len, reverse=True):
        hit = _whole(title).search(rest)
        if hit:
            found.append((hit.start(), title))
            rest = _whole(title).sub(lambda m: " " * len(m.group()), rest)
    for hit in _QUOTED.finditer(rest):
        found.append((hit.start(), hit.group()))
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group()), rest)
    for hit in _NUMBER.finditer(unquoted):
        found.append((hit.start(), hit.group()))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def as_golden(findings: list[dict], titles: list[str]) -> list[dict]:
    out = []
    for finding in findings:
        row = {k: v for k, v in finding.items() if k != "message"}
        row["message_names"] = message_names(finding["message"], titles)
        out.append(dict(sorted(row.items(), key=lambda kv: ORDER.get(kv[0], 9))))
    return out


ORDER = {"id": 0, "severity": 1, "path": 2, "message_names": 3, "fix": 4}


def disagreements(golden: list[dict], findings: list[dict]) -> list[str]:
    """What differs between a golden file and the findings: every field but the message exactly, and every
    name the golden lists must stand in the message. [] when they agree."""
    if len(golden) != len(findings):
        return [f"{len(findings)} findings, the golden has {len(golden)}: "
                f"{[f['id'] + ' ' + f['path'] for f in findings]}"]
    problems = []
    for i, (want, got) in enumerate(zip(golden, findings)):
        exact_want = {k: v for k, v in want.items() if k != "message_names"}
        exact_got = {k: v for k, v in got.items() if k != "message"}
        if exact_want != exact_got:
            problems.append(f"[{i}] {exact_got} != {exact_want}")
        missing = [name for name in want.get("message_names", ()) if name not in got.get("message", "")]
        if missing or not want.get("message_names"):
            problems.append(f"[{i}] {got['id']} {got['path']}: the message does not name {missing}: "
                            f"{got.get('message')!r}")
    return problems


def golden_path(fixture: Path) -> Path:
    return fixture.with_name(fixture.name[: -len(".yaml")] + ".expected.json")


def render(findings: list[dict]) -> str:
    rows = [json.dumps(f, ensure_ascii=False) for f in findings]
    return "[\n" + ",\n".join("  " + r for r in rows) + "\n]\n" if rows else "[]\n"


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
        if old is not None and not disagreements(old, findings):
            continue
        changed += 1
        print(f"{'differs' if args.check else 'rewrote'}: {golden.name}", file=sys.stderr)
        if not args.check:
            design = load_file(fixture)
            golden.write_text(render(as_golden(findings, [n.title for n in design.nodes])), encoding="utf-8")
    print(f"{len(fixtures)} fixtures, {changed} {'differ' if args.check else 'rewritten'}", file=sys.stderr)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
