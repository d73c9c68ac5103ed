"""The real site in headless Chromium against a hostile design: its name, description and labels are Markdown
images and links, HTML, <script>, `:material/` icon codes, $$maths$$, colour directives and bidi controls.
Every request the browser makes is recorded: none may leave this machine, and no injected element may exist.
Also: the upload limit, the bundled favicon, no developer toolbar, and a start-up that asks nobody its address."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

from browser import settle, ROOT, free_port, screenshot

SLOW = 90_000
EVIL = "evil.example"
HOSTILE = {
    "image": f"![t](http://{EVIL}/t.png)",
    "link": f"[click me](http://{EVIL}/l)",
    "bare": f"www.{EVIL} and http://{EVIL}/bare",
    "html": f"<img src=http://{EVIL}/h.png onerror=alert(1)>",
    "script": "<script>window.__pwned = 1</script>",
    "icon": ":material/rocket_launch:",
    "maths": "$$\\int_0^1 x\\,dx$$",
    "colour": ":violet[VIOLET]",
    "bidi": "\u202eevil\u202c",
}


def hostile_design() -> dict:
    h = HOSTILE
    return {"name": f"{h['image']} {h['link']} {h['icon']}", "description": f"{h['script']} {h['maths']}",
            "nodes": [{"id": "shop", "type": "client", "label": f"{h['image']} {h['html']}"},
                      {"id": "topic", "type": "sns_topic", "label": f"{h['link']} {h['bare']}"},
                      {"id": "queue", "type": "sqs_queue", "label": f"{h['icon']} {h['maths']}"},
                      {"id": "work", "type": "lambda", "label": f"{h['colour']} {h['bidi']} {h['script']}"}],
            "edges": [{"source": "shop", "target": "topic"}, {"source": "topic", "target": "queue"},
                      {"source": "queue", "target": "work"}]}


def offsite(requests: list[str], url: str) -> list[str]:
    """Requests that leave the site (data: and blob: URLs never leave the browser)."""
    return sorted({r for r in requests if not r.startswith((url, "data:", "blob:", "about:"))
                   and urlsplit(r).hostname not in ("127.0.0.1", "localhost")})


def injected(page) -> list[str]:
    """Elements that only exist if hostile text became Markdown or HTML (CSS locators pierce the canvas's
    open shadow root)."""
    found = []
    checks = {"remote image": "img[src*='evil'], img[src^='http']:not([src^='http://127.0.0.1'])",
              "link to the attacker": f"a[href*='{EVIL}']", "maths": ".katex",
              "coloured text": ".stMarkdownColoredText:has-text('VIOLET')",
              "icon from a label": "[data-testid=stIconMaterial]:has-text('rocket_launch')",
              "injected script": "script:has-text('__pwned')"}
    for what, selector in checks.items():
        if page.locator(selector).count():
            found.append(what)
    if page.evaluate("() => window.__pwned !== undefined"):
        found.append("script ran")
    return found


def new_page(chromium, viewport=(1440, 900)):
    context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    log = {"requests": [], "dialogs": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    return context, page, log


def assert_clean(page, log, url, where):
    page.wait_for_timeout(800)
    assert offsite(log["requests"], url) == [], (where, offsite(log["requests"], url))
    assert injected(page) == [], where
    assert log["dialogs"] == [], where
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "Traceback" not in body and "stException" not in page.content(), where


def test_a_hostile_design_stays_text_on_every_page_and_nothing_leaves_the_machine(chromium, url, tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_design(), ensure_ascii=False), encoding="utf-8")
    context, page, log = new_page(chromium)
    try:
        # Simulator: the diagram, lint, a run and its narration.
        page.goto(url + "/simulate", timeout=SLOW)
        page.get_by_text("Upload my own").click()
        page.locator("input[type=file]").set_input_files(str(path))
        page.wait_for_selector("svg .node", timeout=SLOW)
        page.get_by_role("button", name="Run").click()
        page.wait_for_selector("text=Nothing vanished", timeout=SLOW)
        page.get_by_text("What happened, hop by hop").click()
        assert_clean(page, log, url, "simulator")
        screenshot(page, "hostile-simulator")

        # Export: every artefact tab of the uploaded design.
        page.goto(url + "/export", timeout=SLOW)
        page.get_by_text("Upload my own design").click()
        page.locator("input[type=file]").set_input_files(str(path))
        page.wait_for_selector("text=Artefacts", timeout=SLOW)
        for tab in ("Starter project", "State machines (ASL)", "Diagrams"):
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(500)
        assert_clean(page, log, url, "export")

        # Quiz: questions generated about the design (its name and labels are in the stems and options).
        page.goto(url + "/quiz", timeout=SLOW)
        page.get_by_text("Questions about a design").click()
        page.get_by_text("Upload a design file").click()
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_role("button", name="Make questions about this design").click()
        page.wait_for_selector("text=Question 1 of", timeout=SLOW)
        settle(page)                  # the question's whole run, not the first half of it over the previous page
        assert HOSTILE["image"] in page.locator("[data-testid=stMain]").inner_text()     # shown, as text
        assert_clean(page, log, url, "quiz")
        screenshot(page, "hostile-quiz")

        # Designer: open the file on the canvas, run it and play it.
        page.goto(url + "/designer", timeout=SLOW)
        page.wait_for_selector(".react-flow", timeout=SLOW)
        page.get_by_role("tab", name="Save and open").click()
        page.locator("input[type=file]").first.set_input_files(str(path))
        page.wait_for_selector(f".react-flow__node:has-text('{EVIL}')", timeout=SLOW)
        page.get_by_role("tab", name="Run a scenario").click()
        page.get_by_role("button", name="Run and play").click()
        page.wait_for_selector("text=Playing seed", timeout=SLOW)
        page.get_by_role("tab", name="Results and charts").click()
        page.wait_for_timeout(1000)
        assert_clean(page, log, url, "designer")
        screenshot(page, "hostile-designer")
    finally:
        context.close()


def test_an_upload_larger_than_a_design_can_be_is_refused_before_it_reaches_the_server(chromium, url, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"name: x\nnodes: []\n#" + b"x" * (12 * 1024 * 1024))
    context, page, log = new_page(chromium, (1280, 720))
    try:
        page.goto(url + "/simulate", timeout=SLOW)
        page.get_by_text("Upload my own").click()
        page.locator("input[type=file]").set_input_files(str(big))
        page.wait_for_selector("text=/11(\\.0)? ?MB/", timeout=SLOW)
        text = page.locator("[data-testid=stFileUploader]").inner_text()
        assert re.search(r"11(\.0)? ?MB", text), text
        assert not [r for r in log["requests"] if "/_stcore/upload_file" in r and r.startswith(url)]
        screenshot(page, "upload-limit")
    finally:
        context.close()


def test_the_site_as_make_run_starts_it_asks_nobody_its_address_and_shows_visitors_no_developer_tools(chromium):
    port = free_port()
    # The exact `make run` command line: no --server.address, so only the settings stop the external-IP probe.
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                assert time.time() < deadline, "the site did not start"
                time.sleep(0.3)
        context, page, log = new_page(chromium, (1280, 720))
        try:
            page.goto(url + "/", timeout=SLOW)
            page.wait_for_selector("h1", timeout=SLOW)
            page.wait_for_timeout(1500)
            icons = page.evaluate("() => [...document.querySelectorAll('link[rel*=icon]')].map(l => l.href)")
            assert icons and all(i.startswith((url, "data:")) for i in icons), icons
            assert offsite(log["requests"], url) == []
            assert page.locator("[data-testid=stAppDeployButton]").count() == 0
            page.locator("[data-testid=stMainMenu]").click()
            menu = page.locator("[data-testid=stMainMenuList]").inner_text()
            assert "Rerun" not in menu and "Clear cache" not in menu, menu
            screenshot(page, "home-viewer-menu")
        finally:
            context.close()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "External URL" not in out and "Did not auto detect external IP" not in out, out
    assert "URL: http://localhost" in out, out
