"""What a rule is: a stable id whose first letter is its severity, a description, a source, `check`.

Severity policy (the letter of the id):
- E (error): AWS rejects the design when it is deployed (CloudFormation/the service API refuses it).
  The SAM exporter refuses a design with any E finding.
- W (warning): it deploys, but it loses, duplicates or stalls events, or breaks a documented AWS
  best practice that the design itself shows.
- I (info): worth knowing, but whether it matters depends on what the design cannot show
  (operations, runbooks). Catalog patterns may have I findings; never E or W.
"""
from __future__ import annotations

import re

from design.model import Design

SEVERITIES = {"E": "error", "W": "warning", "I": "info"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
ID_RE = re.compile(r"^[EWI][0-9]{4}$")


class Rule:
    """One check. Subclasses set the class attributes and implement `check`."""
    id: str = ""            # e.g. "W2003"; never reused for a different check
    name: str = ""          # short slug, e.g. "queue-without-dlq"
    description: str = ""   # one line: what it finds
    source: str = ""        # where the practice is documented (https URL)

    @property
    def severity(self) -> str:
        return SEVERITIES[self.id[0]]

    def check(self, design: Design) -> list[dict]:
        raise NotImplementedError

    def finding(self, path: str, message: str, fix: str | None = None) -> dict:
        """A finding of this rule; `fix` names an entry of `lint.fixes.FIXES` that repairs it."""
        found = {"id": self.id, "severity": self.severity, "path": path, "message": message}
        if fix is not None:
            from lint.fixes import FIXES
            found["fix"] = {"id": fix, "label": FIXES[fix].label}
        return found

    def describe(self) -> dict:
        return {"id": self.id, "severity": self.severity, "name": self.name, "description": self.description,
                "source": self.source}


def sort_key(finding: dict) -> tuple:
    """Deterministic order: severity, then path, then id (then message, to break the last ties)."""
    return SEVERITY_ORDER[finding["severity"]], finding["path"], finding["id"], finding["message"]
