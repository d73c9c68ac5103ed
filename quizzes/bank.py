"""Load and check the question banks (`quizzes/banks/*.yaml`): schema, then meaning, then coverage.

`load_items()` returns every item by id or raises BankError with one line per problem;
`check_dir()` returns those lines (plus coverage problems) for `python -m quizzes check`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jsonschema

from design.documents import DocumentError, parse, read_text
from quizzes.items import Item, Option
from quizzes.schema import BANK_SCHEMA, CLASSIFY_LABELS, ITEM_TYPES, TRUE_FALSE

BANK_DIR = Path(__file__).parent / "banks"
MIN_ITEMS = 120
MIN_CHOREO_VS_ORCH = 40
MIN_PER_PATTERN = 3
CVO = "choreography-vs-orchestration"


class BankError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _schema_problems(name: str, doc) -> list[str]:
    validator = jsonschema.Draft202012Validator(BANK_SCHEMA)
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        path = list(err.absolute_path)
        where = ".".join(str(p) for p in path) or "(top)"
        if len(path) >= 2 and path[0] == "items" and isinstance(doc, dict):
            item = (doc.get("items") or [None] * (path[1] + 1))[path[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                where = f"items[{item['id']}]" + "".join(f".{p}" for p in path[2:])
        out.append(f"{name}: {where}: {err.message[:300]}")
    return out


def read_bank(path: Path) -> tuple[dict | None, list[str]]:
    try:
        doc = parse(read_text(path), "yaml", name=path.name)
    except DocumentError as exc:
        return None, [str(exc)]
    problems = _schema_problems(path.name, doc)
    if not problems and doc["bank"] != path.stem:
        problems.append(f"{path.name}: bank id {doc['bank']!r} must match the file name")
    return (doc if not problems else None), problems


def _options(doc_options: list[dict], catalog: dict) -> tuple[Option, ...]:
    out = []
    for o in doc_options:
        text = (o.get("text") or (catalog[o["pattern"]].title if o.get("pattern") in catalog else "")
                or {**TRUE_FALSE, **CLASSIFY_LABELS}.get(o["id"], ""))
        out.append(Option(id=o["id"], text=text, explanation=o["explanation"], correct=bool(o.get("correct"))))
    return tuple(out)


def build_item(doc: dict, bank: str, catalog: dict) -> tuple[Item | None, list[str]]:
    """One item from its document form, with every problem found (a prefix names bank and item)."""
    where = f"{bank}.yaml: items[{doc['id']}]"
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    from quizzes.topics import all_topics
    known = all_topics()
    for t in doc["topics"]:
        if t not in known:
            bad(f"topics: unknown topic {t!r} (a catalog pattern id or one of quizzes.topics.CONCEPTS)")
    design, design_ref = _design(doc, catalog, bad)
    kind = ITEM_TYPES[doc["type"]]["answer"]
    options: tuple[Option, ...] = ()
    answer: tuple[str, ...] = ()
    reasons: tuple[Option, ...] = ()
    answer_reason = None
    facts: dict = {}
    if doc["type"] == "predict":
        if design is not None:
            from quizzes.predict import PredictError, resolve
            try:
                scenario = doc["scenario"] if "scenario" in doc else (design.scenario or {})
                options, correct, facts = resolve(design, scenario, doc["seed"], doc["answer_metric"],
                                                  doc["distractors"], doc["explanation"], doc.get("unit", ""))
                answer = (correct,)
            except PredictError as exc:
                bad(f"predict: {exc}")
    else:
        options = _options(doc["options"], catalog)
        _check_options(doc, options, catalog, bad)
        if kind == "classify":
            reasons = _options(doc["reasons"], catalog)
            if isinstance(doc["answer"], dict):
                answer, answer_reason = (doc["answer"]["label"],), doc["answer"]["reason"]
            _check_classify(doc, options, reasons, bad)
        elif isinstance(doc["answer"], list):
            answer = tuple(doc["answer"])
            _check_answer(doc, kind, options, answer, bad)
        else:
            bad("answer: must be a list of option ids for this item type")
    if problems:
        return None, problems
    return Item(id=doc["id"], type=doc["type"], topics=tuple(doc["topics"]), difficulty=doc["difficulty"],
                stem=doc["stem"].strip(), options=options, answer=answer, sources=tuple(doc["sources"]),
                explanation=(doc.get("explanation") or "").strip(), reasons=reasons, answer_reason=answer_reason,
                design=design, design_ref=design_ref, bank=bank, facts=facts), []


def _design(doc: dict, catalog: dict, bad):
    if doc.get("design_ref"):
        if doc["design_ref"] not in catalog:
            bad(f"design_ref: unknown catalog pattern {doc['design_ref']!r}")
            return None, None
        return catalog[doc["design_ref"]].design, doc["design_ref"]
    if doc.get("design") is not None:
        from design.loader import DesignError, from_data
        try:
            return from_data(doc["design"]), None
        except DesignError as exc:
            for p in exc.problems[:5]:
                bad(f"design.{p}")
    return None, None


def _check_options(doc: dict, options: tuple[Option, ...], catalog: dict, bad) -> None:
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        bad("options: duplicate option ids")
    for raw in doc["options"]:
        if doc["type"] == "pick_pattern":
            if "pattern" not in raw:
                bad(f"options[{raw['id']}]: a pick_pattern option names a catalog `pattern`")
            elif raw["pattern"] not in catalog:
                bad(f"options[{raw['id']}].pattern: unknown catalog pattern {raw['pattern']!r}")
            elif raw["id"] != raw["pattern"]:
                bad(f"options[{raw['id']}]: the id of a pick_pattern option is its pattern id")
        elif "pattern" in raw:
            bad(f"options[{raw['id']}].pattern: only pick_pattern options name a pattern")
        elif "text" not in raw and doc["type"] not in ("true_false", "classify"):
            bad(f"options[{raw['id']}]: text is missing")
        if doc["type"] == "order" and "correct" in raw:
            bad(f"options[{raw['id']}].correct: steps of an order item have a position, not a correct flag")
    for o in options:
        if doc["type"] != "order" and o.correct != o.explanation.lower().startswith("right"):
            bad(f"options[{o.id}].explanation: " + ("a correct option's explanation starts with “Right”"
                                                   if o.correct else "only a correct option's explanation starts "
                                                   "with “Right”"))
    if doc["type"] == "true_false" and set(ids) != set(TRUE_FALSE):
        bad("options: a true_false item has exactly the options `true` and `false`")


def _check_answer(doc: dict, kind: str, options: tuple[Option, ...], answer: tuple[str, ...], bad) -> None:
    ids = {o.id for o in options}
    unknown = [a for a in answer if a not in ids]
    if unknown:
        bad(f"answer: unknown option ids {unknown}")
        return
    if kind == "order":
        if sorted(answer) != sorted(ids) or len(answer) != len(ids):
            bad("answer: an order item's answer lists every step exactly once")
        if len(ids) < 3:
            bad("options: an order item has at least three steps")
        return
    flagged = {o.id for o in options if o.correct}
    if flagged != set(answer):
        bad(f"answer {sorted(answer)} disagrees with the options marked correct {sorted(flagged)}")
    if kind == "one" and len(answer) != 1:
        bad("answer: this item type has exactly one correct option")
    if kind == "many" and len(answer) == len(ids):
        bad("answer: a multiple-choice item needs at least one wrong option")


def _check_classify(doc: dict, options, reasons, bad) -> None:
    if {o.id for o in options} != set(CLASSIFY_LABELS):
        bad(f"options: a classify item's options are exactly {sorted(CLASSIFY_LABELS)}")
    if not isinstance(doc["answer"], dict):
        bad("answer: a classify item's answer is {label, reason}")
        return
    label, reason = doc["answer"]["label"], doc["answer"]["reason"]
    if {o.id for o in options if o.correct} != {label}:
        bad(f"answer.label {label!r} disagrees with the option marked correct")
    if reason not in {r.id for r in reasons}:
        bad(f"answer.reason: unknown reason {reason!r}")
    elif {r.id for r in reasons if r.correct} != {reason}:
        bad(f"answer.reason {reason!r} disagrees with the reason marked correct")
    for r in reasons:
        if r.correct != r.explanation.lower().startswith("right"):
            bad(f"reasons[{r.id}].explanation: a correct reason's explanation starts with “Right”, only that one")
    if len({r.id for r in reasons}) != len(reasons):
        bad("reasons: duplicate ids")


def load_all(bank_dir: Path = BANK_DIR) -> tuple[dict[str, Item], list[str]]:
    from patterns.catalog import load_catalog
    catalog = load_catalog()
    items: dict[str, Item] = {}
    problems: list[str] = []
    paths = sorted(Path(bank_dir).glob("*.yaml"))
    if not paths:
        problems.append(f"{bank_dir}: no bank files (*.yaml)")
    for path in paths:
        doc, found = read_bank(path)
        problems += found
        if doc is None:
            continue
        for raw in doc["items"]:
            if raw["id"] in items:
                problems.append(f"{path.name}: items[{raw['id']}]: duplicate id (also in {items[raw['id']].bank}.yaml)")
                continue
            item, found = build_item(raw, doc["bank"], catalog)
            problems += found
            if item is not None:
                items[item.id] = item
    return items, problems


def coverage_problems(items: dict[str, Item]) -> list[str]:
    from patterns.catalog import load_catalog
    problems = []
    if len(items) < MIN_ITEMS:
        problems.append(f"coverage: {len(items)} items; at least {MIN_ITEMS} are needed")
    cvo = sum(1 for i in items.values() if CVO in i.topics)
    if cvo < MIN_CHOREO_VS_ORCH:
        problems.append(f"coverage: {cvo} items on {CVO}; at least {MIN_CHOREO_VS_ORCH} are needed")
    for pid in load_catalog():
        n = sum(1 for i in items.values() if pid in i.topics)
        if n < MIN_PER_PATTERN:
            problems.append(f"coverage: pattern {pid!r} has {n} items; at least {MIN_PER_PATTERN} are needed")
    for t in ITEM_TYPES:
        if not any(i.type == t for i in items.values()):
            problems.append(f"coverage: no item of type {t!r}")
    return problems


def check_dir(bank_dir: Path = BANK_DIR) -> list[str]:
    """Every problem in a folder of banks: schema, meaning, then coverage (one line each)."""
    items, problems = load_all(bank_dir)
    return problems + coverage_problems(items)


@lru_cache(maxsize=1)
def load_items() -> dict[str, Item]:
    """Every bank item by id (in bank-file order); raises BankError listing every problem."""
    items, problems = load_all()
    if problems:
        raise BankError(problems)
    return items
