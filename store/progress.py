"""Quiz attempts, answers and spaced-review boxes, always scoped to one learner.

Every function takes the learner's key first and only ever reads or writes that learner's rows; an
attempt id belonging to someone else raises PermissionError. `record_answer` stores the answer and the
spaced-review update in one transaction: once it returns, both are durable.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone

import sqlalchemy as sa

from quizzes import spaced
from quizzes.engine import Answer, Session
from store.db import Database, open_database
from store.learners import learner_id, now_ts
from store.tables import answers, attempts, reviews


def _when(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc)


def _own_attempt(conn, owner: str, attempt_id: int) -> int:
    lid = learner_id(conn, owner)
    found = conn.execute(sa.select(attempts.c.learner_id).where(attempts.c.id == int(attempt_id))).scalar()
    if found != lid:
        raise PermissionError(f"attempt {attempt_id} is not yours")
    return lid


def start_attempt(owner: str, session: Session, *, class_id: int | None = None, db: Database | None = None) -> int:
    db = db or open_database()
    spec = session.spec
    with db.write() as conn:
        lid = learner_id(conn, owner)
        return conn.execute(sa.insert(attempts).values(
            learner_id=lid, mode=spec.mode, seed=spec.seed, item_ids=json.dumps(session.item_ids),
            started_at=now_ts(session.started_at), spec=json.dumps(asdict(spec)), title=spec.title or None,
            deadline_at=now_ts(session.deadline) if session.deadline else None, class_id=class_id,
            max_score=float(len(session.item_ids)))).inserted_primary_key[0]


def record_answer(owner: str, attempt_id: int, item_id: str, answer: Answer, topics, *,
                  db: Database | None = None) -> None:
    """Store one graded answer and move the spaced-review boxes of its topics, atomically."""
    db = db or open_database()
    with db.write() as conn:
        lid = _own_attempt(conn, owner, attempt_id)
        conn.execute(sa.insert(answers).values(
            attempt_id=int(attempt_id), item_id=item_id, response=json.dumps(answer.response, sort_keys=True),
            correct=answer.score >= 1 - 1e-9, answered_at=now_ts(answer.answered_at), score=float(answer.score),
            late=bool(answer.late), topics=json.dumps(list(topics))))
        if answer.late:
            return                       # a late exam answer is not counted, for reviews either
        current = _states(conn, lid, topics)
        for concept, state in spaced.apply(current, topics, answer.score, answer.answered_at).items():
            conn.execute(sa.delete(reviews).where(reviews.c.learner_id == lid, reviews.c.concept == concept))
            if state is not None:
                conn.execute(sa.insert(reviews).values(learner_id=lid, concept=concept, box=state.box,
                                                       due_at=now_ts(state.due_at)))


def finish_attempt(owner: str, attempt_id: int, session: Session, *, db: Database | None = None) -> None:
    db = db or open_database()
    with db.write() as conn:
        _own_attempt(conn, owner, attempt_id)
        conn.execute(sa.update(attempts).where(attempts.c.id == int(attempt_id)).values(
            finished_at=now_ts(session.finished_at), score=session.score(), max_score=float(len(session.item_ids))))


def _states(conn, lid: int, topics=None) -> dict[str, spaced.ReviewState]:
    q = sa.select(reviews).where(reviews.c.learner_id == lid)
    if topics is not None:
        q = q.where(reviews.c.concept.in_(list(topics)))
    return {r.concept: spaced.ReviewState(r.concept, r.box, _when(r.due_at)) for r in conn.execute(q)}


def review_states(owner: str, *, db: Database | None = None) -> dict[str, spaced.ReviewState]:
    db = db or open_database()
    with db.read() as conn:
        return _states(conn, learner_id(conn, owner))


def due_reviews(owner: str, now: datetime, *, db: Database | None = None) -> list[spaced.ReviewState]:
    return spaced.due(review_states(owner, db=db).values(), now)


def history(owner: str, *, db: Database | None = None) -> list[dict]:
    """The learner's attempts, newest first, with how many items they answered."""
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, owner)
        counts = sa.select(answers.c.attempt_id, sa.func.count().label("answered")).group_by(
            answers.c.attempt_id).subquery()
        rows = conn.execute(sa.select(attempts, sa.func.coalesce(counts.c.answered, 0).label("answered"))
                            .outerjoin(counts, counts.c.attempt_id == attempts.c.id)
                            .where(attempts.c.learner_id == lid)
                            .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())).all()
    return [{"id": r.id, "title": r.title or "", "mode": r.mode, "started_at": _when(r.started_at),
             "finished_at": _when(r.finished_at), "score": r.score, "max_score": r.max_score,
             "answered": r.answered, "class_id": r.class_id, "items": len(json.loads(r.item_ids))} for r in rows]


def attempt_answers(owner: str, attempt_id: int, *, db: Database | None = None) -> list[dict]:
    db = db or open_database()
    with db.read() as conn:
        _own_attempt(conn, owner, attempt_id)
        rows = conn.execute(sa.select(answers).where(answers.c.attempt_id == int(attempt_id))
                            .order_by(answers.c.id)).all()
    return [{"item_id": r.item_id, "response": json.loads(r.response), "score": r.score, "late": bool(r.late),
             "correct": bool(r.correct), "answered_at": _when(r.answered_at), "topics": json.loads(r.topics)}
            for r in rows]


