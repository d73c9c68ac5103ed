"""`python -m lint DESIGN [--json]` · `python -m lint --list-rules [--json]`.

Exit status 0 when the design was linted (whatever it found), 1 on invalid input (one problem per line
on stderr, never a traceback).
"""
from __future__ import annotations

import argparse
import json
import re
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lint", description="Find anti-patterns and failure traps "
                                     "in a design.")
    parser.add_argument("design", nargs="?", help="a design file (YAML or JSON)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of findings "
                        "{id, severity, path, message[, fix]}")
    parser.add_argument("--list-rules", action="store_true", help="list every rule: id, severity, description, "
                        "source")
    args = parser.parse_args(argv)

    from lint.registry import all_rules
    if args.list_rules:
        rules = [r.describe() for r in all_rules()]
        if args.json:
            print(json.dumps(rules, indent=2, ensure_ascii=False))
        else:
            for r in rules:
                print(f"{r['id']}  {r['severity']:<7}  {r['name']}: {r['description']}\n       {r['source']}")
        return 0
    if args.design is None:
        print("a design file is needed: python -m lint DESIGN [--json]", file=sys.stderr)
        return 1

    from design import DesignError, load_file
    from lint import lint, summary
    try:
        design = load_file(args.design)
    except DesignError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    findings = lint(design)
    if args.json:
        print(json.dumps(findings, indent=2, ensure_ascii=False))
        return 0
    for f in findings:
        fix = f"  [fix: {f['fix']['label']}]" if "fix" in f else ""
        print(terminal_text(f"{f['id']} {f['severity']:<7} {f['path']}\n    {f['message']}{fix}"))
    print(terminal_text(f"{design.name}: {summary(findings)}"))
    return 0


# Labels and names come from the design file: an ANSI escape or a bidi control in them must not reach the
# terminal (it could recolour, hide or reorder what the reader sees). Newlines of our own are kept.
_UNSAFE = re.compile("[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


if __name__ == "__main__":
    sys.exit(main())
