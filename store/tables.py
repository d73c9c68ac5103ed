"""The current schema (version 3), as SQLAlchemy Core tables, for queries. Migrations create it.

Times are UTC epoch seconds (floats) so SQLite and PostgreSQL store them alike; JSON is stored as text.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

learners = sa.Table(
    "learners", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),   # "code:<sha256>" or "oidc:<subject>"
    sa.Column("display_name", sa.String(80), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

designs = sa.Table(
    "designs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("yaml_text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("owner_id", "name"),
)

attempts = sa.Table(
    "attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("item_ids", sa.Text, nullable=False),                  # JSON list, in asking order
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float),
    # version 2
    sa.Column("spec", sa.Text),                                      # JSON of quizzes.engine.Spec
    sa.Column("title", sa.String(200)),
    sa.Column("deadline_at", sa.Float),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id")),
    sa.Column("score", sa.Float),
    sa.Column("max_score", sa.Float),
)

answers = sa.Table(
    "answers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), nullable=False),
    sa.Column("item_id", sa.String(120), nullable=False),
    sa.Column("response", sa.Text, nullable=False),                  # JSON
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("answered_at", sa.Float, nullable=False),
    # version 2
    sa.Column("score", sa.Float, nullable=False, server_default="0"),
    sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("topics", sa.Text, nullable=False, server_default="[]"),   # JSON list
    sa.UniqueConstraint("attempt_id", "item_id"),
)

reviews = sa.Table(
    "reviews", metadata,
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
    sa.Column("concept", sa.String(120), primary_key=True),
    sa.Column("box", sa.Integer, nullable=False),
    sa.Column("due_at", sa.Float, nullable=False),
)

classes = sa.Table(
    "classes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("spec", sa.Text, nullable=False),                      # JSON of the Spec, item ids fixed
    sa.Column("created_at", sa.Float, nullable=False),
)

class_members = sa.Table(
    "class_members", metadata,
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id"), primary_key=True),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
    sa.Column("joined_at", sa.Float, nullable=False),
)

# version 3: live classroom sessions (store.live). Everything a live lesson needs is a row here, so any
# replica behind the balancer serves any student: the session and its position, who joined, questions, answers.
live_sessions = sa.Table(
    "live_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),     # join code, e.g. "K7Q-3MX"
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("run_code", sa.Text, nullable=False),                    # designer.links code: design+scenario+seed
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("ended_at", sa.Float),
    sa.Column("hop", sa.Integer, nullable=False, server_default="0"),  # the teacher's position (hops played)
    sa.Column("sim_t", sa.Float, nullable=False, server_default="0"),  # simulated time at that position
    sa.Column("playing", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("speed", sa.Float, nullable=False, server_default="1"),
    sa.Column("seq", sa.Integer, nullable=False, server_default="0"),  # +1 on every change of the position
    sa.Column("updated_at", sa.Float, nullable=False),
)

live_participants = sa.Table(
    "live_participants", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),   # sha256 of the student's seat token
    sa.Column("display_name", sa.String(80), nullable=False),
    sa.Column("joined_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)

live_questions = sa.Table(
    "live_questions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("hop", sa.Integer, nullable=False),                      # asked at this position
    sa.Column("source", sa.String(20), nullable=False),                # "run", "quiz" or "typed"
    sa.Column("stem", sa.Text, nullable=False),
    sa.Column("options", sa.Text, nullable=False),                     # JSON [{id, text}]
    sa.Column("answer", sa.String(40)),                                # the right option's id (None: a poll)
    sa.Column("explanation", sa.Text, nullable=False, server_default=""),
    sa.Column("answer_hop", sa.Integer),                               # where the run shows the answer
    sa.Column("asked_at", sa.Float, nullable=False),
    sa.Column("revealed_at", sa.Float),
)

live_answers = sa.Table(
    "live_answers", metadata,
    sa.Column("question_id", sa.Integer, sa.ForeignKey("live_questions.id"), primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("live_participants.id"), primary_key=True),
    sa.Column("choice", sa.String(40), nullable=False),
    sa.Column("answered_at", sa.Float, nullable=False),
)
