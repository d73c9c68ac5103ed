"""Driving a live lesson with Playwright (the browser tests and `make bench`'s load test share these).

A teacher signs up, opens a classroom link, starts a live session and steps the presenter canvas; students
join by code and name. `watch_hops(page)` records in the page when its canvas first shows each hop
(`window.__spsSeen[hop] = Date.now()`), so follow latency is measured where the student sees it.
"""
from __future__ import annotations

import time

SLOW = 90_000
SIGN_IN_COOKIE = "sps_learner"   # ui.identity.COOKIE (ops/ does not import streamlit); a test keeps them equal
FOLLOW = 60_000     # "it follows" waits: generous, so a loaded machine is not a failure; latency is the bench's

# The canvas's hop counter ("hop N of M") inside its open shadow root.
HOP_JS = """() => {
  for (const el of document.querySelectorAll('*')) {
    const c = el.shadowRoot && el.shadowRoot.querySelector('[data-testid=clock]');
    if (c) { const m = /hop ([\\d,]+) of/.exec(c.textContent || ''); if (m) return parseInt(m[1].replace(/,/g, ''), 10); }
  }
  return -1;
}"""

# Which path carries the live position on this page's canvas (frontend/src/live.js): "direct" (the position
# route), "fallback" (Streamlit, through the live bridge), "away", "ended", or "" before it has said.
LIVE_MODE_JS = """() => {
  for (const el of document.querySelectorAll('*')) {
    const s = el.shadowRoot && el.shadowRoot.querySelector('.sps-studio');
    if (s) return s.getAttribute('data-live') || '';
  }
  return '';
}"""

WATCH_JS = """() => {
  if (window.__spsSeen) return;
  window.__spsSeen = {};
  let root = null;
  setInterval(() => {
    if (!root || !root.host || !root.host.isConnected) {
      root = null;
      for (const el of document.querySelectorAll('*')) {
        if (el.shadowRoot && el.shadowRoot.querySelector('[data-testid=clock]')) { root = el.shadowRoot; break; }
      }
      if (!root) return;
    }
    const c = root.querySelector('[data-testid=clock]');
    const m = c && /hop ([\\d,]+) of/.exec(c.textContent || '');
    if (m) { const k = parseInt(m[1].replace(/,/g, ''), 10); if (!(k in window.__spsSeen)) window.__spsSeen[k] = Date.now(); }
  }, 20);
}"""


def demo_run_code(pattern: str = "dead-letter-queue-redrive", seed: int = 1) -> str:
    from designer import links
    from designer.layout import ensure_positions
    from patterns.catalog import load_catalog
    design = ensure_positions(load_catalog()[pattern].design)
    scenario = dict(design.scenario or {})
    scenario.pop("seed", None)
    return links.encode(design, scenario, seed)


def sign_up(page, base: str, name: str) -> None:
    page.goto(base + "/teacher", timeout=SLOW)
    page.get_by_role("textbox", name="Display name").fill(name)
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_selector("text=Signed in as", timeout=SLOW)
    wait_signed_in_cookie(page)


def wait_signed_in_cookie(page, timeout_ms: int = SLOW) -> None:
    """The sign-in cookie is set by a request the page makes after the sign-up; a page load before it lands
    would be a visitor who is not signed in."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not any(c["name"] == SIGN_IN_COOKIE for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError(f"the sign-in cookie {SIGN_IN_COOKIE!r} was not set within {timeout_ms} ms")
        page.wait_for_timeout(200)


def start_live(page, base: str, run_code: str) -> str:
    """From the classroom page of `run_code`: start a live session; returns its join code."""
    wait_signed_in_cookie(page)
    page.goto(base + "/classroom?run=" + run_code, timeout=SLOW)
    button = page.get_by_role("button", name="Start a live session")
    button.click(timeout=SLOW)
    page.wait_for_selector("[data-testid=join-code]", timeout=SLOW)
    page.wait_for_selector("[data-testid=step-forward]", timeout=SLOW)
    return page.locator("[data-testid=join-code]").inner_text().strip()


def join(page, base: str, code: str, name: str) -> None:
    page.goto(f"{base}/live?join={code}", timeout=SLOW)
    page.get_by_role("textbox", name="Your display name").fill(name)
    page.get_by_role("button", name="Join the lesson").click()
    page.wait_for_selector("text=Following the teacher", timeout=SLOW)


def hop(page) -> int:
    return page.evaluate(HOP_JS)


def live_mode(page) -> str:
    return page.evaluate(LIVE_MODE_JS)


def wait_live_mode(page, mode: str, timeout_ms: int = FOLLOW) -> None:
    page.wait_for_function(f"() => ({LIVE_MODE_JS})() === {mode!r}", timeout=timeout_ms)


def watch_hops(page) -> None:
    page.evaluate(WATCH_JS)


def seen(page) -> dict[int, float]:
    return {int(k): v / 1000.0 for k, v in (page.evaluate("() => window.__spsSeen || {}") or {}).items()}


def wait_hop(page, k: int, timeout_ms: int = FOLLOW) -> None:
    page.wait_for_function(f"() => ({HOP_JS})() === {int(k)}", timeout=timeout_ms)


def ask_about_this_hop(teacher, timeout_ms: int = FOLLOW) -> None:
    """Ask the run's question at the teacher's hop, once the panel (polled each second) shows that hop; until
    the teacher's screen shows the question. The panel is a fragment that reruns every second, and a click
    that lands while it reruns can be lost on a loaded machine: the button is then still there and is pressed
    again (once it has been taken, the panel shows the question instead of the button)."""
    k = hop(teacher)
    teacher.wait_for_selector(f"text=your canvas is at hop {k:,} of", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    button = teacher.get_by_role("button", name="Ask this question")
    asked = teacher.get_by_role("button", name="Reveal the answer")   # only an open question has it
    while True:
        if button.count():
            try:
                button.first.click(timeout=5_000)
            except Exception:  # noqa: BLE001 — replaced by the rerun under the pointer: look again
                pass
        try:
            asked.first.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise AssertionError(f"the question at hop {k} was not asked within {timeout_ms} ms") from None
