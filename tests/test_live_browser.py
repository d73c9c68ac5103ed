"""A live lesson in two browser contexts on the real site: the teacher (1280x720) starts a live session from a
classroom link, a student (1440x900) joins by code and name, the student's canvas follows each step, a student
who steps away rejoins, a question is asked, answered and revealed (the reveal plays the answer), the teacher resumes after closing the tab, and an ended session's code is refused clearly."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from browser import ROOT, free_port, screenshot
from ops import live_drive as drive
from ops.cluster import wait_http

# Follow latency is a figure for `make bench` (benchmarks/live_load.py), not a timed assertion: here the student
# must reach every hop the teacher steps to, within a generous wait (drive.FOLLOW) that only catches "never follows".
PERSONAL = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text().replace("\u2060", "")


def shots(page, name: str) -> None:
    for w, h in ((1280, 720), (1440, 900)):
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(700)
        screenshot(page, f"{name}-{w}x{h}")


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """The site as a school serves it (no file watcher, its own SQLite store), one replica."""
    port = free_port()
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path_factory.mktemp("live-data")),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.pop("SPS_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", str(ROOT / "app.py"), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def test_teacher_drives_student_follows_asks_and_resumes(chromium, url):
    t_ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    s_ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        student = s_ctx.new_page()
        student.goto(url + "/live", timeout=drive.SLOW)
        student.get_by_role("textbox", name="Join code").fill("ZZZ-ZZZ")
        student.get_by_role("textbox", name="Your display name").fill("Ada")
        student.get_by_role("button", name="Join the lesson").click()
        student.wait_for_selector("text=No live lesson has the code", timeout=drive.SLOW)

        teacher = t_ctx.new_page()
        drive.sign_up(teacher, url, "Ms Live")
        code = drive.start_live(teacher, url, drive.demo_run_code())
        assert re.fullmatch(r"[A-Z2-9]{3}-[A-Z2-9]{3}", code)
        drive.join(student, url, code, "Ada <img src=x onerror=alert(1)>")
        assert "Ada <img src=x onerror=alert(1)>" in main_text(student)        # a name stays text
        assert student.locator("img[src=x]").count() == 0
        teacher.wait_for_selector("text=1 student(s) joined", timeout=drive.SLOW)
        drive.wait_live_mode(student, "direct")        # the canvas reads the position route itself
        teacher.locator("[data-testid=step-forward]").click()
        drive.wait_live_mode(teacher, "direct")        # and the teacher's canvas writes it (signed-in cookie)
        drive.wait_hop(student, 1)
        teacher.locator("[data-testid=step-back]").click()
        drive.wait_hop(student, 0)

        for k in range(1, 6):
            teacher.locator("[data-testid=step-forward]").click()
            drive.wait_hop(student, k)

        # play, then pause: the student plays too and stops on the teacher's hop
        teacher.locator("[data-testid=play]").click()
        student.wait_for_function("() => { for (const el of document.querySelectorAll('*')) { const b = el.shadowRoot"
                                  " && el.shadowRoot.querySelector('[data-testid=play]'); if (b) return "
                                  "b.getAttribute('aria-label') === 'Pause'; } return false; }", timeout=drive.FOLLOW)
        teacher.wait_for_timeout(1500)
        teacher.locator("[data-testid=play]").click()
        teacher.wait_for_timeout(300)
        target = drive.hop(teacher)
        teacher.wait_for_timeout(1500)                 # the pause has reached the student
        drive.wait_hop(student, target)
        student.wait_for_timeout(400)
        assert drive.hop(student) == target            # and it stays there (paused)

        # stepping away, then rejoining
        student.locator("[data-testid=step-back]").click()
        student.get_by_role("button", name="Rejoin the teacher").wait_for(timeout=drive.FOLLOW)
        teacher.locator("[data-testid=step-forward]").click()
        teacher.wait_for_timeout(1500)
        assert drive.hop(student) == target - 1                                # not dragged back while away
        student.get_by_role("button", name="Rejoin the teacher").click()
        drive.wait_hop(student, target + 1)

        # a question about this hop: answered, the distribution withheld for a group of one, revealed and played
        drive.ask_about_this_hop(teacher)
        student.wait_for_selector("text=Question from your teacher", timeout=drive.FOLLOW)
        student.locator("[data-testid=stRadio] [role=radiogroup] label").first.click()
        student.get_by_role("button", name="Send my answer").click()
        student.wait_for_selector("text=Your answer is in", timeout=drive.FOLLOW)
        teacher.wait_for_selector("text=1 of 1 answered", timeout=drive.FOLLOW)
        assert "The distribution appears from 5 answers" in main_text(teacher)
        shots(teacher, "live-teacher-question")
        shots(student, "live-student-question")
        before = drive.hop(teacher)
        teacher.get_by_role("button", name=re.compile("Reveal the answer")).click()
        student.wait_for_selector("text=✅", timeout=drive.FOLLOW)
        teacher.wait_for_function(f"() => ({drive.HOP_JS})() > {before}", timeout=drive.FOLLOW)   # the answer plays
        drive.wait_hop(student, drive.hop(teacher))
        shots(student, "live-student-revealed")
        text = main_text(teacher)
        assert not PERSONAL.search(text) and "seat=" not in text                # no personal code, no seat

        # the teacher closes the tab and resumes from the Teacher page
        teacher.close()
        teacher = t_ctx.new_page()
        teacher.goto(url + "/teacher", timeout=drive.SLOW)
        teacher.get_by_role("link", name=re.compile("Resume")).first.click()
        teacher.wait_for_selector("[data-testid=join-code]", timeout=drive.SLOW)
        assert teacher.locator("[data-testid=join-code]").inner_text().strip() == code
        resumed_at = drive.hop(student)
        deadline = time.time() + drive.FOLLOW / 1000
        while time.time() < deadline and drive.hop(teacher) != resumed_at:                 # back where it was
            teacher.wait_for_timeout(200)
        assert drive.hop(teacher) == resumed_at, (drive.hop(teacher), resumed_at)
        teacher.wait_for_timeout(1500)
        assert drive.hop(student) == resumed_at                                # the class was not pulled to 0
        shots(teacher, "live-teacher-resumed")
        teacher.get_by_role("button", name="End the live session").click()
        teacher.wait_for_selector("text=This live session has ended", timeout=drive.SLOW)

        late = s_ctx.new_page()
        late.goto(f"{url}/live?join={code}", timeout=drive.SLOW)
        late.get_by_role("textbox", name="Your display name").fill("Late")
        late.get_by_role("button", name="Join the lesson").click()
        late.wait_for_selector("text=has ended or expired", timeout=drive.SLOW)
        student.wait_for_selector("text=The teacher has ended this live lesson", timeout=drive.FOLLOW)
    finally:
        t_ctx.close()
        s_ctx.close()


def test_the_drive_helpers_wait_for_the_sites_sign_in_cookie():
    from ui import identity
    assert drive.SIGN_IN_COOKIE == identity.COOKIE


def test_without_the_position_route_both_sides_use_the_streamlit_path(chromium, url):
    """The route blocked in both browsers (a proxy that drops it, an old balancer rule): the teacher's canvas
    hands its position to Python, the student's follows what the page reads from the store."""
    t_ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    s_ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        for ctx in (t_ctx, s_ctx):
            ctx.route("**/_sps/live/**", lambda route: route.abort())
        teacher, student = t_ctx.new_page(), s_ctx.new_page()
        drive.sign_up(teacher, url, "Ms Fallback")
        code = drive.start_live(teacher, url, drive.demo_run_code())
        drive.join(student, url, code, "Cy")
        for k in (1, 2, 3):
            teacher.locator("[data-testid=step-forward]").click()
            drive.wait_hop(student, k)
        assert drive.live_mode(teacher) == "fallback" and drive.live_mode(student) == "fallback"
        teacher.locator("[data-testid=step-back]").click()
        drive.wait_hop(student, 2)
    finally:
        t_ctx.close()
        s_ctx.close()


def test_a_live_session_starts_from_the_catalog_and_the_designer(chromium, url):
    ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = ctx.new_page()
        drive.sign_up(page, url, "Ms Anywhere")
        page.goto(url + "/catalog?pattern=fan-out-sns", timeout=drive.SLOW)
        page.get_by_role("button", name="Start a live session").click(timeout=drive.SLOW)
        page.wait_for_selector("[data-testid=join-code]", timeout=drive.SLOW)
        page.wait_for_selector("[data-testid=step-forward]", timeout=drive.SLOW)
        assert "Live:" in main_text(page)

        page.goto(url + "/designer?pattern=fan-out-sns", timeout=drive.SLOW)
        page.get_by_role("tab", name="Share with a class").click(timeout=drive.SLOW)
        page.get_by_role("button", name="Start a live session").click(timeout=drive.SLOW)
        page.wait_for_selector("[data-testid=join-code]", timeout=drive.SLOW)
        page.wait_for_selector("[data-testid=step-forward]", timeout=drive.SLOW)
    finally:
        ctx.close()
