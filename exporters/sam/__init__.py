"""SAM export: a design → an AWS SAM template that cfn-lint and aws-sam-translator accept.

`export(design)` refuses (ExportError) a design AWS would reject at deploy time; `build_template` and
`template_text` build without that check.
"""
from __future__ import annotations

from design.registry import BY_NAME
from exporters.deploy_checks import deploy_errors
from exporters.sam.build import METADATA_KEY, build_template, template_text
from exporters.sam.cycles import CycleError
from exporters.sam.indexed import IndexedDesign


_AWS = {name for name, spec in BY_NAME.items() if spec.sam_type}


class ExportError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def export(design) -> str:
    from exporters.sam import roundtrip
    if roundtrip.is_imported(design):
        return export_imported(design).text
    design = IndexedDesign.of(design)   # lint and build share O(1) lookups (a plain Design rescans per call)
    errors = deploy_errors(design)
    if errors:
        raise ExportError([f"{f['path']}: {f['message']} [{f['id']}]" for f in errors])
    if not any(n.type in _AWS for n in design.nodes):
        raise ExportError(["the design has no AWS resources (only clients and external systems): nothing to deploy"])
    try:
        return template_text(design)
    except CycleError as exc:
        raise ExportError([str(exc)]) from None


def export_imported(design):
    """An imported design: its original template with the design's edits made (exporters/sam/roundtrip.py).
    Refuses only deploy-time errors the edits brought in; what the original already had is the author's."""
    from exporters.sam import roundtrip
    before = roundtrip.baseline(design)
    had = {(f["id"], f["path"]) for f in deploy_errors(IndexedDesign.of(before))}
    new = [f for f in deploy_errors(IndexedDesign.of(design)) if (f["id"], f["path"]) not in had]
    if new:
        raise ExportError([f"{f['path']}: {f['message']} [{f['id']}]" for f in new])
    try:
        return roundtrip.round_trip(design, before)
    except CycleError as exc:
        raise ExportError([str(exc)]) from None


def edited_files(design) -> dict[str, str]:
    """An imported project's own files (its statemachine/ definitions) with the design's edits made to them, by
    path relative to the template; {} for a design that was not imported from a project, or that cannot be
    exported (export says why)."""
    from exporters.sam import roundtrip
    original = roundtrip.original_of(design)
    if original is None or not original.get("files"):
        return {}
    try:
        edited = export_imported(design).files
    except ExportError:
        return {}
    return {**original["files"], **edited}


__all__ = ["edited_files", "export_imported", "METADATA_KEY", "ExportError", "build_template", "export", "template_text"]
