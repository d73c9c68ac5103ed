"""`python -m patterns list [--json]` · `python -m patterns show ID` · `python -m patterns check`."""
from __future__ import annotations

import argparse
import json
import sys

from design.loader import format_problems, to_yaml
from patterns.catalog import CatalogError, load_catalog, load_comparisons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m patterns", description="The serverless pattern catalog.")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list every pattern")
    listing.add_argument("--json", action="store_true", help="print a JSON list of {id, title, kind, level, services}")
    show = sub.add_parser("show", help="print a pattern's design as YAML")
    show.add_argument("id")
    sub.add_parser("check", help="validate every catalog file")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog()
        if args.command == "check":
            load_comparisons()
            print(f"{len(catalog)} patterns ok", file=sys.stderr)
            return 0
    except CatalogError as exc:
        print(format_problems(exc.problems), file=sys.stderr)   # at most 20, then "… and N more"
        return 1
    if args.command == "list":
        rows = [p.summary_row() for p in catalog.values()]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            width = max(len(r["id"]) for r in rows) if rows else 0
            for r in rows:
                print(f"{r['id']:<{width}}  {r['kind']:<12}  {r['level']:<12}  {r['title']}")
        return 0
    if args.id not in catalog:
        print(f"unknown pattern {args.id!r}; `python -m patterns list` shows the ids", file=sys.stderr)
        return 1
    sys.stdout.write(to_yaml(catalog[args.id].design))
    return 0


if __name__ == "__main__":
    sys.exit(main())
