"""Saved designs: a learner's named design documents (YAML text), private to their owner.

`owner` is a learner key (see store.learners); the learner must exist. Saving under a name the owner
already used replaces that design's text (the id stays). Only size is checked here: the caller decides
whether to save designs that do not load yet.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from design.documents import MAX_BYTES
from store.db import Database, open_database
from store.learners import learner_id, now_ts
from store.tables import designs

MAX_NAME = 200


@dataclass(frozen=True)
class SavedDesign:
    id: int
    name: str
    yaml_text: str
    created_at: datetime
    updated_at: datetime


def _row(row) -> SavedDesign:
    when = lambda ts: datetime.fromtimestamp(ts, timezone.utc)  # noqa: E731
    return SavedDesign(row.id, row.name, row.yaml_text, when(row.created_at), when(row.updated_at))


def save(owner: str, name: str, yaml_text: str, *, now: datetime | None = None, db: Database | None = None) -> int:
    """Save (or replace, by name) one of `owner`'s designs; returns its id once it is durably stored."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"a design name has 1 to {MAX_NAME} characters")
    if len(yaml_text.encode("utf-8")) > MAX_BYTES:
        raise ValueError("a design is at most 10 MiB")
    db = db or open_database()
    ts = now_ts(now)
    with db.write() as conn:
        owner_id = learner_id(conn, owner)
        found = conn.execute(sa.select(designs.c.id).where(designs.c.owner_id == owner_id, designs.c.name == name)
                             ).scalar()
        if found is not None:
            conn.execute(sa.update(designs).where(designs.c.id == found).values(yaml_text=yaml_text, updated_at=ts))
            return found
        return conn.execute(sa.insert(designs).values(owner_id=owner_id, name=name, yaml_text=yaml_text,
                                                      created_at=ts, updated_at=ts)).inserted_primary_key[0]


def list_designs(owner: str, *, db: Database | None = None) -> builtins.list[SavedDesign]:
    """The owner's designs, most recently changed first (an unknown owner has none)."""
    db = db or open_database()
    with db.read() as conn:
        try:
            owner_id = learner_id(conn, owner)
        except KeyError:
            return []
        rows = conn.execute(sa.select(designs).where(designs.c.owner_id == owner_id)
                            .order_by(designs.c.updated_at.desc(), designs.c.id.desc())).all()
    return [_row(r) for r in rows]


def load(owner: str, design_id: int, *, db: Database | None = None) -> SavedDesign:
    """One of the owner's designs; KeyError if it does not exist or belongs to someone else."""
    db = db or open_database()
    with db.read() as conn:
        owner_id = learner_id(conn, owner)
        row = conn.execute(sa.select(designs).where(designs.c.id == int(design_id),
                                                    designs.c.owner_id == owner_id)).first()
    if row is None:
        raise KeyError(design_id)
    return _row(row)


def delete(owner: str, design_id: int, *, db: Database | None = None) -> bool:
    db = db or open_database()
    with db.write() as conn:
        owner_id = learner_id(conn, owner)
        return conn.execute(sa.delete(designs).where(designs.c.id == int(design_id),
                                                     designs.c.owner_id == owner_id)).rowcount > 0


list = list_designs   # the documented name: store.designs.list(owner)
