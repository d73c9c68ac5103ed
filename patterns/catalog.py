"""Load the pattern catalog: one YAML file per pattern under patterns/data, checked on load."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema

from design import Design, DesignError, from_data
from design.documents import DocumentError, parse, read_text
from patterns.schema import COMPARISON_SCHEMA, PATTERN_SCHEMA

DATA_DIR = Path(__file__).parent / "data"
COMPARISON_DIR = DATA_DIR / "comparisons"


class CatalogError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Pattern:
    doc: dict
    design: Design
    path: Path

    def __getattr__(self, key):
        # Text fields read as attributes: pattern.summary, pattern.when_to_use, ...
        try:
            return self.doc[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def services(self) -> list[str]:
        """Service types in its design, in first-seen order (derived, so never out of date)."""
        seen: list[str] = []
        for node in self.design.nodes:
            if node.type not in seen:
                seen.append(node.type)
        return seen

    def summary_row(self) -> dict:
        return {"id": self.doc["id"], "title": self.doc["title"], "kind": self.doc["kind"],
                "level": self.doc["level"], "services": self.services}


def file_problems(path: Path, schema: dict) -> tuple[dict | None, list[str]]:
    """Parse one catalog file and list its schema problems, each prefixed with the file name."""
    try:
        doc = parse(read_text(path), "yaml", name=path.name)
    except DocumentError as exc:
        return None, [str(exc)]
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f"{path.name}: {'.'.join(str(p) for p in err.absolute_path) or '(top)'}: {err.message}"
                for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
    if isinstance(doc, dict) and doc.get("id") and f"{doc['id']}.yaml" != path.name:
        problems.append(f"{path.name}: id {doc['id']!r} must match the file name")
    return doc, problems


def load_pattern(path: Path) -> Pattern:
    doc, problems = file_problems(path, PATTERN_SCHEMA)
    if problems:
        raise CatalogError(problems)
    try:
        design = from_data(doc["design"])
    except DesignError as exc:
        raise CatalogError([f"{path.name}: design.{p}" for p in exc.problems]) from None
    return Pattern(doc=doc, design=design, path=path)


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, Pattern]:
    """Every pattern by id, in title order; raises CatalogError listing every problem found."""
    patterns: dict[str, Pattern] = {}
    problems: list[str] = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        try:
            pattern = load_pattern(path)
        except CatalogError as exc:
            problems += exc.problems
            continue
        patterns[pattern.id] = pattern
    for pattern in patterns.values():
        for ref in pattern.related + [pattern.doc.get(k) for k in ("compare_with", "anti_pattern_of")
                                      if pattern.doc.get(k)]:
            if ref not in patterns:
                problems.append(f"{pattern.path.name}: refers to unknown pattern {ref!r}")
    if problems:
        raise CatalogError(problems)
    return dict(sorted(patterns.items(), key=lambda kv: kv[1].title.lower()))


@lru_cache(maxsize=1)
def load_comparisons() -> dict[str, dict]:
    comparisons, problems = {}, []
    catalog = load_catalog()
    for path in sorted(COMPARISON_DIR.glob("*.yaml")):
        doc, found = file_problems(path, COMPARISON_SCHEMA)
        problems += found
        if not found:
            problems += [f"{path.name}: unknown pattern {doc[k]!r}" for k in ("left", "right")
                         if doc[k] not in catalog]
            comparisons[doc["id"]] = doc
    if problems:
        raise CatalogError(problems)
    return comparisons


def get(pattern_id: str) -> Pattern:
    catalog = load_catalog()
    if pattern_id not in catalog:
        raise KeyError(pattern_id)
    return catalog[pattern_id]
