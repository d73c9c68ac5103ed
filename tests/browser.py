"""Start the real site and drive Debian's Chromium with Playwright (no downloaded browser)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
HOSTILE = "<img src=x onerror=alert(1)>"   # a label that must stay text everywhere
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise AssertionError("Debian's chromium is not installed; `make test` installs it (needs root)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def site(script: str = "app.py"):
    """The site (app.py through ui.serve), or another Streamlit script of the repository (a test harness)."""
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    runner = ["-m", "ui.serve", "run"] if script == "app.py" else ["-m", "streamlit", "run"]
    proc = subprocess.Popen([sys.executable, *runner, str(ROOT / script), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the site did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


GENEROUS_MS = 90_000   # "it happens" waits: a loaded 2-core CI machine is slow, not wrong (speed is the bench's)


def _generous(target):
    target.set_default_timeout(GENEROUS_MS)
    target.set_default_navigation_timeout(GENEROUS_MS)
    return target


@contextmanager
def browser():
    """Debian's Chromium; every context and page it makes waits generously by default (Playwright's own
    default, 30 s, is a timed assertion in disguise on a loaded machine)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        new_context, new_page = b.new_context, b.new_page
        b.new_context = lambda *a, **k: _generous(new_context(*a, **k))
        b.new_page = lambda *a, **k: _generous(new_page(*a, **k))
        try:
            yield b
        finally:
            b.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def settle(page, timeout: int = 90_000) -> None:
    """Wait until Streamlit has finished the run a click started: until then the page still shows elements of
    the previous run (stale), so what a test reads may be half old, half new."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", state="attached",
                           timeout=timeout)
