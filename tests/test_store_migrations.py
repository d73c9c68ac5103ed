"""Schema migrations: a version-1 database, filled the way version-1 code wrote it, opened with the current
code keeps every row and gains the new columns with their values derived (SQLite and PostgreSQL)."""
import json

import pytest
import sqlalchemy as sa

from store import designs, learners, progress
from store.db import Database
from store.migrations import CURRENT
from test_store import db_url, postgres  # noqa: F401  (fixtures: SQLite and PostgreSQL)


def _v1_database(url: str) -> None:
    old = Database(url, upto=1)
    assert old.version == 1
    with old.write() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("answers")}
        assert "score" not in columns                       # really the old shape
        conn.execute(sa.text("INSERT INTO learners (id, key, display_name, created_at) "
                             "VALUES (1, 'code:abc', 'Ada', 100.0)"))
        conn.execute(sa.text("INSERT INTO designs (owner_id, name, yaml_text, created_at, updated_at) "
                             "VALUES (1, 'Orders', 'name: Orders\n', 100.0, 200.0)"))
        conn.execute(sa.text("INSERT INTO attempts (id, learner_id, mode, seed, item_ids, started_at, finished_at) "
                             "VALUES (1, 1, 'quiz', 42, :ids, 300.0, 400.0)"),
                     {"ids": json.dumps(["cvo-pivot", "dlq-when-moved", "saga-x"])})
        for n, (item, correct) in enumerate((("cvo-pivot", True), ("dlq-when-moved", False))):
            conn.execute(sa.text("INSERT INTO answers (attempt_id, item_id, response, correct, answered_at) "
                                 "VALUES (1, :i, :r, :c, :t)"),
                         {"i": item, "r": json.dumps({"selected": ["a"]}), "c": correct, "t": 310.0 + n})
    old.dispose()


def test_v1_database_migrates_with_data_preserved(db_url):  # noqa: F811
    _v1_database(db_url)
    db = Database(db_url)
    try:
        assert db.version == CURRENT
        with db.read() as conn:
            versions = [r[0] for r in conn.execute(sa.text("SELECT version FROM schema_version ORDER BY version"))]
            scores = conn.execute(sa.text("SELECT item_id, score, late, topics FROM answers ORDER BY id")).all()
            attempt = conn.execute(sa.text("SELECT spec, score, max_score FROM attempts")).one()
        assert versions == list(range(1, CURRENT + 1))
        assert [(r[0], r[1], bool(r[2]), r[3]) for r in scores] == [("cvo-pivot", 1.0, False, "[]"),
                                                                  ("dlq-when-moved", 0.0, False, "[]")]
        spec = json.loads(attempt[0])
        assert spec["seed"] == 42 and spec["item_ids"] == ["cvo-pivot", "dlq-when-moved", "saga-x"]
        assert (attempt[1], attempt[2]) == (1.0, 3.0)
        # the current code reads the migrated rows
        assert learners.get("code:abc", db=db).display_name == "Ada"
        assert [d.name for d in designs.list("code:abc", db=db)] == ["Orders"]
        history = progress.history("code:abc", db=db)
        assert history[0]["score"] == 1.0 and history[0]["answered"] == 2 and history[0]["items"] == 3
        stats = progress.topic_stats("code:abc", topics_of=lambda iid: ("saga",), db=db)
        assert stats == {"saga": {"score": 1.0, "answered": 2}}
    finally:
        db.dispose()
    again = Database(db_url)                                # opening twice migrates nothing more
    with again.read() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM schema_version")).scalar() == CURRENT
        assert conn.execute(sa.text("SELECT COUNT(*) FROM answers")).scalar() == 2
    again.dispose()


def test_a_failed_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/half.sqlite3"
    _v1_database(url)
    import store.migrations as m

    def broken(conn):
        m._v2(conn)
        raise RuntimeError("power cut in the middle of v2")
    monkeypatch.setattr(m, "MIGRATIONS", ((1, m._v1), (2, broken)))
    with pytest.raises(RuntimeError):
        Database(url)
    monkeypatch.undo()
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT MAX(version) FROM schema_version")).scalar() == 1
        assert "score" not in {c["name"] for c in sa.inspect(conn).get_columns("answers")}
    assert Database(url).version == CURRENT                # and the real v2 still applies afterwards
