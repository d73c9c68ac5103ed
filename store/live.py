"""Live classroom sessions: a teacher drives one shared run, every student's canvas follows.

Everything a live lesson needs is a row (tables `live_sessions`, `live_participants`, `live_questions`,
`live_answers`, schema v3), never a process's memory, so N Streamlit replicas behind a balancer serve one
class and a replica can die mid-lesson without losing the position or an answer.

    s = live.start(teacher_key, "Week 3", run_code)          # s.code is the join code ("K7Q-3MX")
    live.set_position(teacher_key, s.id, hop=5, sim_t=2.0, playing=False, speed=1)
    seat, token = live.join(s.code, "Ada")                   # no account: the token is the student's seat
    live.snapshot(s.id, seat.id)                             # what a student's screen polls
    live.position(s.code)                                    # what a student's canvas fetches (ui.serve)
    q = live.ask(teacher_key, s.id, hop=5, stem=..., options=[{"id": "a", "text": ...}, ...], answer="a")
    live.answer(token, q, "a");  live.tally(teacher_key, s.id, q);  live.reveal(teacher_key, s.id, q)

The tally of a question and the per-question results withhold the distribution below
`store.classes.MIN_GROUP` answers (in a group of three, "how many chose B" says what each one answered).
Seat tokens are stored only as their SHA-256; display names are labels, never identities.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from store.classes import MIN_GROUP, new_join_code, normal_code
from store.db import Database, open_database
from store.learners import clean_name, learner_id
from store.tables import learners, live_answers, live_participants, live_questions, live_sessions

LIFETIME_S = 6 * 3600          # a join code works for six hours (a school day's lesson), or until ended
SEEN_EVERY_S = 30.0            # a seat's `seen_at` is written at most this often (polls are reads)
MAX_OPTIONS = 6
MAX_STEM = 600
MAX_OPTION = 200


class UnknownCode(LookupError):
    """No live session has this join code."""


class Expired(LookupError):
    """The live session with this code has ended or expired."""


@dataclass(frozen=True)
class LiveSession:
    id: int
    code: str
    title: str
    run_code: str
    created_at: float
    expires_at: float
    ended_at: float | None
    teacher: str

    def active(self, now: float | None = None) -> bool:
        return self.ended_at is None and (now if now is not None else time.time()) < self.expires_at


@dataclass(frozen=True)
class Seat:
    id: int
    session_id: int
    display_name: str


@dataclass(frozen=True)
class Question:
    id: int
    hop: int
    source: str
    stem: str
    options: tuple[dict, ...]
    answer: str | None
    explanation: str
    answer_hop: int | None
    asked_at: float
    revealed_at: float | None


def _now(now: float | None) -> float:
    return float(now if now is not None else time.time())


def token_hash(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def _query():
    return sa.select(live_sessions, learners.c.display_name).join(learners, learners.c.id == live_sessions.c.owner_id)


def _session(r) -> LiveSession:
    return LiveSession(r.id, r.code, r.title, r.run_code, r.created_at, r.expires_at, r.ended_at, r.display_name)


def _question(r) -> Question:
    return Question(r.id, r.hop, r.source, r.stem, tuple(json.loads(r.options)), r.answer, r.explanation or "",
                    r.answer_hop, r.asked_at, r.revealed_at)


def _owned_row(conn, owner: str, session_id: int):
    row = conn.execute(sa.select(live_sessions).where(live_sessions.c.id == int(session_id))).first()
    if row is None or row.owner_id != learner_id(conn, owner):
        raise PermissionError("only the teacher who started a live session can drive it")
    return row


def start(owner: str, title: str, run_code: str, *, lifetime_s: float = LIFETIME_S, now: float | None = None,
          db: Database | None = None) -> LiveSession:
    """A new live session on the run `run_code` (a designer.links code) with a fresh join code."""
    title = " ".join(str(title or "").split())[:200] or "Live lesson"
    if not run_code or len(run_code) > 2_000_000:
        raise ValueError("a live session needs the run it plays")
    t = _now(now)
    db = db or open_database()
    with db.write() as conn:
        owner_id = learner_id(conn, owner)
        for _ in range(50):
            code = new_join_code()
            if conn.execute(sa.select(live_sessions.c.id).where(live_sessions.c.code == code)).first() is None:
                break
        new_id = conn.execute(sa.insert(live_sessions).values(
            code=code, owner_id=owner_id, title=title, run_code=run_code, created_at=t, expires_at=t + lifetime_s,
            hop=0, sim_t=0.0, playing=False, speed=1.0, seq=0, updated_at=t)).inserted_primary_key[0]
    return by_id(new_id, db=db)


def by_id(session_id: int, *, db: Database | None = None) -> LiveSession:
    db = db or open_database()
    with db.read() as conn:
        r = conn.execute(_query().where(live_sessions.c.id == int(session_id))).first()
    if r is None:
        raise KeyError(session_id)
    return _session(r)


def by_code(code: str, *, now: float | None = None, db: Database | None = None) -> LiveSession:
    """The active session with this join code; UnknownCode or Expired otherwise."""
    db = db or open_database()
    with db.read() as conn:
        r = conn.execute(_query().where(live_sessions.c.code == normal_code(code))).first()
    if r is None:
        raise UnknownCode(code)
    s = _session(r)
    if not s.active(_now(now)):
        raise Expired(code)
    return s


def owned(owner: str, *, active_only: bool = True, now: float | None = None,
          db: Database | None = None) -> list[LiveSession]:
    """The owner's live sessions, newest first (only those still running unless `active_only=False`)."""
    db = db or open_database()
    with db.read() as conn:
        lid = learner_id(conn, owner)
        rows = conn.execute(_query().where(live_sessions.c.owner_id == lid)
                            .order_by(live_sessions.c.created_at.desc(), live_sessions.c.id.desc())).all()
    out = [_session(r) for r in rows]
    t = _now(now)
    return [s for s in out if s.active(t)] if active_only else out


