"""The school arrangement for real: two Streamlit replicas behind HAProxy (Debian's package) sharing one
PostgreSQL (Debian's package), started by ops.cluster as `make serve-cluster` does. A missing haproxy or
PostgreSQL FAILS this test (`make test` / `make serve-cluster` install them as root).

A teacher and a student in the lesson through the balancer; the student's answer is in; the replica serving the
student is killed: the student's page reconnects through the balancer to the other replica, keeps its seat,
keeps following, and the answer is still counted. Then PostgreSQL stops mid-lesson: the page says
"Reconnecting" and does not crash; once it is back, the page follows again."""
from __future__ import annotations

import time
import urllib.request

import pytest

from ops import live_drive as drive
from ops.cluster import Cluster, Missing
from store import live
from store.db import Database


@pytest.fixture(scope="module")
def cluster():
    try:
        c = Cluster(replicas=2)
    except Missing as exc:
        pytest.fail(str(exc))
    with c:
        yield c


def replica_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "SPS_REPLICA")


def test_balancer_is_sticky_and_redispatches(cluster):
    first = urllib.request.urlopen(cluster.url + "/_stcore/health", timeout=5)
    cookies = [c for c in first.headers.get_all("Set-Cookie") or [] if c.startswith("SPS_REPLICA=")]
    assert cookies and "HttpOnly" in cookies[0], first.headers.get_all("Set-Cookie")
    replica = cookies[0].split(";")[0].split("=")[1]
    req = urllib.request.Request(cluster.url + "/_stcore/health", headers={"Cookie": f"SPS_REPLICA={replica}"})
    again = urllib.request.urlopen(req, timeout=5)
    assert again.status == 200                                              # kept on its replica: no new cookie
    assert not [c for c in again.headers.get_all("Set-Cookie") or [] if c.startswith("SPS_REPLICA=")]


def test_a_killed_replica_and_a_restarted_database_lose_nothing(cluster, chromium):
    t_ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    s_ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    db = Database(cluster.db_url)
    try:
        teacher, student = t_ctx.new_page(), s_ctx.new_page()
        drive.sign_up(teacher, cluster.url, "Ms Cluster")
        code = drive.start_live(teacher, cluster.url, drive.demo_run_code())
        drive.join(student, cluster.url, code, "Bo")
        for k in (1, 2):
            teacher.locator("[data-testid=step-forward]").click()
            drive.wait_hop(student, k)
        drive.ask_about_this_hop(teacher)
        student.wait_for_selector("text=Question from your teacher", timeout=drive.FOLLOW)
        student.locator("[data-testid=stRadio] [role=radiogroup] label").first.click()
        student.get_by_role("button", name="Send my answer").click()
        student.wait_for_selector("text=Your answer is in", timeout=drive.FOLLOW)
        session = live.by_code(code, db=db)
        question = live.current_question(session.id, db=db)

        victim = int(replica_of(s_ctx)[1:]) - 1
        cluster.kill(victim)
        teacher_lost = replica_of(t_ctx) == f"r{victim + 1}"
        if teacher_lost:                 # the teacher's replica died too: its page reconnects the same way
            teacher.wait_for_timeout(4000)
        teacher.locator("[data-testid=step-forward]").click()
        teacher.wait_for_timeout(500)
        target = drive.hop(teacher)
        drive.wait_hop(student, target)                               # reconnected, still following
        assert "Following the teacher" in student.locator("[data-testid=stMain]").inner_text()
        with db.read() as conn:
            import sqlalchemy as sa
            from store.tables import live_answers
            n = conn.execute(sa.select(sa.func.count()).select_from(live_answers)
                             .where(live_answers.c.question_id == question.id)).scalar()
        assert n == 1                                                          # the answer survived the crash

        cluster.pg.stop()
        student.wait_for_selector("text=Reconnecting", timeout=drive.FOLLOW)
        assert student.locator("[data-testid=stException]").count() == 0
        cluster.pg.start()
        deadline = time.time() + drive.FOLLOW / 1000
        while time.time() < deadline and student.locator("text=Reconnecting").count():
            student.wait_for_timeout(500)
        assert student.locator("text=Reconnecting").count() == 0
        teacher.locator("[data-testid=step-forward]").click()
        teacher.wait_for_timeout(800)
        drive.wait_hop(student, drive.hop(teacher))
    finally:
        db.dispose()
        t_ctx.close()
        s_ctx.close()
        cluster.restart(victim) if "victim" in locals() else None
