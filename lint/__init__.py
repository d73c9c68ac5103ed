"""The architecture linter: cfn-lint-style rules over a design (no streamlit here).

API (what the site and the designer call):

    from lint import lint
    from lint.fixes import apply_fix, FixError

    findings = lint(design)          # list of dicts, sorted by severity, then path, then id
    # each: {"id": "W2003", "severity": "warning", "path": "nodes[orders_q]",
    #        "message": "Orders queue has no dead-letter queue: ...",
    #        "fix": {"id": "add-queue-dlq", "label": "Add a dead-letter queue (max_receive_count 5)"}}
    #        ("fix" only when a mechanical fix exists)
    new_design = apply_fix(design, findings[0])   # a NEW Design; `design` is unchanged; FixError if it cannot

- `id`: stable; its first letter is the severity: E error (AWS rejects the design at deploy time),
  W warning (deploys, but loses, duplicates or stalls events, or breaks a documented practice),
  I info (worth knowing; depends on what the design cannot show). Catalog patterns have no E or W
  findings, except each anti-pattern, which has exactly the rule it illustrates
  (`lint.registry.ANTI_PATTERN_RULES`); I findings are allowed there.
- `path`: where in the design: `nodes[<id>]`, `nodes[<id>].props.<prop>`, `edges[<source>-><target>]`
  (or `edges[<edge id>]`), `edges[...].props.<prop>`, `nodes[<id>].props.definition.States.<state>`.
  `target_of(finding)` turns it into ("node", id) or ("edge", key) for highlighting.
- Rules: one per module in `lint/rules/`, listed by `lint.registry.all_rules()`; `python -m lint --list-rules`.
"""
from __future__ import annotations

import re

from design.model import Design
from lint.registry import all_rules
from lint.rule import SEVERITY_ORDER, sort_key

__all__ = ["lint", "target_of", "summary"]

_TARGET = re.compile(r"^(nodes|edges)\[([^\]]+)\]")


def lint(design: Design) -> list[dict]:
    """Every finding of every rule, in a deterministic order (severity, path, id)."""
    findings: list[dict] = []
    for rule in all_rules():
        findings += rule.check(design)
    return sorted(findings, key=sort_key)


def target_of(finding: dict) -> tuple[str, str] | None:
    """("node", node id) or ("edge", edge key) that a finding points at."""
    match = _TARGET.match(finding.get("path", ""))
    if not match:
        return None
    return ("node" if match.group(1) == "nodes" else "edge"), match.group(2)


def summary(findings: list[dict]) -> str:
    """'1 error, 2 warnings, 1 info' (only the severities present), or 'no findings'."""
    counts = {s: sum(f["severity"] == s for f in findings) for s in SEVERITY_ORDER}
    words = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "info": ("info", "info")}
    parts = [f"{n} {words[s][n != 1]}" for s, n in counts.items() if n]
    return ", ".join(parts) if parts else "no findings"
