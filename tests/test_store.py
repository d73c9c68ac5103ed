"""The progress store against SQLite and a real PostgreSQL server (Debian's packages, started here on
loopback): learners, saved designs, attempts and answers, spaced reviews, class quizzes, isolation.
A missing PostgreSQL FAILS these tests; `make test` installs it."""
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from quizzes.bank import load_items
from quizzes.engine import Session, Spec, select
from quizzes.grading import correct_response
from store import classes, designs, learners, progress
from store.db import Database
from store.migrations import CURRENT

ITEMS = load_items()
T0 = datetime(2030, 3, 1, 12, 0, tzinfo=timezone.utc)


def pg_binary(name: str) -> str:
    found = shutil.which(name) or (sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [None])[-1]
    if not found:
        pytest.fail(f"PostgreSQL's {name} is missing: install Debian's postgresql package (`make test` does, "
                    "as root: apt-get install -y postgresql)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (as the postgres user when we are root)."""
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    base = tempfile.mkdtemp(prefix="sps-pg-")
    run_as = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs the postgres system user (from Debian's postgresql package)")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(base, "data"), os.path.join(base, "server.log")
    port = _free_port()
    subprocess.run(run_as + [initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
                   check=True, capture_output=True, timeout=120)
    started = subprocess.run(run_as + [pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-o",
                                       f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
                             capture_output=True, text=True, timeout=90)
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{open(log).read() if os.path.exists(log) else ''}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(run_as + [pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def fresh_postgres_url(server: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/studio.sqlite3"
    return fresh_postgres_url(request.getfixturevalue("postgres"))


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


def test_sqlite_is_wal_with_full_sync(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/x.sqlite3")
    assert database.pragma("journal_mode") == "wal"
    assert database.pragma("synchronous") == 2          # FULL
    assert database.pragma("foreign_keys") == 1
    assert database.version == CURRENT


def test_the_url_comes_from_one_setting(monkeypatch, tmp_path):
    from store.db import default_url
    monkeypatch.setenv("SPS_DATABASE_URL", f"sqlite:///{tmp_path}/chosen.sqlite3")
    assert default_url().endswith("chosen.sqlite3")
    monkeypatch.delenv("SPS_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path}/serverless-pattern-studio/studio.sqlite3"


def test_learners_by_code_never_store_the_code(db):
    ada, code = learners.create_with_code("  Ada   Lovelace ", db=db)
    assert ada.display_name == "Ada Lovelace"
    assert learners.from_code(code.lower().replace("-", " "), db=db) == ada
    assert learners.from_code("AAAA-AAAA-AAAA", db=db) is None
    twin, _ = learners.create_with_code("Ada Lovelace", db=db)         # same name, different learner
    assert twin.id != ada.id
    with db.read() as conn:
        keys = [r[0] for r in conn.execute(sa.text("SELECT key FROM learners"))]
    assert all(code.replace("-", "") not in k for k in keys)
    with pytest.raises(ValueError):
        learners.create_with_code("   ", db=db)
    same = learners.ensure(learners.key_for_user("sub-1"), "Grace", db=db)
    assert learners.ensure(learners.key_for_user("sub-1"), "Grace H.", db=db).id == same.id


def test_saved_designs_are_private_and_replace_by_name(db):
    ada, _ = learners.create_with_code("Ada", db=db)
    bob, _ = learners.create_with_code("Bob", db=db)
    first = designs.save(ada.key, "Orders", "name: v1\n", now=T0, db=db)
    again = designs.save(ada.key, "Orders", "name: v2\n", now=T0 + timedelta(minutes=5), db=db)
    other = designs.save(ada.key, "Payments", "name: p\n", now=T0 + timedelta(minutes=1), db=db)
    assert again == first and other != first
    mine = designs.list(ada.key, db=db)
    assert [d.name for d in mine] == ["Orders", "Payments"]             # most recently saved first
    assert designs.load(ada.key, first, db=db).yaml_text == "name: v2\n"
    assert mine[0].updated_at - mine[0].created_at == timedelta(minutes=5)
    assert designs.list(bob.key, db=db) == []
    with pytest.raises(KeyError):
        designs.load(bob.key, first, db=db)
    assert designs.delete(bob.key, first, db=db) is False
    assert designs.delete(ada.key, first, db=db) is True
    assert [d.name for d in designs.list(ada.key, db=db)] == ["Payments"]
    with pytest.raises(KeyError):
        designs.save("code:nobody", "x", "y", db=db)


def _take(db, learner, spec, right: int, class_id=None, when=T0):
    session = Session.start(ITEMS, spec, when)
    attempt = progress.start_attempt(learner.key, session, class_id=class_id, db=db)
    for n, iid in enumerate(session.item_ids):
        response = correct_response(ITEMS[iid]) if n < right else {"selected": [], "order": []}
        answer = session.answer(ITEMS, iid, response, when + timedelta(seconds=10 * n))
        progress.record_answer(learner.key, attempt, iid, answer, ITEMS[iid].topics, db=db)
    session.finish(when + timedelta(minutes=5))
    progress.finish_attempt(learner.key, attempt, session, db=db)
    return session, attempt


def test_attempts_answers_history_and_reviews(db):
    ada, _ = learners.create_with_code("Ada", db=db)
    session, attempt = _take(db, ada, Spec(topics=("saga",), size=4, seed=1, mode="quiz", title="Sagas"), right=3)
    history = progress.history(ada.key, db=db)
    assert len(history) == 1
    assert history[0]["score"] == 3 and history[0]["max_score"] == 4 and history[0]["answered"] == 4
    assert history[0]["title"] == "Sagas"
    rows = progress.attempt_answers(ada.key, attempt, db=db)
    assert [r["item_id"] for r in rows] == session.item_ids
    assert [r["score"] for r in rows] == [1.0, 1.0, 1.0, 0.0]
    assert rows[0]["response"] == correct_response(ITEMS[rows[0]["item_id"]])
    stats = progress.topic_stats(ada.key, db=db)
    assert stats["saga"] == {"score": 3.0, "answered": 4}
    missed_topics = set(ITEMS[session.item_ids[3]].topics)
    states = progress.review_states(ada.key, db=db)
    assert set(states) == missed_topics and all(s.box == 1 for s in states.values())
    missed_at = T0 + timedelta(seconds=30)
    assert all(s.due_at == missed_at + timedelta(days=1) for s in states.values())
    assert progress.due_reviews(ada.key, missed_at, db=db) == []
    assert {s.concept for s in progress.due_reviews(ada.key, missed_at + timedelta(days=1), db=db)} == missed_topics


def test_one_learner_never_sees_or_writes_anothers_answers(db):
    ada, _ = learners.create_with_code("Ada", db=db)
    eve, _ = learners.create_with_code("Eve", db=db)
    session, attempt = _take(db, ada, Spec(size=2, seed=3, mode="quiz"), right=1)
    assert progress.history(eve.key, db=db) == [] and progress.topic_stats(eve.key, db=db) == {}
    with pytest.raises(PermissionError):
        progress.attempt_answers(eve.key, attempt, db=db)
    spare = next(i for i in ITEMS if i not in session.item_ids)
    fake = Session.start(ITEMS, Spec(item_ids=(spare,), size=1, seed=1), T0)
    answer = fake.answer(ITEMS, spare, correct_response(ITEMS[spare]), T0)
    with pytest.raises(PermissionError):
        progress.record_answer(eve.key, attempt, spare, answer, ITEMS[spare].topics, db=db)
    assert len(progress.attempt_answers(ada.key, attempt, db=db)) == 2


def test_late_exam_answers_are_kept_but_not_counted(db):
    ada, _ = learners.create_with_code("Ada", db=db)
    session = Session.start(ITEMS, Spec(size=2, seed=4, mode="exam", time_limit_s=60), T0)
    attempt = progress.start_attempt(ada.key, session, db=db)
    a, b = session.item_ids
    for iid, at in ((a, T0 + timedelta(seconds=30)), (b, T0 + timedelta(seconds=90))):
        ans = session.answer(ITEMS, iid, correct_response(ITEMS[iid]), at)
        progress.record_answer(ada.key, attempt, iid, ans, ITEMS[iid].topics, db=db)
    rows = progress.attempt_answers(ada.key, attempt, db=db)
    assert [(r["score"], r["late"]) for r in rows] == [(1.0, False), (0.0, True)]
    assert sum(s["answered"] for s in progress.topic_stats(ada.key, db=db).values()) == len(ITEMS[a].topics)


def test_class_quiz_join_code_and_aggregate_results_per_class(db):
    teacher, _ = learners.create_with_code("Ms T", db=db)
    other_teacher, _ = learners.create_with_code("Mr U", db=db)
    spec = Spec(topics=("choreography-vs-orchestration",), size=3, seed=8, mode="quiz", title="Week 3")
    fixed = Spec(**{**spec.__dict__, "item_ids": tuple(select(ITEMS, spec))})
    week3 = classes.create(teacher.key, "Week 3", fixed, now=T0, db=db)
    week4 = classes.create(teacher.key, "Week 4", fixed, now=T0, db=db)
    assert week3.code != week4.code and len(week3.code) == 7
    pupils = [learners.create_with_code(f"P{i}", db=db)[0] for i in range(3)]
    for n, pupil in enumerate(pupils):
        joined = classes.join(pupil.key, week3.code.lower().replace("-", ""), now=T0, db=db)
        classes.join(pupil.key, week3.code, now=T0, db=db)               # twice is harmless
        assert joined.id == week3.id and classes.is_member(pupil.key, week3.id, db=db)
        _take(db, pupil, week3.spec, right=n + 1, class_id=week3.id)      # 1, 2 and 3 right
    outsider = learners.create_with_code("Other class", db=db)[0]
    classes.join(outsider.key, week4.code, db=db)
    _take(db, outsider, week4.spec, right=0, class_id=week4.id)
    result = classes.results(teacher.key, week3.id, min_group=1, db=db)
    assert (result["members"], result["attempts"], result["finished"]) == (3, 3, 3)
    assert result["mean_score"] == 2.0
    assert [r["answered"] for r in result["items"]] == [3, 3, 3]
    assert sorted(r["fully_correct"] for r in result["items"]) == [1, 2, 3]      # week 4's zeros not mixed in
    assert "learner" not in json.dumps(result) and "P0" not in json.dumps(result)
    with pytest.raises(PermissionError):
        classes.results(other_teacher.key, week3.id, db=db)
    with pytest.raises(PermissionError):
        classes.results(pupils[0].key, week3.id, db=db)
    with pytest.raises(KeyError):
        classes.join(pupils[0].key, "ZZZ-ZZZ", db=db)
    # newest first, but both were created within the same clock tick here: the order is not asserted
    assert sorted(c.title for c in classes.owned(teacher.key, db=db)) == ["Week 3", "Week 4"]
    assert [c.id for c in classes.joined(pupils[0].key, db=db)] == [week3.id]


def test_class_results_of_a_small_group_are_withheld(db):
    # A class of one: its "mean score" and "choices" would be exactly what that learner answered.
    teacher, _ = learners.create_with_code("Ms T", db=db)
    spec = Spec(topics=("choreography-vs-orchestration",), size=2, seed=8, mode="quiz", title="Week 5")
    klass = classes.create(teacher.key, "Week 5", Spec(**{**spec.__dict__, "item_ids": tuple(select(ITEMS, spec))}),
                           now=T0, db=db)
    pupils = [learners.create_with_code(f"P{i}", db=db)[0] for i in range(classes.MIN_GROUP)]
    classes.join(pupils[0].key, klass.code, now=T0, db=db)
    _take(db, pupils[0], klass.spec, right=1, class_id=klass.id)
    alone = classes.results(teacher.key, klass.id, db=db)
    assert (alone["members"], alone["finished"], alone["min_group"]) == (1, 1, classes.MIN_GROUP)
    assert alone["mean_score"] is None and alone["mean_withheld"]
    assert all(i["withheld"] and i["mean_score"] is None and i["choices"] == {} and i["fully_correct"] is None
               for i in alone["items"])
    assert [i["answered"] for i in alone["items"]] == [1, 1]        # how many answered is not withheld
    for pupil in pupils[1:]:
        classes.join(pupil.key, klass.code, now=T0, db=db)
        _take(db, pupil, klass.spec, right=2, class_id=klass.id)
    full = classes.results(teacher.key, klass.id, db=db)
    assert full["mean_score"] is not None and not full["mean_withheld"]
    assert all(not i["withheld"] and i["choices"] for i in full["items"])


def test_the_sqlite_file_is_private_to_its_user(tmp_path):
    # It holds every learner's answers: never world-readable (nor its -wal/-shm), whatever the umask.
    import os
    import stat

    from store.db import Database
    old = os.umask(0o022)
    try:
        db = Database(f"sqlite:///{tmp_path}/new/studio.sqlite3")
        learners.create_with_code("Ada", db=db)
        files = sorted((tmp_path / "new").iterdir())
        assert {f.name for f in files} >= {"studio.sqlite3"}
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
        db.dispose()
        older = tmp_path / "old.sqlite3"                     # a file made before: tightened on open
        older.touch(mode=0o644)
        Database(f"sqlite:///{older}").dispose()
        assert stat.S_IMODE(older.stat().st_mode) == 0o600
    finally:
        os.umask(old)
