"""`python -m quizzes list [--json]` · `python -m quizzes check` (validates every bank)."""
from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizzes", description="The quiz question banks.")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list every item")
    listing.add_argument("--json", action="store_true", help="print a JSON list of every item "
                         "({id, topics, type, stem, options, answer, ...})")
    check = sub.add_parser("check", help="validate every bank: schema, answers, topics, designs, coverage")
    for p in (listing, check):
        p.add_argument("--banks", metavar="DIR", help="a folder of bank files (default: the built-in banks)")
    args = parser.parse_args(argv)

    from pathlib import Path

    from design.loader import format_problems
    from patterns.catalog import CatalogError
    from quizzes.bank import BANK_DIR, BankError, check_dir, load_all
    folder = Path(args.banks) if args.banks else BANK_DIR
    try:
        if args.command == "check":
            problems = check_dir(folder)
            if problems:
                print(format_problems(problems), file=sys.stderr)
            if problems:
                return 1
            print(f"{len(load_all(folder)[0])} items ok", file=sys.stderr)
            return 0
        items, problems = load_all(folder)
        if problems:
            raise BankError(problems)
    except (BankError, CatalogError) as exc:
        print(format_problems(exc.problems), file=sys.stderr)   # at most 20, then "… and N more"
        return 1
    if args.json:
        print(json.dumps([item.to_json() for item in items.values()], indent=2, ensure_ascii=False))
    else:
        width = max(len(i) for i in items) if items else 0
        for item in items.values():
            stem = " ".join(item.stem.split())
            print(f"{item.id:<{width}}  {item.type:<16}  {item.difficulty:<12}  {','.join(item.topics)}  "
                  f"{stem[:90]}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:          # e.g. `python -m quizzes list | head`: stop quietly
        sys.stderr.close()
        sys.exit(0)