def owner_session(owner: str, session_id: int, *, db: Database | None = None) -> LiveSession:
    """The session, if `owner` started it; PermissionError for anyone else's (KeyError when missing)."""
    db = db or open_database()
    with db.read() as conn:
        _owned_row(conn, owner, session_id)
    return by_id(session_id, db=db)


def end(owner: str, session_id: int, *, now: float | None = None, db: Database | None = None) -> None:
    db = db or open_database()
    with db.write() as conn:
        _owned_row(conn, owner, session_id)
        conn.execute(sa.update(live_sessions).where(live_sessions.c.id == int(session_id))
                     .values(ended_at=_now(now), playing=False))


def set_position(owner: str, session_id: int, *, hop: int, sim_t: float, playing: bool, speed: float,
                 now: float | None = None, db: Database | None = None) -> int:
    """Record the teacher's position; the sequence number goes up only when something changed. Returns it."""
    hop, sim_t, speed = max(0, int(hop)), max(0.0, float(sim_t)), min(1000.0, max(0.001, float(speed)))
    db = db or open_database()
    with db.write() as conn:
        row = _owned_row(conn, owner, session_id)
        if (row.hop, bool(row.playing), float(row.speed)) == (hop, bool(playing), speed) \
                and abs(float(row.sim_t) - sim_t) < 1e-9:
            return row.seq
        conn.execute(sa.update(live_sessions).where(live_sessions.c.id == row.id)
                     .values(hop=hop, sim_t=sim_t, playing=bool(playing), speed=speed, seq=row.seq + 1,
                             updated_at=_now(now)))
        return row.seq + 1


def position(code: str, *, now: float | None = None, db: Database | None = None) -> dict:
    """The position of the active session with this join code, for the position endpoint (ui.serve): only
    `{hop, t, playing, speed, seq}`, never a title, a name or an id. UnknownCode / Expired otherwise."""
    db = db or open_database()
    with db.read() as conn:
        r = conn.execute(sa.select(live_sessions.c.hop, live_sessions.c.sim_t, live_sessions.c.playing,
                                   live_sessions.c.speed, live_sessions.c.seq, live_sessions.c.ended_at,
                                   live_sessions.c.expires_at)
                         .where(live_sessions.c.code == normal_code(code))).first()
    if r is None:
        raise UnknownCode(code)
    if r.ended_at is not None or _now(now) >= r.expires_at:
        raise Expired(code)
    return {"hop": int(r.hop), "t": float(r.sim_t), "playing": bool(r.playing), "speed": float(r.speed),
            "seq": int(r.seq)}


def set_position_by_code(owner: str, code: str, *, hop: int, sim_t: float, playing: bool, speed: float,
                         now: float | None = None, db: Database | None = None) -> int:
    """`set_position` for the session with this join code (the teacher's canvas knows the code, not the id).
    UnknownCode / Expired for a code that is not a running session, PermissionError for anyone but its
    teacher."""
    session = by_code(code, now=now, db=db)
    return set_position(owner, session.id, hop=hop, sim_t=sim_t, playing=playing, speed=speed, now=now, db=db)


