"""The current schema (version 2), as SQLAlchemy Core tables, for queries. Migrations create it.

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
