"""Versioned schema migrations: a `schema_version` table and one function per version, applied in order.

Opening a database runs every migration newer than its recorded version, each in the same transaction
as the version row it writes, so a crash mid-migration leaves the previous version intact. A migration
is frozen once released: it spells out its own DDL rather than using the current table definitions.

- v1: learners, designs, attempts, answers (answers record only right/wrong).
- v2: partial credit (answers.score, backfilled from `correct`), late answers, topics per answer, exam
  deadlines and saved specs on attempts, spaced-review boxes, classes with join codes and members.
- v3: live classroom sessions (position, participants, questions, answers) so that every replica behind a
  balancer serves one lesson from the database (store.live).
"""
from __future__ import annotations

import json

import sqlalchemy as sa

CURRENT = 3


def _add_column(conn, table: str, name: str, type_: sa.types.TypeEngine, default_sql: str | None = None) -> None:
    ddl = f"ALTER TABLE {table} ADD COLUMN {name} {type_.compile(dialect=conn.dialect)}"
    if default_sql is not None:
        ddl += f" NOT NULL DEFAULT {default_sql}"
    conn.exec_driver_sql(ddl)


def _v1(conn) -> None:
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("key", sa.String(200), nullable=False, unique=True),
             sa.Column("display_name", sa.String(80), nullable=False),
             sa.Column("created_at", sa.Float, nullable=False))
    sa.Table("designs", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("owner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
             sa.Column("name", sa.String(200), nullable=False), sa.Column("yaml_text", sa.Text, nullable=False),
             sa.Column("created_at", sa.Float, nullable=False), sa.Column("updated_at", sa.Float, nullable=False),
             sa.UniqueConstraint("owner_id", "name"))
    sa.Table("attempts", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
             sa.Column("mode", sa.String(20), nullable=False), sa.Column("seed", sa.BigInteger, nullable=False),
             sa.Column("item_ids", sa.Text, nullable=False), sa.Column("started_at", sa.Float, nullable=False),
             sa.Column("finished_at", sa.Float))
    sa.Table("answers", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), nullable=False),
             sa.Column("item_id", sa.String(120), nullable=False), sa.Column("response", sa.Text, nullable=False),
             sa.Column("correct", sa.Boolean, nullable=False), sa.Column("answered_at", sa.Float, nullable=False),
             sa.UniqueConstraint("attempt_id", "item_id"))
    md.create_all(conn)