def topic_stats(owner: str, topics_of=None, *, db: Database | None = None) -> dict[str, dict]:
    """Per topic: points scored and answers counted over all of the learner's on-time answers.
    `topics_of(item_id)` fills in topics for answers stored before topics were recorded (schema v1)."""
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, owner)
        rows = conn.execute(sa.select(answers.c.item_id, answers.c.score, answers.c.topics)
                            .join(attempts, attempts.c.id == answers.c.attempt_id)
                            .where(attempts.c.learner_id == lid, answers.c.late == sa.false())).all()
    out: dict[str, dict] = {}
    for item_id, score, topics in rows:
        names = json.loads(topics) or (list(topics_of(item_id)) if topics_of else [])
        for t in names:
            row = out.setdefault(t, {"score": 0.0, "answered": 0})
            row["score"] = round(row["score"] + score, 6)
            row["answered"] += 1
    return dict(sorted(out.items()))


def weak_topics(stats: dict[str, dict], min_answers: int = 2, limit: int = 5) -> list[tuple[str, float]]:
    """Topics with at least `min_answers` answers, weakest first: (topic, share of points scored)."""
    rated = [(t, s["score"] / s["answered"]) for t, s in stats.items() if s["answered"] >= min_answers]
    return sorted((r for r in rated if r[1] < 1), key=lambda r: (r[1], r[0]))[:limit]


# --- attempts left open -----------------------------------------------------------------------------------
# An attempt is "open" until it is finished. A learner who reloads the page resumes their newest open attempt
# (ui.quiz_state.resume); one who starts another quiz, or who does not come back, has abandoned it. Abandoned
# attempts are closed: finished at their last activity (the last answer, else the start), scored with the
# answers they got (unanswered items score 0), so no attempt stays "in progress" forever.
ABANDON_AFTER_S = 24 * 3600          # an untimed attempt nobody touched for a day
EXAM_GRACE_S = 10 * 60               # a timed exam, this long after its deadline


def _last_activity(conn, attempt_id: int, started_at: float) -> float:
    last = conn.execute(sa.select(sa.func.max(answers.c.answered_at))
                        .where(answers.c.attempt_id == attempt_id)).scalar()
    return max(started_at, last or started_at)


def _close(conn, row) -> None:
    score = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(answers.c.score), 0.0))
                         .where(answers.c.attempt_id == row.id)).scalar()
    conn.execute(sa.update(attempts).where(attempts.c.id == row.id, attempts.c.finished_at.is_(None)).values(
        finished_at=_last_activity(conn, row.id, row.started_at), score=round(float(score or 0.0), 6),
        max_score=float(len(json.loads(row.item_ids)))))


def open_attempt(owner: str, *, db: Database | None = None) -> dict | None:
    """The learner's newest unfinished attempt with its answers (to resume it), or None."""
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, owner)
        row = conn.execute(sa.select(attempts).where(attempts.c.learner_id == lid, attempts.c.finished_at.is_(None))
                           .order_by(attempts.c.started_at.desc(), attempts.c.id.desc()).limit(1)).first()
        if row is None:
            return None
        got = conn.execute(sa.select(answers).where(answers.c.attempt_id == row.id).order_by(answers.c.id)).all()
    return {"id": row.id, "spec": json.loads(row.spec) if row.spec else None, "item_ids": json.loads(row.item_ids),
            "started_at": _when(row.started_at), "deadline": _when(row.deadline_at), "class_id": row.class_id,
            "answers": {a.item_id: {"response": json.loads(a.response), "score": a.score, "late": bool(a.late),
                                    "answered_at": _when(a.answered_at)} for a in got}}


def close_attempt(owner: str, attempt_id: int, *, db: Database | None = None) -> None:
    """Close one of the learner's attempts as abandoned (a no-op when it is already finished)."""
    db = db or open_database()
    with db.write() as conn:
        _own_attempt(conn, owner, attempt_id)
        row = conn.execute(sa.select(attempts).where(attempts.c.id == int(attempt_id))).first()
        if row.finished_at is None:
            _close(conn, row)


def close_open_attempts(owner: str, *, keep: int | None = None, db: Database | None = None) -> int:
    """Close the learner's open attempts except `keep` (they started another quiz). Returns how many."""
    db = db or open_database()
    with db.write() as conn:
        lid = learner_id(conn, owner)
        q = sa.select(attempts).where(attempts.c.learner_id == lid, attempts.c.finished_at.is_(None))
        if keep is not None:
            q = q.where(attempts.c.id != int(keep))
        rows = conn.execute(q).all()
        for row in rows:
            _close(conn, row)
    return len(rows)


def close_abandoned(now: datetime, *, owner: str | None = None, idle_s: float = ABANDON_AFTER_S,
                    grace_s: float = EXAM_GRACE_S, db: Database | None = None) -> int:
    """Close every open attempt (one learner's with `owner`, else everyone's) whose last activity is more than
    `idle_s` ago, and every timed exam more than `grace_s` past its deadline. Returns how many were closed."""
    db = db or open_database()
    cutoff, t = now_ts(now) - idle_s, now_ts(now)
    with db.write() as conn:
        q = sa.select(attempts).where(attempts.c.finished_at.is_(None))
        if owner is not None:
            q = q.where(attempts.c.learner_id == learner_id(conn, owner))
        closed = 0
        for row in conn.execute(q).all():
            exam_over = row.deadline_at is not None and row.deadline_at + grace_s < t
            if exam_over or _last_activity(conn, row.id, row.started_at) < cutoff:
                _close(conn, row)
                closed += 1
    return closed
