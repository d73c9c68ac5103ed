"""cfn-lint for the corpus checks (tests/test_import_sam.py, tests/test_roundtrip.py), each distinct text linted once
per process by the real cfn-lint: the 85 originals were linted twice before, once by each test (304 templates in
all, now 237: originals 85, regenerated exports 85, one-property edited exports 67). Each test asks for its texts
in one call; only the texts not linted yet go to cfn-lint. The tests share the xdist group `cfn-lint-corpus`, so
under `make test` (-n 2 --dist loadgroup) they run on one worker and share what was linted.
"""
from __future__ import annotations

GROUP = "cfn-lint-corpus"
_RESULTS: dict[str, dict] = {}


def lint_once(texts: list[str]) -> list[dict]:
    """exporters.cfnlint_check.lint_texts(texts), from one cfn-lint call for the texts this process has not linted."""
    from exporters.cfnlint_check import lint_texts
    new = [t for t in dict.fromkeys(texts) if t not in _RESULTS]
    if new:
        _RESULTS.update(zip(new, lint_texts(new)))
    return [_RESULTS[t] for t in texts]
