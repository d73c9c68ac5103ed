"""Two people, two browsers (two Chromium contexts, separate cookies and sessions) on the real site: a teacher and
a student. Nothing one of them types acts in the other's browser, no request leaves this machine, the teacher's
personal code is not on screen by default, and a class of one shows no answers."""
from __future__ import annotations

import re

from browser import screenshot, settle
from test_site_hostile_browser import EVIL, HOSTILE, injected, new_page, offsite

SLOW = 90_000
TITLE = f"{HOSTILE['image']} Week 3 {HOSTILE['icon']} {HOSTILE['colour']}"
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")        # a personal code's shape


def sign_up(page, name: str) -> None:
    page.get_by_role("textbox", name="Display name").fill(name)
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_selector("text=Signed in as", timeout=SLOW)
    settle(page)


def pick(page, select, option) -> None:
    """Open a select box and choose an option; a click lost to a rerun (the list redrawn shut) is made again."""
    for _ in range(9):
        select.click()
        try:
            page.get_by_role("option", name=option).click(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 — the list closed under the click: open it again
            page.keyboard.press("Escape")
            settle(page)
    raise AssertionError(f"the option {option!r} never appeared in the list")


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text().replace("\u2060", "")   # the invisible joiners


def test_a_teacher_and_a_student_cannot_reach_each_others_browser(chromium, url):
    t_ctx, teacher, t_log = new_page(chromium, (1280, 720))
    s_ctx, student, s_log = new_page(chromium, (1440, 900))
    try:
        teacher.goto(url + "/teacher", timeout=SLOW)
        teacher.wait_for_selector("h1", timeout=SLOW)
        sign_up(teacher, f"Ms T {HOSTILE['image']}")
        assert not CODE.search(main_text(teacher)), "the personal code is on screen before anyone asked"
        teacher.get_by_role("textbox", name="Title").fill(TITLE)
        teacher.get_by_role("button", name="Create class quiz").click()
        teacher.wait_for_selector("text=join with the code", timeout=SLOW)
        settle(teacher)
        join = re.search(r"code ([A-Z2-9]{3}-[A-Z2-9]{3})", main_text(teacher)).group(1)
        assert not CODE.search(main_text(teacher))          # next to the class list: still no personal code
        screenshot(teacher, "cross-user-teacher-1280")

        student.goto(url + "/quiz", timeout=SLOW)
        student.wait_for_selector("h1", timeout=SLOW)
        sign_up(student, f"{HOSTILE['link']} {HOSTILE['script']}")
        student.get_by_text("Class quiz (join code)").click()
        student.get_by_role("textbox", name="Join code from your teacher").fill(join)
        student.get_by_role("button", name="Join and start").click()
        student.wait_for_selector("text=Question 1 of", timeout=SLOW)
        settle(student)
        shown = main_text(student)
        assert HOSTILE["image"] in shown and "Week 3" in shown        # the teacher's title, as text
        screenshot(student, "cross-user-student-1440")
        first = student.locator("[data-testid=stRadio] label, [data-testid=stCheckbox] label").first
        first.click()
        student.get_by_role("button", name="Submit answer").click()
        student.wait_for_timeout(1500)
        settle(student)

        # The teacher's page reruns only when the teacher does something (a reload would be a new session):
        # pick the class in the list again, by way of another class.
        teacher.get_by_role("textbox", name="Title").fill("Week 4")
        teacher.get_by_role("button", name="Create class quiz").click()
        teacher.wait_for_function("(join) => { const m = /join with the code ([A-Z2-9]{3}-[A-Z2-9]{3})/.exec("
                                  "document.querySelector('[data-testid=stMain]').innerText); return m && m[1] !== join; }",
                                  arg=join, timeout=SLOW)                   # the second class exists
        settle(teacher)                           # a click during the rerun would open a list that is then redrawn
        pick(teacher, teacher.locator("[data-testid=stSelectbox]").last, re.compile("Week 3"))
        teacher.wait_for_selector("text=Per question", timeout=SLOW)
        settle(teacher)
        results = main_text(teacher)
        assert "at least 5 learners" in results
        assert HOSTILE["script"] not in results and "click me" not in results      # the student's name: nowhere
        assert not CODE.search(results)
        screenshot(teacher, "cross-user-teacher-results-1280")
        teacher.set_viewport_size({"width": 1440, "height": 900})
        screenshot(teacher, "cross-user-teacher-results-1440")

        for who, page, log in (("teacher", teacher, t_log), ("student", student, s_log)):
            assert offsite(log["requests"], url) == [], (who, offsite(log["requests"], url))
            assert injected(page) == [], who
            assert log["dialogs"] == [], who
        assert not [r for r in t_log["requests"] + s_log["requests"] if EVIL in r]
    finally:
        t_ctx.close()
        s_ctx.close()


def test_the_personal_code_is_shown_once_on_request(chromium, url):
    ctx, page, log = new_page(chromium, (1280, 720))
    try:
        page.goto(url + "/teacher", timeout=SLOW)
        page.wait_for_selector("h1", timeout=SLOW)
        sign_up(page, "Ms T")
        assert not CODE.search(main_text(page))
        screenshot(page, "personal-code-hidden-1280")
        page.get_by_role("button", name="Show my personal code").click()
        page.wait_for_selector("text=Write it down now", timeout=SLOW)
        settle(page)
        code = CODE.search(main_text(page)).group(0)
        screenshot(page, "personal-code-shown-1280")
        page.get_by_role("textbox", name="Title").fill("Week 4")                  # the next thing the teacher does
        page.get_by_role("button", name="Create class quiz").click()
        page.wait_for_selector("text=join with the code", timeout=SLOW)
        settle(page)                                  # the rest of the rerun: the earlier message is gone, not stale
        assert code not in main_text(page)
        assert page.get_by_role("button", name="Show my personal code").count() == 0
    finally:
        ctx.close()


def test_signing_out_in_a_shared_tab_leaves_nothing_for_the_next_learner(chromium, url):
    ctx, page, log = new_page(chromium, (1280, 720))
    try:
        page.goto(url + "/quiz", timeout=SLOW)
        page.wait_for_selector("h1", timeout=SLOW)
        sign_up(page, "Ada")
        page.get_by_role("button", name="Start quiz").click()
        page.wait_for_selector("text=Question 1 of", timeout=SLOW)
        settle(page)                                  # a click during the quiz's rerun could land on a stale button
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("text=Sign in to keep your progress", timeout=SLOW)
        sign_up(page, "Bea")
        page.get_by_role("button", name="Start quiz").wait_for(timeout=SLOW)    # Bea starts from the beginning
        text = main_text(page)
        assert "Signed in as Bea" in text and "Question 1 of" not in text and "Ada" not in text
    finally:
        ctx.close()
