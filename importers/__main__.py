"""`python -m importers sam TEMPLATE|FOLDER|ZIP [-o design.yaml]`: a SAM/CloudFormation template or project → a
design (YAML).

Exit 0 on success; 1 when the file cannot be read or is not a template (one problem per line on stderr).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m importers", description="Import a template as a design.")
    sub = parser.add_subparsers(dest="command", required=True)
    sam = sub.add_parser("sam", help="an AWS SAM or CloudFormation template (YAML or JSON), or a SAM project "
                                     "(a folder or a zip: the template with its statemachine/ and src/ files)")
    sam.add_argument("template", help="TEMPLATE, FOLDER or ZIP")
    sam.add_argument("-o", "--output", help="write the design here instead of standard output")
    args = parser.parse_args(argv)

    from design.documents import DocumentError, read_text
    from design.loader import format_problems, to_yaml
    from importers.project import ProjectError, import_project, is_project
    from importers.sam import ImportError_, import_template
    try:
        if is_project(args.template):
            design = import_project(args.template)
        else:
            design = import_template(read_text(args.template), name=args.template)
    except (DocumentError, ProjectError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot read {args.template}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ImportError_ as exc:
        print(format_problems(exc.problems), file=sys.stderr)   # at most 20, then "… and N more"
        return 1
    sam = design.metadata.get("sam") if isinstance(design.metadata.get("sam"), dict) else {}
    for note in sam.get("notes") or []:   # shapes kept as written rather than read; the design is still made
        print(f"note: {note}", file=sys.stderr)
    text = to_yaml(design)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