def join(code: str, display_name: str, *, now: float | None = None,
         db: Database | None = None) -> tuple[Seat, str]:
    """A seat in the active session with this code, for a display name (no account). Returns the seat and its
    token (kept by the student's browser; the store keeps only its hash). UnknownCode / Expired / ValueError."""
    name = clean_name(display_name)
    session = by_code(code, now=now, db=db)
    token = secrets.token_urlsafe(18)
    t = _now(now)
    db = db or open_database()
    with db.write() as conn:
        seat_id = conn.execute(sa.insert(live_participants).values(
            session_id=session.id, token_hash=token_hash(token), display_name=name, joined_at=t, seen_at=t)
        ).inserted_primary_key[0]
    return Seat(seat_id, session.id, name), token


def seat(token: str, *, now: float | None = None, db: Database | None = None) -> tuple[Seat, LiveSession] | None:
    """The seat of this token and its session (None for an unknown token); marks the seat as seen."""
    if not token or len(token) > 100:
        return None
    db = db or open_database()
    t = _now(now)
    with db.read() as conn:
        r = conn.execute(sa.select(live_participants).where(live_participants.c.token_hash == token_hash(token))
                         ).first()
    if r is None:
        return None
    if t - r.seen_at > SEEN_EVERY_S:
        with db.write() as conn:
            conn.execute(sa.update(live_participants).where(live_participants.c.id == r.id).values(seen_at=t))
    return Seat(r.id, r.session_id, r.display_name), by_id(r.session_id, db=db)


def participants(owner: str, session_id: int, *, db: Database | None = None) -> list[str]:
    """Display names of who joined (for the teacher), in joining order."""
    db = db or open_database()
    with db.read() as conn:
        _owned_row(conn, owner, session_id)
        return [r.display_name for r in conn.execute(
            sa.select(live_participants.c.display_name).where(live_participants.c.session_id == int(session_id))
            .order_by(live_participants.c.id)).all()]


def _clean_options(options) -> list[dict]:
    out, seen = [], set()
    for n, o in enumerate(options or []):
        text = " ".join(str((o or {}).get("text", "")).split())[:MAX_OPTION]
        oid = str((o or {}).get("id") or f"o{n + 1}")[:40]
        if text and oid not in seen:
            out.append({"id": oid, "text": text})
            seen.add(oid)
    return out[:MAX_OPTIONS]


def ask(owner: str, session_id: int, *, hop: int, stem: str, options: list[dict], answer: str | None,
        source: str = "typed", explanation: str = "", answer_hop: int | None = None, now: float | None = None,
        db: Database | None = None) -> int:
    """Ask the class a question at `hop` (it becomes the current question). Returns its id. ValueError when it
    has no stem, fewer than two options, or an answer that is not one of them."""
    stem = " ".join(str(stem or "").split())[:MAX_STEM]
    opts = _clean_options(options)
    if not stem:
        raise ValueError("a question needs its text")
    if len(opts) < 2:
        raise ValueError("a question needs at least two different answers to choose from")
    if answer is not None and answer not in {o["id"] for o in opts}:
        raise ValueError("the right answer must be one of the options")
    if source not in ("run", "quiz", "typed"):
        raise ValueError("unknown question source")
    db = db or open_database()
    with db.write() as conn:
        _owned_row(conn, owner, session_id)
        return conn.execute(sa.insert(live_questions).values(
            session_id=int(session_id), hop=max(0, int(hop)), source=source, stem=stem, options=json.dumps(opts),
            answer=answer, explanation=str(explanation or "")[:2000],
            answer_hop=None if answer_hop is None else int(answer_hop), asked_at=_now(now))
        ).inserted_primary_key[0]


def current_question(session_id: int, *, db: Database | None = None) -> Question | None:
    db = db or open_database()
    with db.read() as conn:
        r = conn.execute(sa.select(live_questions).where(live_questions.c.session_id == int(session_id))
                         .order_by(live_questions.c.id.desc()).limit(1)).first()
    return None if r is None else _question(r)


def answer(token: str, question_id: int, choice: str, *, now: float | None = None,
           db: Database | None = None) -> bool:
    """Record (or change) a student's answer; False once the answer is revealed, for a question that is not the
    session's current one, or for a choice that is not an option. Committed before it returns."""
    db = db or open_database()
    with db.write() as conn:
        r = conn.execute(sa.select(live_participants).where(live_participants.c.token_hash == token_hash(token))
                         ).first()
        q = conn.execute(sa.select(live_questions).where(live_questions.c.id == int(question_id))).first()
        if r is None or q is None or q.session_id != r.session_id or q.revealed_at is not None:
            return False
        latest = conn.execute(sa.select(sa.func.max(live_questions.c.id))
                              .where(live_questions.c.session_id == q.session_id)).scalar()
        if latest != q.id or str(choice) not in {o["id"] for o in json.loads(q.options)}:
            return False
        key = (live_answers.c.question_id == q.id) & (live_answers.c.participant_id == r.id)
        if conn.execute(sa.select(live_answers.c.choice).where(key)).first() is None:
            conn.execute(sa.insert(live_answers).values(question_id=q.id, participant_id=r.id, choice=str(choice),
                                                        answered_at=_now(now)))
        else:
            conn.execute(sa.update(live_answers).where(key).values(choice=str(choice), answered_at=_now(now)))
    return True