def _v2(conn) -> None:
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("classes", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("owner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
             sa.Column("title", sa.String(200), nullable=False),
             sa.Column("code", sa.String(16), nullable=False, unique=True),
             sa.Column("spec", sa.Text, nullable=False), sa.Column("created_at", sa.Float, nullable=False))
    sa.Table("class_members", md,
             sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id"), primary_key=True),
             sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
             sa.Column("joined_at", sa.Float, nullable=False))
    sa.Table("reviews", md, sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
             sa.Column("concept", sa.String(120), primary_key=True),
             sa.Column("box", sa.Integer, nullable=False), sa.Column("due_at", sa.Float, nullable=False))
    md.create_all(conn, tables=[md.tables["classes"], md.tables["class_members"], md.tables["reviews"]])
    _add_column(conn, "answers", "score", sa.Float(), "0")
    _add_column(conn, "answers", "late", sa.Boolean(), "FALSE" if conn.dialect.name == "postgresql" else "0")
    _add_column(conn, "answers", "topics", sa.Text(), "'[]'")
    for name, type_ in (("spec", sa.Text()), ("title", sa.String(200)), ("deadline_at", sa.Float()),
                        ("class_id", sa.Integer()), ("score", sa.Float()), ("max_score", sa.Float())):
        _add_column(conn, "attempts", name, type_)
    # Data: v1 answers were right (1 point) or wrong (0); finished v1 attempts get their total and spec.
    conn.execute(sa.text("UPDATE answers SET score = CASE WHEN correct THEN 1.0 ELSE 0.0 END"))
    rows = conn.execute(sa.text("SELECT id, mode, seed, item_ids, finished_at FROM attempts")).all()
    for attempt_id, mode, seed, item_ids, finished_at in rows:
        ids = json.loads(item_ids)
        spec = {"topics": [], "difficulties": [], "size": max(1, len(ids)), "seed": seed, "mode": mode,
                "time_limit_s": None, "item_ids": ids, "title": ""}
        total = conn.execute(sa.text("SELECT COALESCE(SUM(score), 0) FROM answers WHERE attempt_id = :a"),
                             {"a": attempt_id}).scalar()
        conn.execute(sa.text("UPDATE attempts SET spec = :s, score = :score, max_score = :m WHERE id = :a"),
                     {"s": json.dumps(spec), "score": float(total) if finished_at is not None else None,
                      "m": float(len(ids)), "a": attempt_id})


def _v3(conn) -> None:
    md = sa.MetaData()
    false = sa.false()
    sa.Table("learners", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("live_sessions", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code", sa.String(16), nullable=False, unique=True),
             sa.Column("owner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
             sa.Column("title", sa.String(200), nullable=False), sa.Column("run_code", sa.Text, nullable=False),
             sa.Column("created_at", sa.Float, nullable=False), sa.Column("expires_at", sa.Float, nullable=False),
             sa.Column("ended_at", sa.Float),
             sa.Column("hop", sa.Integer, nullable=False, server_default="0"),
             sa.Column("sim_t", sa.Float, nullable=False, server_default="0"),
             sa.Column("playing", sa.Boolean, nullable=False, server_default=false),
             sa.Column("speed", sa.Float, nullable=False, server_default="1"),
             sa.Column("seq", sa.Integer, nullable=False, server_default="0"),
             sa.Column("updated_at", sa.Float, nullable=False))
    sa.Table("live_participants", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("session_id", sa.Integer, sa.ForeignKey("live_sessions.id"), nullable=False),
             sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
             sa.Column("display_name", sa.String(80), nullable=False),
             sa.Column("joined_at", sa.Float, nullable=False), sa.Column("seen_at", sa.Float, nullable=False))
    sa.Table("live_questions", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("session_id", sa.Integer, sa.ForeignKey("live_sessions.id"), nullable=False),
             sa.Column("hop", sa.Integer, nullable=False), sa.Column("source", sa.String(20), nullable=False),
             sa.Column("stem", sa.Text, nullable=False), sa.Column("options", sa.Text, nullable=False),
             sa.Column("answer", sa.String(40)),
             sa.Column("explanation", sa.Text, nullable=False, server_default=""),
             sa.Column("answer_hop", sa.Integer),
             sa.Column("asked_at", sa.Float, nullable=False), sa.Column("revealed_at", sa.Float))
    sa.Table("live_answers", md,
             sa.Column("question_id", sa.Integer, sa.ForeignKey("live_questions.id"), primary_key=True),
             sa.Column("participant_id", sa.Integer, sa.ForeignKey("live_participants.id"), primary_key=True),
             sa.Column("choice", sa.String(40), nullable=False),
             sa.Column("answered_at", sa.Float, nullable=False))
    md.create_all(conn, tables=[md.tables[n] for n in ("live_sessions", "live_participants", "live_questions",
                                                       "live_answers")])
    conn.exec_driver_sql("CREATE INDEX ix_live_participants_session ON live_participants (session_id)")
    conn.exec_driver_sql("CREATE INDEX ix_live_questions_session ON live_questions (session_id)")


MIGRATIONS = ((1, _v1), (2, _v2), (3, _v3))
assert MIGRATIONS[-1][0] == CURRENT


def version(conn) -> int:
    return conn.execute(sa.text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar()


def migrate(db, upto: int = CURRENT) -> int:
    """Bring the database to version `upto` (tests pass 1 to build an old database). Returns the version."""
    with db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                             "applied_at VARCHAR(40) NOT NULL)")
    for number, step in MIGRATIONS:
        if number > upto:
            break
        with db.write() as conn:       # one transaction per version; re-read under the write lock
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE schema_version IN EXCLUSIVE MODE")
            if version(conn) >= number:
                continue
            step(conn)
            conn.execute(sa.text("INSERT INTO schema_version (version, applied_at) VALUES (:v, :t)"),
                         {"v": number, "t": _now_text()})
    with db.read() as conn:
        return version(conn)


def _now_text() -> str:
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
