"""The database: one SQLAlchemy engine per URL, connection settings, transactions.

The URL comes from the environment variable SPS_DATABASE_URL (any SQLAlchemy URL, e.g.
`postgresql+psycopg://user:pass@host/dbname`); without it, a SQLite file in the user's data directory
(`$XDG_DATA_HOME/serverless-pattern-studio/studio.sqlite3`, `~/.local/share/...` by default).

SQLite is opened in WAL mode with `synchronous=FULL`, so a transaction that has committed survives a
killed process (and a power cut), and with a busy timeout so that concurrent sessions wait instead of
failing. Writes take the write lock up front (`BEGIN IMMEDIATE`), so a read-then-write transaction can
never deadlock with another writer.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ENV_VAR = "SPS_DATABASE_URL"
BUSY_TIMEOUT_MS = 15_000
_engines: dict[str, "Database"] = {}
_lock = threading.Lock()


def default_url() -> str:
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    path = base / "serverless-pattern-studio" / "studio.sqlite3"
    return f"sqlite:///{path}"


class Database:
    """An engine plus its dialect's settings; the schema is migrated to the current version on open."""

    def __init__(self, url: str, upto: int | None = None):
        self.url = sa.engine.make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and self.url.database not in (None, "", ":memory:") \
                and not self.url.database.startswith("file:"):
            private_file(Path(self.url.database).expanduser())
        kwargs = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = sa.create_engine(self.url, **kwargs)
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        from store.migrations import CURRENT, migrate
        self.version = migrate(self, CURRENT if upto is None else upto)

    @contextmanager
    def write(self):
        """A read-write transaction; committed when the block ends without an exception."""
        with self.engine.connect() as conn:
            conn.info["immediate"] = True
            with conn.begin():
                yield conn

    @contextmanager
    def read(self):
        with self.engine.connect() as conn:
            conn.info["immediate"] = False
            with conn.begin():
                yield conn

    def pragma(self, name: str):
        """A SQLite pragma's value on a fresh connection (for checks and tests)."""
        with self.engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

    def dispose(self) -> None:
        self.engine.dispose()


def private_file(path: Path) -> None:
    """The SQLite file readable and writable by this user only (0600; its folder 0700 when we make it):
    it holds every learner's answers. SQLite gives the -wal and -shm files the database file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))     # create it ourselves, never 0644
    except OSError:
        return          # not ours to change (or a read-only place): SQLite reports what matters
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if each.exists() and each.stat().st_mode & 0o077:
                os.chmod(each, 0o600)                                # an older file: tighten it
        except OSError:
            pass


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None          # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")


def open_database(url: str | None = None) -> Database:
    """The Database for `url` (default: SPS_DATABASE_URL or the SQLite file), opened once per process."""
    url = url or default_url()
    with _lock:
        if url not in _engines:
            _engines[url] = Database(url)
        return _engines[url]


def forget(url: str) -> None:
    """Close and drop a cached Database (tests reopen files to check what survived)."""
    with _lock:
        db = _engines.pop(url, None)
    if db is not None:
        db.dispose()
