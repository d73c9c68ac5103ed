"""Sign-in that survives a reload, in Debian's Chromium against the real site (ui.serve): sign up, start a quiz,
answer one question, reload — still signed in, the quiz resumes at question 2. The cookie is HttpOnly,
SameSite=Lax, signed, holds no personal code and is invisible to page scripts; a tampered cookie is ignored;
signing out expires it, so the next reload is a stranger's."""
from __future__ import annotations

import os
import re

import pytest

from browser import browser, screenshot, site
from test_quiz_browser import simple_quiz

SLOW = 60_000
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "reload.sqlite3"
    saved = {k: os.environ.get(k) for k in ("SPS_DATABASE_URL", "SPS_SECRET")}
    os.environ["SPS_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("SPS_SECRET", None)             # the secret file beside the database
    try:
        with site() as u:
            yield u, db
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def the_cookie(context):
    found = [c for c in context.cookies() if c["name"] == "sps_learner"]
    return found[0] if found else None


def wait_for_cookie(context, page, present: bool = True) -> dict | None:
    for _ in range(100):
        c = the_cookie(context)
        if (c is not None) == present:
            return c
        page.wait_for_timeout(100)
    raise AssertionError(f"the sign-in cookie was {'never set' if present else 'not cleared'}")


def answer_first_option(page) -> None:
    page.locator("[data-testid=stRadio] label").first.click()
    page.get_by_role("button", name="Submit answer").click()


def test_a_reload_keeps_the_learner_and_the_quiz(url):
    address, db = url
    seed, items = simple_quiz(size=3)
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        urls = []
        page.on("request", lambda r: urls.append(r.url))
        page.goto(address, timeout=SLOW)
        page.wait_for_selector("h1", timeout=SLOW)
        page.goto(address + "/quiz", timeout=SLOW)
        page.wait_for_selector("h1:has-text('Quiz')", timeout=SLOW)
        page.get_by_role("textbox", name="Display name").fill("Reload Rita")
        page.get_by_role("button", name="Start", exact=True).click()
        page.wait_for_selector("text=Signed in as", timeout=SLOW)
        cookie = wait_for_cookie(context, page)

        # The cookie: HttpOnly, Lax, the whole site, no personal code (the code is shown on request only).
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert cookie["expires"] > 0                                            # persistent, not per-tab
        assert re.fullmatch(r"v1\.\d+\.\d+\.[0-9a-f]{16}\.[\w-]{43}", cookie["value"])
        page.get_by_role("button", name="Show my personal code").click()
        page.wait_for_selector("text=Write it down now", timeout=SLOW)
        code = CODE.search(page.locator("[data-testid=stMain]").inner_text()).group(0)
        plain = code.replace("-", "")
        assert plain not in cookie["value"] and code not in cookie["value"]
        assert page.evaluate("document.cookie").find("sps_learner") == -1       # not visible to page scripts
        assert not [u for u in urls if plain in u.replace("-", "").upper()]    # never in a URL
        assert (db.parent / "site-secret").stat().st_mode & 0o777 == 0o600

        page.get_by_role("spinbutton", name=re.compile("Number of questions")).fill("3")
        page.get_by_role("spinbutton", name=re.compile("Seed")).fill(str(seed))
        page.get_by_role("button", name="Start quiz").click()
        page.wait_for_selector("text=Question 1 of 3", timeout=SLOW)
        answer_first_option(page)
        page.wait_for_selector("text=Next question", timeout=SLOW)             # review mode: feedback first
        page.wait_for_timeout(500)

        page.reload(timeout=SLOW)
        page.wait_for_selector("h1:has-text('Quiz')", timeout=SLOW)
        page.wait_for_selector("text=Signed in as", timeout=SLOW)
        assert "Reload Rita" in page.locator("[data-testid=stMain]").inner_text()
        page.wait_for_selector("text=Question 2 of 3", timeout=SLOW)
        page.wait_for_selector("text=Picked up where you left off: 1 of 3 answered", timeout=SLOW)
        screenshot(page, "signin-reload-resumed-1280")

        # Another page, then back: one learner throughout (the cookie counts on every page).
        page.goto(address + "/progress", timeout=SLOW)
        page.wait_for_selector("text=Signed in as", timeout=SLOW)
        page.wait_for_selector("text=1 of 3", state="attached", timeout=SLOW)    # the open attempt

        # A tampered cookie is a stranger's.
        good = the_cookie(context)
        parts = good["value"].split(".")
        parts[1] = str(int(parts[1]) + 1)
        context.add_cookies([dict(good, value=".".join(parts))])
        page.goto(address + "/quiz", timeout=SLOW)
        page.wait_for_selector("h1:has-text('Quiz')", timeout=SLOW)
        page.wait_for_selector("text=Sign in to keep your progress", timeout=SLOW)
        assert "Signed in as" not in page.locator("[data-testid=stMain]").inner_text()
        context.add_cookies([good])

        # Signing out expires the cookie: the next reload is a stranger's.
        page.reload(timeout=SLOW)
        page.wait_for_selector("text=Signed in as", timeout=SLOW)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("text=Sign in to keep your progress", timeout=SLOW)
        wait_for_cookie(context, page, present=False)
        page.reload(timeout=SLOW)
        page.wait_for_selector("text=Sign in to keep your progress", timeout=SLOW)
        assert "Signed in as" not in page.locator("[data-testid=stMain]").inner_text()
        context.close()


def test_the_cookie_routes_refuse_other_sites_and_unknown_tickets(url):
    import json
    import urllib.error
    import urllib.request
    address, _ = url

    def post(path, body, origin):
        req = urllib.request.Request(address + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Origin": origin})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get_all("Set-Cookie") or []

    assert post("/_sps/session", {"ticket": "guess"}, address) == (403, [])
    assert post("/_sps/session", {"ticket": "guess"}, "http://evil.example") == (403, [])
    assert post("/_sps/signout", {}, "http://evil.example") == (403, [])
    status, cookies = post("/_sps/signout", {}, address)
    assert status == 200 and any("sps_learner=" in c and "Max-Age=0" in c for c in cookies)
