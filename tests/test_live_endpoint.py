"""The live position route (`/_sps/live/{code}`, ui.serve) on the real site: a student's canvas reads the
teacher's position there and the teacher's canvas writes it, with no Streamlit rerun. Checked over HTTP against
a running server (as tests/browser.py's `site()` starts it, with its own SQLite store and secret): what a read
gives (the position and nothing personal), who may write (the session's teacher by the signed cookie, never the
body), and the clear 4xx answers to everything else."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from browser import ROOT, free_port
from ops.cluster import wait_http
from store import learners, live
from store.db import Database

SECRET = "live-endpoint-test-secret-" + "x" * 32


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("live-endpoint")
    db_url = f"sqlite:///{data / 'studio.sqlite3'}"
    port = free_port()
    env = dict(os.environ, SPS_DATABASE_URL=db_url, SPS_SECRET=SECRET, XDG_DATA_HOME=str(data),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", str(ROOT / "app.py"), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = Database(db_url)
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 90)
        yield {"url": f"http://127.0.0.1:{port}", "db": db}
    finally:
        db.dispose()
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def cookie_of(monkeypatch):
    """The signed sign-in cookie the site would set for a learner (same secret as the server's)."""
    monkeypatch.setenv("SPS_SECRET", SECRET)
    from ui import identity
    return lambda learner: f"{identity.COOKIE}={identity.make_cookie(learner)}"


def call(site, path, *, method="GET", body=None, cookie=None, origin="same", ctype="application/json",
         raw: bytes | None = None):
    url = site["url"] + path
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode("utf-8"))
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None and ctype:
        req.add_header("Content-Type", ctype)
    if origin == "same":
        req.add_header("Origin", site["url"])
    elif origin:
        req.add_header("Origin", origin)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}"), resp.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), err.headers


def lesson(site, teacher_name="Ms Pos"):
    db = site["db"]
    teacher = learners.create_with_code(teacher_name, db=db)[0]
    session = live.start(teacher.key, "Week 9 with Ada's class", "RUNCODE", db=db)
    return teacher, session


def path(code):
    return f"/_sps/live/{code}"


def test_a_read_gives_the_position_and_nothing_personal(site):
    teacher, session = lesson(site, "Teacher Secretname")
    live.join(session.code, "Student Privatename", db=site["db"])
    status, doc, headers = call(site, path(session.code))
    assert status == 200, doc
    assert set(doc) == {"hop", "t", "playing", "speed", "seq"}
    assert doc["hop"] == 0 and doc["playing"] is False
    text = json.dumps(doc)
    assert "Secretname" not in text and "Privatename" not in text and "Week 9" not in text
    assert headers.get("Cache-Control") == "no-store"
    assert call(site, path(session.code.lower().replace("-", "")))[0] == 200       # typed loosely, as joining


def test_unknown_or_malformed_codes_are_404(site):
    assert call(site, path("ZZZ-ZZ9"))[0] == 404
    assert call(site, path("not-a-code-at-all"))[0] == 404
    assert call(site, path("ABC%3Cx%3E"))[0] == 404


def test_only_the_sessions_teacher_sets_the_position(site, cookie_of):
    teacher, session = lesson(site)
    other = learners.create_with_code("Another teacher", db=site["db"])[0]
    seat, token = live.join(session.code, "Bo", db=site["db"])
    move = {"hop": 7, "t": 3.5, "playing": False, "speed": 2}

    # a student (no account, only a seat) cannot: no sign-in cookie is 401, whatever the body or other cookies
    assert call(site, path(session.code), method="POST", body=move)[0] == 401
    assert call(site, path(session.code), method="POST", body=move, cookie=f"seat={token}")[0] == 401
    assert call(site, path(session.code), method="POST", body=move, cookie="sps_learner=v1.1.2.3.forged")[0] == 401
    # another signed-in learner (a teacher of another class) is refused
    status, doc, _ = call(site, path(session.code), method="POST", body=move, cookie=cookie_of(other))
    assert status == 403 and "teacher" in doc["error"]
    # the body never says who is writing
    assert call(site, path(session.code), method="POST", body=dict(move, teacher=teacher.key),
                cookie=cookie_of(other))[0] == 400
    assert live.position(session.code, db=site["db"])["hop"] == 0

    # the teacher's cookie, from the site's own origin, as JSON: written, and every reader sees it
    status, doc, _ = call(site, path(session.code), method="POST", body=move, cookie=cookie_of(teacher))
    assert status == 200 and doc["ok"] is True and doc["seq"] >= 1
    assert live.position(session.code, db=site["db"]) == {"hop": 7, "t": 3.5, "playing": False, "speed": 2.0,
                                                           "seq": doc["seq"]}
    assert call(site, path(session.code))[1]["hop"] == 7

    # not from this site's pages: refused even with the teacher's cookie
    for kwargs in ({"origin": "http://evil.example"}, {"origin": None}, {"ctype": "text/plain"}):
        assert call(site, path(session.code), method="POST", body=dict(move, hop=9), cookie=cookie_of(teacher),
                    **kwargs)[0] == 403, kwargs
    assert live.position(session.code, db=site["db"])["hop"] == 7


def test_bad_bodies_get_a_clear_4xx(site, cookie_of):
    teacher, session = lesson(site)
    c = cookie_of(teacher)
    status, doc, _ = call(site, path(session.code), method="POST", raw=b'{"hop": 1, "pad": "' + b"x" * 4000 + b'"}',
                          cookie=c)
    assert status == 413 and "bytes" in doc["error"]
    for bad, word in ((b"not json", "JSON"), (b"[1, 2]", "object"), (b'{"hop": -1, "playing": false}', "hop"),
                      (b'{"hop": 1.5, "playing": false}', "hop"), (b'{"hop": 1, "playing": "yes"}', "playing"),
                      (b'{"hop": 1, "playing": false, "speed": 0}', "speed"),
                      (b'{"hop": 1, "playing": false, "t": 1e400}', "t")):
        status, doc, _ = call(site, path(session.code), method="POST", raw=bad, cookie=c)
        assert status == 400 and word in doc["error"], (bad, status, doc)
    assert call(site, path("ZZZ-ZZ8"), method="POST", body={"hop": 1, "playing": False}, cookie=c)[0] == 404


def test_an_ended_session_is_410_for_reads_and_writes(site, cookie_of):
    teacher, session = lesson(site)
    live.end(teacher.key, session.id, db=site["db"])
    deadline = time.time() + 5                          # past the replica's short cache of the position
    while time.time() < deadline and call(site, path(session.code))[0] == 200:
        time.sleep(0.1)
    status, doc, _ = call(site, path(session.code))
    assert status == 410 and doc["ended"] is True
    assert call(site, path(session.code), method="POST", body={"hop": 2, "playing": False},
                cookie=cookie_of(teacher))[0] == 410


def test_guessing_codes_is_rate_bounded(site):
    statuses = [call(site, path(f"QQ{n // 10 % 10}-Q{n % 10}Q"))[0] for n in range(60)]
    assert set(statuses) <= {404, 429} and 429 in statuses, statuses
    status, _, headers = call(site, path("QQQ-QQQ"))
    assert status == 429 and headers.get("Retry-After") == "1"