def snapshot(session_id: int, seat_id: int | None = None, *, db: Database | None = None) -> dict:
    """What a follower polls, in one read transaction: the position, whether the session still runs, the
    current question (without its answer until it is revealed) and this seat's own answer to it."""
    db = db or open_database()
    with db.read() as conn:
        s = conn.execute(sa.select(live_sessions).where(live_sessions.c.id == int(session_id))).first()
        if s is None:
            raise KeyError(session_id)
        q = conn.execute(sa.select(live_questions).where(live_questions.c.session_id == s.id)
                         .order_by(live_questions.c.id.desc()).limit(1)).first()
        mine = None
        if q is not None and seat_id is not None:
            mine = conn.execute(sa.select(live_answers.c.choice).where(
                live_answers.c.question_id == q.id, live_answers.c.participant_id == int(seat_id))).scalar()
    question = None
    if q is not None:
        question = _question(q)
        shown = {"id": question.id, "hop": question.hop, "stem": question.stem, "options": list(question.options),
                 "revealed": question.revealed_at is not None, "source": question.source}
        if question.revealed_at is not None:
            shown.update(answer=question.answer, explanation=question.explanation, answer_hop=question.answer_hop)
        question = shown
    return {"hop": s.hop, "sim_t": s.sim_t, "playing": bool(s.playing), "speed": s.speed, "seq": s.seq,
            "updated_at": s.updated_at, "ended": s.ended_at is not None or time.time() >= s.expires_at,
            "question": question, "mine": mine}


def tally(owner: str, session_id: int, question_id: int, *, min_group: int = MIN_GROUP,
          db: Database | None = None) -> dict:
    """How many answered and, from `min_group` answers on, how many chose each option (else withheld)."""
    db = db or open_database()
    with db.read() as conn:
        _owned_row(conn, owner, session_id)
        q = conn.execute(sa.select(live_questions).where(live_questions.c.id == int(question_id),
                                                         live_questions.c.session_id == int(session_id))).first()
        if q is None:
            raise KeyError(question_id)
        rows = conn.execute(sa.select(live_answers.c.choice, sa.func.count()).where(
            live_answers.c.question_id == q.id).group_by(live_answers.c.choice)).all()
        seats = conn.execute(sa.select(sa.func.count()).select_from(live_participants)
                             .where(live_participants.c.session_id == int(session_id))).scalar()
    counts = {c: n for c, n in rows}
    answered = sum(counts.values())
    question = _question(q)
    enough = answered >= max(min_group, 1)
    return {"question_id": q.id, "answered": answered, "seats": seats, "min_group": min_group,
            "withheld": not enough,
            "counts": {o["id"]: counts.get(o["id"], 0) for o in question.options} if enough else None,
            "right": (counts.get(question.answer, 0) if enough and question.answer else None)}


def reveal(owner: str, session_id: int, question_id: int, *, now: float | None = None,
           db: Database | None = None) -> Question:
    db = db or open_database()
    with db.write() as conn:
        _owned_row(conn, owner, session_id)
        conn.execute(sa.update(live_questions).where(live_questions.c.id == int(question_id),
                                                     live_questions.c.session_id == int(session_id),
                                                     live_questions.c.revealed_at.is_(None))
                     .values(revealed_at=_now(now)))
        r = conn.execute(sa.select(live_questions).where(live_questions.c.id == int(question_id))).first()
    return _question(r)


def results(owner: str, session_id: int, *, min_group: int = MIN_GROUP, db: Database | None = None) -> dict:
    """The class results of a live session: per question how many answered and, from `min_group` answers,
    how many were right and the count per option. Never who answered what."""
    db = db or open_database()
    with db.read() as conn:
        row = _owned_row(conn, owner, session_id)
        qs = conn.execute(sa.select(live_questions).where(live_questions.c.session_id == row.id)
                          .order_by(live_questions.c.id)).all()
    items = [tally(owner, session_id, q.id, min_group=min_group, db=db) | {"stem": q.stem, "hop": q.hop,
                                                                          "source": q.source} for q in qs]
    return {"session_id": row.id, "title": row.title, "min_group": min_group, "questions": items}
