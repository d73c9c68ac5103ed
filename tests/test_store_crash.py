"""Kill -9 during writes: every answer and design save that was acknowledged is there afterwards, and the
SQLite file passes PRAGMA integrity_check."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, timezone
    sys.path.insert(0, {root!r})
    from quizzes.bank import load_items
    from quizzes.engine import Session, Spec
    from quizzes.grading import correct_response
    from store import designs, learners, progress
    from store.db import Database
    db = Database({url!r})
    items = load_items()
    learner = learners.ensure("code:crash", "Crash test", db=db)
    t0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
    session = Session.start(items, Spec(size=100, seed=1, mode="quiz"), t0)
    attempt = progress.start_attempt(learner.key, session, db=db)
    print("attempt", attempt, flush=True)
    for n, iid in enumerate(session.item_ids):
        answer = session.answer(items, iid, correct_response(items[iid]), t0 + timedelta(seconds=n))
        progress.record_answer(learner.key, attempt, iid, answer, items[iid].topics, db=db)
        print("answer", iid, flush=True)                  # acknowledged: the commit has returned
        designs.save(learner.key, f"design {{n}}", "name: x\\n" * 200, db=db)
        print("design", n, flush=True)
""")


def _run_and_kill(url: str, after_acks: int) -> tuple[int, list[str], list[int]]:
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), url=url)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    attempt, answers, saved = None, [], []
    deadline = time.time() + 120
    try:
        for line in proc.stdout:
            kind, _, value = line.strip().partition(" ")
            if kind == "attempt":
                attempt = int(value)
            elif kind == "answer":
                answers.append(value)
            elif kind == "design":
                saved.append(int(value))
            if len(answers) >= after_acks or time.time() > deadline:
                os.kill(proc.pid, signal.SIGKILL)           # mid-stream: the next write is under way
                break
    finally:
        proc.kill()
        proc.wait(10)
    assert attempt is not None, proc.stderr.read()
    return attempt, answers, saved


def test_kill_9_loses_no_acknowledged_write(tmp_path):
    from store import designs, progress
    from store.db import Database
    url = f"sqlite:///{tmp_path}/crash.sqlite3"
    for round_, acks in enumerate((7, 23, 41)):
        attempt, acked, saved = _run_and_kill(url, acks)
        assert len(acked) >= acks
        db = Database(url)
        try:
            assert db.pragma("integrity_check") == "ok"
            stored = [r["item_id"] for r in progress.attempt_answers("code:crash", attempt, db=db)]
            assert stored[:len(acked)] == acked, f"round {round_}: acknowledged answers missing"
            assert len(set(stored)) == len(stored)
            names = {d.name for d in designs.list("code:crash", db=db)}
            assert {f"design {n}" for n in saved} <= names
        finally:
            db.dispose()
    with sa.create_engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
