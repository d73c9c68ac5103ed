"""cfn-lint over many templates in one process (its rules load once: ~1 s, then ~0.1 s a template).

Imported only where cfn-lint is wanted (the Export page, tests, benchmarks); the CLIs never import it.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _runner():
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner
    return Runner(ConfigMixIn(regions=["us-east-1"]))


def lint_texts(texts: list[str]) -> list[dict]:
    """One result per template: {"findings": [{rule, severity, line, message}], "crashed": str | None}."""
    from cfnlint.decode.decode import decode_str
    runner = _runner()
    results = []
    for text in texts:
        try:
            template, errors = decode_str(text)
            matches = list(errors or [])
            if template is not None and not errors:
                matches = list(runner.validate_template(template))
            results.append({"findings": [_finding(m) for m in matches], "crashed": None})
        except Exception as exc:   # cfn-lint itself failed on this template (e.g. an empty `Parameters:`)
            results.append({"findings": [], "crashed": f"{type(exc).__name__}: {exc}"[:300]})
    return results


def _finding(match) -> dict:
    rule = match.rule
    severity = {"error": "E", "warning": "W", "informational": "I"}.get(str(rule.severity).lower(), rule.id[:1])
    return {"rule": rule.id, "severity": severity, "line": match.linenumber, "message": match.message}


def count(result: dict, severity: str) -> int:
    return sum(1 for f in result["findings"] if f["severity"] == severity)
