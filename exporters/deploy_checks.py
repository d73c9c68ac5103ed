"""Deploy-time errors: designs that load and simulate but that AWS would refuse to create.

They are the linter's E findings (`lint.lint(design)`, severity "error": timeout longer than the queue's
visibility timeout, more than five targets on a rule, an invalid DLQ or pipe, ...). The SAM exporter refuses
a design with any, quoting them; the rules themselves live in one place, lint/rules/.
"""
from __future__ import annotations

from design.model import Design


def deploy_errors(design: Design) -> list[dict]:
    from lint import lint
    return [f for f in lint(design) if f["severity"] == "error" or str(f["id"]).startswith("E")]
