"""Page and canvas benchmarks, each a ratio against a baseline measured in the same run.

1. Time to interactive of every page of the site in headless Chromium, first visit (a new browser context
   each load), against a bare Streamlit page (one title) served the same way (`ui.serve`, the site's settings)
   in alternating rounds. Interactive = the script run has finished (Streamlit's `notRunning` state) with the
   page's title drawn and, on canvas pages given a 100-node design, all 100 nodes drawn with their handles.
   The designer page's goal is ≤ 1.5× the bare page. Also the server's CPU time per visit (less noisy than
   wall time on a shared machine), and a page holding only the canvas (the component's own cost).
2. Reruns of the designer page in Streamlit's AppTest (in a subprocess: benchmarks/ never imports streamlit):
   a property change applied through the properties panel (a Lambda's timeout, "Apply changes") at 100 nodes
   (goal ≤ 100 ms) and 500 nodes (goal ≤ 300 ms), and a plain rerun, against a rerun of an empty page,
   alternating.

`python -m benchmarks.canvas [--pages-only | --reruns-only]` (needs Debian's chromium, like the browser tests).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

GROUPS = 20   # 5 services per group: 100 nodes, 140 edges


def grouped_design(groups: int = GROUPS):
    """`groups` × (client → topic → queue → function → table), each function also publishing to the next
    group's topic and queue, each topic also calling the next group's function: 5 nodes and 7 edges a group."""
    from design import from_data
    from designer.layout import apply_layout
    nodes, edges = [], []
    for i in range(groups):
        j = (i + 1) % groups
        nodes += [{"id": f"c{i}", "type": "client", "label": f"Shop {i}"},
                  {"id": f"t{i}", "type": "sns_topic", "label": f"Orders topic {i}"},
                  {"id": f"q{i}", "type": "sqs_queue", "label": f"Work queue {i}"},
                  {"id": f"f{i}", "type": "lambda", "label": f"Worker {i}"},
                  {"id": f"d{i}", "type": "dynamodb_table", "label": f"Table {i}"}]
        edges += [{"source": f"c{i}", "target": f"t{i}"}, {"source": f"t{i}", "target": f"q{i}"},
                  {"source": f"q{i}", "target": f"f{i}"}, {"source": f"f{i}", "target": f"d{i}"},
                  {"source": f"f{i}", "target": f"t{j}"}, {"source": f"f{i}", "target": f"q{j}"},
                  {"source": f"t{i}", "target": f"f{j}"}]
    return apply_layout(from_data({"name": f"{5 * groups} services", "nodes": nodes, "edges": edges}))


def hundred_node_design():
    """100 services and 140 connections."""
    return grouped_design(GROUPS)


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

# The script run has finished and its title is drawn (Streamlit's state is notRunning before the first run
# too, hence the title).
RUN_DONE = "!!document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')"
TITLE = "!!document.querySelector('[data-testid=stMain] h1')"
BARE_READY = "!!document.querySelector('h1') && document.querySelector('h1').textContent.includes('Bare page')"


def _all(*conditions: str) -> str:
    return " && ".join(f"({c})" for c in conditions)


CANVAS_ONLY = """import sys
sys.path.insert(0, {root!r})
import streamlit as st
from benchmarks.canvas import hundred_node_design
from ui import canvas_session as cs
from ui.canvas import canvas
st.title("Canvas only")
canvas(cs.readonly_data(hundred_node_design(), None, presenter=False), key="canvas")
"""


def site_pages(code: str) -> dict[str, tuple[str, str]]:
    """Page name → (path and query, ready condition): every page app.py lists."""
    canvas = _all(TITLE, CANVAS_READY, RUN_DONE)
    plain = _all(TITLE, RUN_DONE)
    return {"home": ("/", plain), "catalog": ("/catalog", plain), "compare": ("/compare", plain),
            "simulate": ("/simulate", plain), "export": ("/export", plain), "quiz": ("/quiz", plain),
            "progress": ("/progress", plain), "teacher": ("/teacher", plain),
            "designer (empty)": ("/designer", plain),
            "designer": (f"/designer?run={code}", canvas),
            "classroom": (f"/classroom?run={code}", canvas), "live": ("/live", plain),
            "compare designs": ("/compare_designs", plain)}


def _serve(script: Path):
    """Serve `script` the way the site is served (ui.serve, from the repository: the site's settings)."""
    from browser import free_port
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(chromium, url: str, ready: str, pid: int) -> tuple[float, float]:
    """(seconds from navigation to ready, server CPU seconds for the visit) in a new context: a first visit."""
    page = chromium.new_page(viewport={"width": 1600, "height": 1100})
    cpu0 = _cpu_s(pid)
    start = time.perf_counter()
    page.goto(url)
    try:
        page.wait_for_function(ready, polling="raf", timeout=90_000)
        elapsed = time.perf_counter() - start
    except Exception as exc:               # noqa: BLE001 - one stuck load is reported, the others still count
        print(f"  ({url.split('?')[0]} not interactive after 90 s: {type(exc).__name__}; left out)", flush=True)
        elapsed = float("nan")
    time.sleep(0.3)                        # what the server still does for the visit (after-run clean-up)
    cpu = _cpu_s(pid) - cpu0
    page.close()
    return elapsed, cpu


def browser_figures(rounds: int = 5, pages: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Median seconds to interactive and server CPU per visit, by page; each round visits the bare page, the
    canvas-only page and every site page once (alternating, so load on the machine hits all alike)."""
    from browser import browser
    code = link_code()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text("import streamlit as st\nst.title('Bare page')\n", encoding="utf-8")
        only = Path(tmp) / "canvas_only.py"
        only.write_text(CANVAS_ONLY.format(root=str(ROOT)), encoding="utf-8")
        servers = {"bare": _serve(bare), "canvas only": _serve(only), "site": _serve(ROOT / "app.py")}
        try:
            for _proc, base in servers.values():
                _wait_up(base)
            targets = {"bare": ("bare", "/", _all(BARE_READY, RUN_DONE)),
                       "canvas only": ("canvas only", "/", _all(CANVAS_READY, RUN_DONE))}
            targets.update({name: ("site", path, ready) for name, (path, ready) in site_pages(code).items()
                            if pages is None or name in pages})
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
            with browser() as chromium:
                for n in range(rounds + 1):                  # round 0 warms each server (imports, first runs)
                    for name, (server, path, ready) in targets.items():
                        proc, base = servers[server]
                        figure = _load(chromium, base + path, ready, proc.pid)
                        if n:
                            times[name].append(figure)
            return {name: {"s": statistics.median([t for t, _ in v if t == t] or [float("nan")]),
                           "cpu": statistics.median(c for _, c in v)} for name, v in times.items()}
        finally:
            for proc, _base in servers.values():
                proc.terminate()
                proc.wait(10)


def _wait_up(url: str) -> None:
    import urllib.request
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


# Run in a subprocess (`python -c`): AppTest imports streamlit, which benchmarks/ itself never does.
RERUN_PROBE = """import json, statistics, sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
from benchmarks.canvas import grouped_design
from designer.layout import ensure_positions

def designer_at(groups):
    at = AppTest.from_file({app!r}, default_timeout=300)
    at.run()
    at.switch_page("pages/designer.py")
    at.run()
    s = at.session_state["sps-designer"]
    s["design"] = ensure_positions(grouped_design(groups))
    s["version"] += 1
    s["selected"] = {{"nodes": ["f1"], "edges": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

def timed(at):
    start = time.perf_counter(); cpu = time.process_time()
    at.run()
    return time.perf_counter() - start, time.process_time() - cpu

def change(at, value):
    box = next(n for n in at.number_input if n.label == "timeout_s")
    box.set_value(value)
    next(b for b in at.button if b.label == "Apply changes").click()
    figure = timed(at)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["sps-designer"]["design"].node("f1").props["timeout_s"] == value
    return figure

empty = AppTest.from_string("import streamlit as st\\n", default_timeout=60)
empty.run()
out = {{}}
for groups in {groups!r}:
    at = designer_at(groups)
    change(at, 11); timed(at)                     # first-call costs stay out of the figures
    figures = {{"change": [], "rerun": [], "empty": []}}
    for i in range({repeat}):
        figures["change"].append(change(at, 12 + i % 2 * 10))
        figures["empty"].append(timed(empty))
        figures["rerun"].append(timed(at))
        figures["empty"].append(timed(empty))
    out[5 * groups] = {{k: [statistics.median(w for w, _ in v), statistics.median(c for _, c in v)]
                        for k, v in figures.items()}}
print(json.dumps(out))
"""


def rerun_figures(sizes=(100, 500), repeat: int = 15) -> dict[int, dict[str, list[float]]]:
    """{nodes: {"change"|"rerun"|"empty": [median wall s, median CPU s]}}, measured in a fresh interpreter."""
    script = RERUN_PROBE.format(root=str(ROOT), app=str(ROOT / "app.py"), groups=tuple(n // 5 for n in sizes),
                                repeat=repeat)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        errors = "\n".join(line for line in done.stderr.splitlines() if "ScriptRunContext" not in line)
        raise RuntimeError(f"the rerun probe failed (exit status {done.returncode}):\n{errors[-3000:]}")
    return {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


GOALS_MS = {100: 100, 500: 300}


def print_reruns(figures) -> None:
    print("designer page reruns (AppTest, CPython, medians of alternating runs; CPU time in brackets)")
    for nodes, f in figures.items():
        change, rerun, empty = f["change"], f["rerun"], f["empty"]
        goal = GOALS_MS.get(nodes)
        print(f"  {nodes:>4} nodes: property change {change[0] * 1000:6.1f} ms ({change[1] * 1000:5.1f} CPU)"
              + (f" = {change[0] * 1000 / goal:.2f} of the {goal} ms goal" if goal else "")
              + f"; plain rerun {rerun[0] * 1000:5.1f} ms; empty page {empty[0] * 1000:4.1f} ms → change "
              f"{change[0] / empty[0]:.0f}× an empty page's rerun")


def print_pages(loads) -> None:
    bare = loads["bare"]
    print("time to interactive, first visit (headless Chromium, median of alternating rounds; server CPU per "
          "visit in brackets)")
    print(f"  {'bare Streamlit page':<26}: {bare['s']:5.2f} s ({bare['cpu']:4.2f} s CPU)")
    for name, f in loads.items():
        if name == "bare":
            continue
        goal = "   (goal ≤ 1.5×)" if name == "designer" else ""
        print(f"  {name + ' page':<26}: {f['s']:5.2f} s ({f['cpu']:4.2f} s CPU) = {f['s'] / bare['s']:.2f}× the "
              f"bare page{goal}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.canvas")
    parser.add_argument("--pages-only", action="store_true")
    parser.add_argument("--reruns-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of page loads")
    parser.add_argument("--page", action="append", help="only this site page (repeatable)")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.pages_only:
        print_reruns(rerun_figures())
    if not args.reruns_only:
        print_pages(browser_figures(args.rounds, args.page))


if __name__ == "__main__":
    main()
