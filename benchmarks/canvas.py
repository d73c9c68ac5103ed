"""Canvas benchmarks, each a ratio against a baseline measured in the same run.

1. Page load to an interactive canvas with a 100-node design in headless Chromium (target ≤ 1.5 s), against
   loading a bare Streamlit page (one title) served the same way: for a page holding only the canvas (the
   component's own cost) and for the whole designer page (the canvas plus palette, properties and forms).
2. Server-side rerun of the designer page with that design (target ≤ 100 ms), against a rerun of an empty
   page; both in Streamlit's AppTest, in this process.

`python -m benchmarks.canvas` (needs Debian's chromium, like the browser tests).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

GROUPS = 20   # 5 services per group: 100 nodes, 140 edges


def hundred_node_design():
    """100 services and 140 connections: 20 client → topic → queue → function → table groups, each function
    also publishing to the next group's topic and queue."""
    from design import from_data
    from designer.layout import apply_layout
    nodes, edges = [], []
    for i in range(GROUPS):
        j = (i + 1) % GROUPS
        nodes += [{"id": f"c{i}", "type": "client", "label": f"Shop {i}"},
                  {"id": f"t{i}", "type": "sns_topic", "label": f"Orders topic {i}"},
                  {"id": f"q{i}", "type": "sqs_queue", "label": f"Work queue {i}"},
                  {"id": f"f{i}", "type": "lambda", "label": f"Worker {i}"},
                  {"id": f"d{i}", "type": "dynamodb_table", "label": f"Table {i}"}]
        edges += [{"source": f"c{i}", "target": f"t{i}"}, {"source": f"t{i}", "target": f"q{i}"},
                  {"source": f"q{i}", "target": f"f{i}"}, {"source": f"f{i}", "target": f"d{i}"},
                  {"source": f"f{i}", "target": f"t{j}"}, {"source": f"f{i}", "target": f"q{j}"},
                  {"source": f"t{i}", "target": f"f{j}"}]
    return apply_layout(from_data({"name": "hundred services", "nodes": nodes, "edges": edges}))


def link_code() -> str:
    from designer import links
    return links.encode(hundred_node_design(), {"until_s": 60}, 1)


# The component lives in an open shadow root: count inside it. Ready = all 100 nodes drawn with their handles.
CANVAS_READY = """(() => {
  let nodes = 0, handles = 0;
  for (const el of document.querySelectorAll('*')) {
    if (el.shadowRoot) {
      nodes += el.shadowRoot.querySelectorAll('.react-flow__node').length;
      handles += el.shadowRoot.querySelectorAll('.react-flow__handle').length;
    }
  }
  return nodes === 100 && handles >= 200;
})()"""


BARE_READY = "!!document.querySelector('h1') && document.querySelector('h1').textContent.includes('Bare page')"


def _median_load(chromium, url: str, ready: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        page = chromium.new_page(viewport={"width": 1600, "height": 1100})   # a new context: a first visit
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(ready, polling="raf", timeout=60_000)
        times.append(time.perf_counter() - start)
        page.close()
    return statistics.median(times)


CANVAS_ONLY = """import sys
sys.path.insert(0, {root!r})
import streamlit as st
from benchmarks.canvas import hundred_node_design
from ui import canvas_session as cs
from ui.canvas import canvas
st.title("Canvas only")
canvas(cs.readonly_data(hundred_node_design(), None, presenter=False), key="canvas")
"""


def _serve(script: Path):
    from browser import free_port
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"], cwd=script.parent, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def browser_figures(repeat: int = 5) -> dict[str, float]:
    """Median seconds from navigation to ready, each load in a fresh browser context (a first visit)."""
    from browser import browser, site
    code = link_code()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text("import streamlit as st\nst.title('Bare page')\n", encoding="utf-8")
        only = Path(tmp) / "canvas_only.py"
        only.write_text(CANVAS_ONLY.format(root=str(ROOT)), encoding="utf-8")
        servers = [_serve(bare), _serve(only)]
        try:
            with site() as url, browser() as chromium:
                for _proc, base in servers:
                    _wait_up(base)
                pages = {"bare": (servers[0][1] + "/", BARE_READY),
                         "canvas only": (servers[1][1] + "/", CANVAS_READY),
                         "designer": (f"{url}/designer?run={code}", CANVAS_READY)}
                for target, ready in pages.values():          # warm each server once (imports, first run)
                    _median_load(chromium, target, ready, 1)
                return {name: _median_load(chromium, target, ready, repeat) for name, (target, ready) in pages.items()}
        finally:
            for proc, _base in servers:
                proc.terminate()
                proc.wait(10)


def _wait_up(url: str) -> None:
    import urllib.request
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the bare page did not start")


def rerun_figures(repeat: int = 15) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["run"] = link_code()
    at.run()
    at.switch_page("pages/designer.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.session_state["sps-designer"]["design"].nodes) == 100
    designer = _median_runs(at, repeat)
    empty = AppTest.from_string("import streamlit as st\n", default_timeout=60)
    empty.run()
    return designer, _median_runs(empty, repeat)


def _median_runs(at, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    designer, empty = rerun_figures()
    print("designer page rerun, 100 nodes / 140 edges (AppTest, median of 15)")
    print(f"  designer page : {designer * 1000:7.1f} ms   (target ≤ 100 ms: {designer * 1000 / 100:.2f} of it)")
    print(f"  empty page    : {empty * 1000:7.1f} ms")
    print(f"  ratio         : {designer / empty:.1f}× an empty page's rerun")
    loads = browser_figures()
    bare = loads["bare"]
    print("page load to an interactive canvas, 100 nodes / 140 edges (headless Chromium, first visit, median of 5)")
    print(f"  bare Streamlit page   : {bare:6.2f} s")
    for name in ("canvas only", "designer"):
        print(f"  {name + ' page':<22}: {loads[name]:6.2f} s   = {loads[name] / bare:.2f}× the bare page "
              f"(target ≤ 1.5 s: {loads[name] / 1.5:.2f} of it)")


if __name__ == "__main__":
    main()
