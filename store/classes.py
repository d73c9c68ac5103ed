"""Class quizzes: a teacher fixes a set of questions under a join code; learners join with the code and
take it; the teacher sees per-item results for their own class only, aggregated (never who answered what).
"""
from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from quizzes.engine import Spec
from store.db import Database, open_database
from store.learners import CODE_ALPHABET, learner_id, now_ts
from store.tables import answers, attempts, class_members, classes, learners


# Aggregates of fewer answers than this are withheld: in a class of one, "the mean score" and "how often each
# option was chosen" are that learner's own answers.
MIN_GROUP = 5


@dataclass(frozen=True)
class ClassQuiz:
    id: int
    title: str
    code: str
    spec: Spec
    created_at: datetime
    teacher: str


def new_join_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def normal_code(code: str) -> str:
    raw = "".join(ch for ch in str(code).upper() if ch.isalnum())
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == 6 else raw


def _spec(text: str) -> Spec:
    doc = json.loads(text)
    return Spec(**{k: tuple(v) if isinstance(v, list) else v for k, v in doc.items()})


def _query():
    return sa.select(classes, learners.c.display_name).join(learners, learners.c.id == classes.c.owner_id)


def _row(r) -> ClassQuiz:
    return ClassQuiz(r.id, r.title, r.code, _spec(r.spec), datetime.fromtimestamp(r.created_at, timezone.utc),
                     r.display_name)


def create(owner: str, title: str, spec: Spec, *, now: datetime | None = None, db: Database | None = None) -> ClassQuiz:
    """A class quiz with a fresh join code. `spec.item_ids` must already fix the questions."""
    title = " ".join(str(title or "").split())
    if not title or len(title) > 200:
        raise ValueError("a class quiz needs a title (at most 200 characters)")
    if not spec.item_ids:
        raise ValueError("a class quiz fixes its questions: give spec.item_ids")
    db = db or open_database()
    with db.write() as conn:
        owner_id = learner_id(conn, owner)
        for _ in range(20):
            code = new_join_code()
            if conn.execute(sa.select(classes.c.id).where(classes.c.code == code)).first() is None:
                break
        new_id = conn.execute(sa.insert(classes).values(owner_id=owner_id, title=title, code=code,
                                                        spec=json.dumps(asdict(spec)), created_at=now_ts(now))
                              ).inserted_primary_key[0]
    return by_id(new_id, db=db)


def by_id(class_id: int, *, db: Database | None = None) -> ClassQuiz:
    db = db or open_database()
    with db.read() as conn:
        r = conn.execute(_query().where(classes.c.id == int(class_id))).first()
    if r is None:
        raise KeyError(class_id)
    return _row(r)


def join(learner: str, code: str, *, now: datetime | None = None, db: Database | None = None) -> ClassQuiz:
    """Join the class with this code (joining twice is harmless); KeyError for an unknown code."""
    db = db or open_database()
    with db.write() as conn:
        lid = learner_id(conn, learner)
        r = conn.execute(_query().where(classes.c.code == normal_code(code))).first()
        if r is None:
            raise KeyError(code)
        member = conn.execute(sa.select(class_members).where(class_members.c.class_id == r.id,
                                                             class_members.c.learner_id == lid)).first()
        if member is None:
            conn.execute(sa.insert(class_members).values(class_id=r.id, learner_id=lid, joined_at=now_ts(now)))
    return _row(r)


def owned(owner: str, *, db: Database | None = None) -> list[ClassQuiz]:
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, owner)
        rows = conn.execute(_query().where(classes.c.owner_id == lid).order_by(classes.c.created_at.desc())).all()
    return [_row(r) for r in rows]


def joined(learner: str, *, db: Database | None = None) -> list[ClassQuiz]:
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, learner)
        rows = conn.execute(_query().join(class_members, class_members.c.class_id == classes.c.id)
                            .where(class_members.c.learner_id == lid).order_by(classes.c.created_at.desc())).all()
    return [_row(r) for r in rows]


def is_member(learner: str, class_id: int, *, db: Database | None = None) -> bool:
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, learner)
        return conn.execute(sa.select(class_members).where(class_members.c.class_id == int(class_id),
                                                           class_members.c.learner_id == lid)).first() is not None


def results(owner: str, class_id: int, *, min_group: int = MIN_GROUP, db: Database | None = None) -> dict:
    """Aggregate results of one of the owner's classes: per item, how many answered, the mean score, how many
    were fully right and how often each option was chosen. PermissionError for anyone else's class.
    An aggregate over fewer than `min_group` answers (or finished attempts, for the class's mean score) is
    withheld: its values are None and the item says `withheld: True`; counts of who answered stay."""
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, owner)
        row = conn.execute(sa.select(classes).where(classes.c.id == int(class_id))).first()
        if row is None or row.owner_id != lid:
            raise PermissionError("only the teacher who created a class sees its results")
        members = conn.execute(sa.select(sa.func.count()).select_from(class_members)
                               .where(class_members.c.class_id == row.id)).scalar()
        runs = conn.execute(sa.select(attempts.c.id, attempts.c.finished_at, attempts.c.score)
                            .where(attempts.c.class_id == row.id)).all()
        rows = conn.execute(sa.select(answers.c.item_id, answers.c.score, answers.c.response, answers.c.late)
                            .join(attempts, attempts.c.id == answers.c.attempt_id)
                            .where(attempts.c.class_id == row.id)).all()
    spec = _spec(row.spec)
    per_item = {iid: {"item_id": iid, "answered": 0, "late": 0, "score_sum": 0.0, "fully_correct": 0,
                      "choices": Counter()} for iid in spec.item_ids}
    for item_id, score, response, late in rows:
        entry = per_item.setdefault(item_id, {"item_id": item_id, "answered": 0, "late": 0, "score_sum": 0.0,
                                              "fully_correct": 0, "choices": Counter()})
        entry["answered"] += 1
        entry["late"] += int(bool(late))
        entry["score_sum"] += score
        entry["fully_correct"] += int(score >= 1 - 1e-9)
        entry["choices"].update(_chosen(json.loads(response)))
    items = []
    for entry in per_item.values():
        n = entry.pop("answered")
        total = entry.pop("score_sum")
        if n < min_group:
            items.append({"item_id": entry["item_id"], "answered": n, "late": None, "fully_correct": None,
                          "mean_score": None, "choices": {}, "withheld": n > 0})
            continue
        items.append({**entry, "answered": n, "mean_score": round(total / n, 4),
                      "choices": dict(sorted(entry["choices"].items())), "withheld": False})
    finished = [r for r in runs if r.finished_at is not None]
    enough = len(finished) >= max(min_group, 1)
    return {"class_id": row.id, "title": row.title, "code": row.code, "members": members, "attempts": len(runs),
            "finished": len(finished),
            "mean_score": round(sum(r.score or 0 for r in finished) / len(finished), 4) if enough else None,
            "mean_withheld": bool(finished) and not enough, "min_group": min_group,
            "max_score": len(spec.item_ids), "items": items}


def _chosen(response: dict) -> list[str]:
    out = list(response.get("selected") or [])
    if response.get("order"):
        out.append("first: " + str(response["order"][0]))
    for key in ("label", "reason"):
        if response.get(key):
            out.append(str(response[key]))
    return out
