"""One full quiz in headless Chromium against the real site: sign in, start a seeded quiz, answer every
question through the page (keyboard and clicks), see the verdicts in words and the final score."""
import os
import re

import pytest

from browser import browser, screenshot, site
from quizzes.bank import load_items
from quizzes.engine import Spec, option_order, select

ITEMS = load_items()
PLAIN = re.compile(r"^[\w\s,.;:'()?/%–—-]+$")


def simple_quiz(size=3):
    """A seed whose questions are all plain single-answer questions without diagrams (easy to click)."""
    for seed in range(500):
        ids = select(ITEMS, Spec(size=size, seed=seed))
        items = [ITEMS[i] for i in ids]
        if all(i.kind == "one" and i.design is None and PLAIN.match(i.stem[:60]) and
               all(PLAIN.match(o.text) for o in i.options) for i in items):
            return seed, items
    raise AssertionError("no seed gives a plain quiz")


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "browser.sqlite3"
    old = os.environ.get("SPS_DATABASE_URL")
    os.environ["SPS_DATABASE_URL"] = f"sqlite:///{db}"
    try:
        with site() as u:
            yield u
    finally:
        if old is None:
            os.environ.pop("SPS_DATABASE_URL", None)
        else:
            os.environ["SPS_DATABASE_URL"] = old


def test_one_full_quiz_in_the_browser(url):
    seed, items = simple_quiz()
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)                                         # the entry point first: st.navigation's pages
        page.wait_for_selector("h1", timeout=60_000)
        page.goto(url + "/quiz")
        page.wait_for_selector("h1:has-text('Quiz')", timeout=60_000)
        page.get_by_role("textbox", name="Display name").fill("Playwright")
        page.get_by_role("button", name="Start", exact=True).click()
        page.wait_for_selector("text=Signed in as", timeout=90_000)
        size_box = page.get_by_role("spinbutton", name="Number of questions")
        size_box.fill(str(len(items)))
        size_box.press("Tab")
        seed_box = page.get_by_role("spinbutton", name=re.compile("^Seed"))
        seed_box.fill(str(seed))
        seed_box.press("Tab")
        page.get_by_role("button", name="Start quiz").click()
        for n, item in enumerate(items, 1):
            page.wait_for_selector(f"text=Question {n} of {len(items)}", timeout=90_000)
            page.get_by_text(item.stem[:50]).first.wait_for(timeout=90_000)
            right = item.option(item.answer[0]).text
            assert right in [item.option(o).text for o in option_order(item, seed)]
            page.locator("label").filter(has_text=right).first.click()
            assert page.get_by_role("radio", name=right, exact=True).is_checked()
            page.get_by_role("button", name="Submit answer").focus()
            page.keyboard.press("Enter")                          # submit by keyboard
            page.wait_for_selector("text=Correct — 1 point", timeout=90_000)
            screenshot(page, f"quiz-feedback-{n}")
            page.get_by_role("button", name="See my results" if n == len(items) else "Next question").click()
        page.wait_for_selector("text=Results", timeout=90_000)
        page.wait_for_selector(f"text={len(items)} / {len(items)}", timeout=90_000)
        page.wait_for_selector("text=Every question right", timeout=90_000)
        page.wait_for_selector("text=Score per topic", timeout=90_000)
        page.wait_for_timeout(2000)                             # let the chart draw for the screenshot
        screenshot(page, "quiz-results")
        page.goto(url + "/progress")
        page.wait_for_selector("h1:has-text('My progress')", timeout=60_000)
        # the same browser keeps the learner signed in (the signed sign-in cookie survives a new page load) ...
        page.get_by_text("Signed in as").first.wait_for(timeout=90_000)
        # ... and another browser is another visitor: nobody's progress is shown without signing in
        stranger = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        stranger.goto(url + "/progress")
        stranger.wait_for_selector("h1:has-text('My progress')", timeout=60_000)
        stranger.get_by_text("Your progress is private").wait_for(timeout=90_000)
        assert stranger.get_by_text("Signed in as").count() == 0
