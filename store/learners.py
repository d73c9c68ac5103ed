"""Learners: who a row of progress belongs to.

A learner is identified by a key that nobody else can guess:
- `oidc:<subject>` when the site uses an identity provider (Streamlit's st.login), or
- `code:<sha256 of a personal code>` for a learner who just gives a display name: they are shown a
  personal code once (like "K7QM-4TZP-9WXA") and type it to come back; the code itself is never stored.
Display names are only labels and need not be unique, so typing someone's name gives no access.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from store.db import Database, open_database
from store.tables import learners

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: easy to read aloud and type
MAX_NAME = 80


class UnknownLearner(KeyError):
    pass


@dataclass(frozen=True)
class Learner:
    id: int
    key: str
    display_name: str


def now_ts(now: datetime | None = None) -> float:
    return (now or datetime.now(timezone.utc)).timestamp()


def clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValueError("a display name is needed")
    if len(name) > MAX_NAME:
        raise ValueError(f"a display name has at most {MAX_NAME} characters")
    return name


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def key_for_code(code: str) -> str:
    normal = "".join(ch for ch in str(code).upper() if ch.isalnum())
    return "code:" + hashlib.sha256(normal.encode()).hexdigest()


def key_for_user(subject: str) -> str:
    return f"oidc:{subject}"


def _row(row) -> Learner:
    return Learner(id=row.id, key=row.key, display_name=row.display_name)


def ensure(key: str, display_name: str, *, db: Database | None = None) -> Learner:
    """The learner with this key, created if new; the display name is updated if it changed."""
    db = db or open_database()
    name = clean_name(display_name)
    with db.write() as conn:
        row = conn.execute(sa.select(learners).where(learners.c.key == key)).first()
        if row is None:
            new_id = conn.execute(sa.insert(learners).values(key=key, display_name=name, created_at=now_ts())
                                  ).inserted_primary_key[0]
            return Learner(new_id, key, name)
        if row.display_name != name:
            conn.execute(sa.update(learners).where(learners.c.id == row.id).values(display_name=name))
        return Learner(row.id, key, name)


def create_with_code(display_name: str, *, db: Database | None = None) -> tuple[Learner, str]:
    """A new learner with a fresh personal code (returned once, never stored)."""
    code = new_code()
    return ensure(key_for_code(code), display_name, db=db), code


def from_code(code: str, *, db: Database | None = None) -> Learner | None:
    return get(key_for_code(code), db=db)


def get(key: str, *, db: Database | None = None) -> Learner | None:
    db = db or open_database()
    with db.read() as conn:
        row = conn.execute(sa.select(learners).where(learners.c.key == key)).first()
    return _row(row) if row else None


def learner_id(conn, key: str) -> int:
    found = conn.execute(sa.select(learners.c.id).where(learners.c.key == key)).scalar()
    if found is None:
        raise UnknownLearner(key)
    return found
