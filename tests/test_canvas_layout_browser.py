"""Issue 14, the canvas side, in Debian's Chromium at the projector (1280×720) and laptop (1440×900) sizes:
labels measured from rendered boxes, presenter keys from a fresh load, full screen, no zoom onto the first
drop, auto-layout refits, no tokens left on the edges, Ctrl+Z / Ctrl+Shift+Z, the skip links, and two
designs on one clock. Screenshots go to artifacts/issue14/."""
from bisect import bisect_right
import re
import time

import pytest
from playwright.sync_api import expect

from browser import ARTIFACTS, site
from designer import compare, links, playback
from designer.layout import ensure_positions
from patterns.catalog import load_catalog
from simulator.run import simulate

LAPTOP = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1280, "height": 720}
SHOTS = ARTIFACTS / "issue14"

# The smallest text on any service box, in CSS px as rendered: font size × the box's on-screen scale.
SMALLEST_NODE_TEXT = """() => {
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  const sizes = [];
  for (const r of roots) for (const node of r.querySelectorAll('.sps-node')) {
    const box = node.getBoundingClientRect();
    const scale = box.width / node.offsetWidth;
    for (const t of node.querySelectorAll('.sps-label, .sps-type'))
      if (t.getClientRects().length) sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
  }
  return sizes.length ? Math.min(...sizes) : null;
}"""
ZOOM = """() => { const v = [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
  .map(e => e.shadowRoot.querySelector('.react-flow__viewport')).find(Boolean);
  return v ? new DOMMatrix(getComputedStyle(v).transform).a : null; }"""
VIEWPORT = """() => { const v = [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
  .map(e => e.shadowRoot.querySelector('.react-flow__viewport')).find(Boolean);
  return v ? getComputedStyle(v).transform : null; }"""
FOCUSED = """() => { let a = document.activeElement; while (a && a.shadowRoot && a.shadowRoot.activeElement)
  a = a.shadowRoot.activeElement; return a ? (a.dataset.testid || a.getAttribute('aria-label') || a.textContent || a.tagName) : null; }"""

# The presenter's layout, measured: the minimap's box (null when there is none), every service box, the playback
# row's controls (top, height, font size) and where a queue's label starts below its top ellipse (in node px).
PRESENTER_LAYOUT = """() => {
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  const box = (e) => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const out = {minimap: null, nodes: [], controls: [], queues: []};
  for (const r of roots) {
    const m = r.querySelector('.react-flow__minimap');
    if (m && m.getClientRects().length) out.minimap = box(m);
    for (const n of r.querySelectorAll('.sps-node')) {
      out.nodes.push({id: n.dataset.testid, ...box(n)});
      if (n.matches('.sps-shape-cylinder')) {
        const scale = n.getBoundingClientRect().width / n.offsetWidth;
        out.queues.push([n.dataset.testid, (n.querySelector('.sps-label').getBoundingClientRect().top
                                            - n.getBoundingClientRect().top) / scale]);
      }
    }
    const row = r.querySelector('.sps-controls');
    if (row) for (const c of row.querySelectorAll('button, select, input'))
      out.controls.push({name: c.dataset.testid || c.getAttribute('aria-label') || c.textContent.trim(),
                         font: parseFloat(getComputedStyle(c).fontSize), ...box(c)});
  }
  return out;
}"""


def overlaps(a, b):
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def check_presenter_layout(page):
    """No node under the minimap (there is none in the presenter view), the playback controls and the canvas
    tools on one row, each ≥ 32 px tall with text ≥ 14 px, and every queue's label below its top ellipse."""
    layout = page.evaluate(PRESENTER_LAYOUT)
    if layout["minimap"] is not None:
        covered = [n["id"] for n in layout["nodes"] if overlaps(n, layout["minimap"])]
        assert covered == [], f"the minimap covers {covered}"
    names = [c["name"] for c in layout["controls"]]
    assert "fit" in names and "fullscreen" in names and "play" in names, names
    centres = [c["y"] + c["h"] / 2 for c in layout["controls"]]
    assert max(centres) - min(centres) <= 6, [(c["name"], round(c["y"]), round(c["h"])) for c in layout["controls"]]
    for c in layout["controls"]:
        assert c["h"] >= 32, c
        if c["name"] != "scrubber":
            assert c["font"] >= 14, c
    # the cylinder's top ellipse ends 12 px down (ServiceNode.jsx CYL = 6): the label starts below it
    assert layout["queues"], layout["nodes"]
    for name, top in layout["queues"]:
        assert top >= 12, (name, top)
    return layout


@pytest.fixture(scope="module")
def harness():
    with site("tests/canvas_harness.py") as address:
        yield address


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_page(chromium, url, path, viewport, **context_args):
    context = chromium.new_context(viewport=viewport, **context_args)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + path)
    page.wait_for_selector(".react-flow__node", timeout=60_000)
    return context, page, errors


def settle(page, script=VIEWPORT, timeout=10):
    """Wait until a value read from the page stops changing (a fit's animation has ended)."""
    last, deadline = None, time.time() + timeout
    while time.time() < deadline:
        now = page.evaluate(script)
        if now is not None and now == last:
            return now
        last = now
        time.sleep(0.4)
    return last


def classroom_code():
    design = load_catalog()["fan-out-sns"].design
    scenario = dict(design.scenario or {})
    scenario.pop("seed", None)
    return links.encode(design, scenario, 11)


def clock(page):
    return page.locator("[data-testid=clock]").inner_text()


def hop(page):
    return int(re.search(r"hop ([\d,]+) of", clock(page)).group(1).replace(",", ""))


@pytest.mark.parametrize("viewport", [LAPTOP, PROJECTOR], ids=["1440x900", "1280x720"])
def test_designer_labels_stay_readable_and_a_wide_pattern_pans(chromium, url, viewport):
    context, page, errors = open_page(chromium, url, "/designer?pattern=choreography", viewport)
    try:
        settle(page)
        smallest = page.evaluate(SMALLEST_NODE_TEXT)
        assert smallest >= 11, f"smallest node text {smallest:.2f} px"
        # the whole of a 14-service pattern does not fit at that size: the view starts at the flow's start
        first = page.locator('.react-flow__node[data-id="shop"]').bounding_box()
        canvas = page.locator("[data-testid=canvas]").bounding_box()
        assert canvas["x"] <= first["x"] <= canvas["x"] + 60, (first, canvas)
        page.locator("[data-testid=palette-toggle]").click()            # fold the palette: the canvas widens
        expect(page.locator("[data-testid=palette-sqs_queue]")).to_have_count(0)
        assert page.locator("[data-testid=canvas]").bounding_box()["width"] > canvas["width"] + 150
        shot(page, f"designer-choreography-{viewport['width']}x{viewport['height']}")
        page.locator("[data-testid=palette-toggle]").click()
        expect(page.locator("[data-testid=palette-sqs_queue]")).to_have_count(1)
        assert errors == []
    finally:
        context.close()


def test_presenter_at_1280x720_large_labels_canvas_and_narration_on_the_first_screen_keys_from_load(chromium, url):
    context, page, errors = open_page(chromium, url, f"/classroom?run={classroom_code()}", PROJECTOR)
    try:
        page.wait_for_selector("[data-testid=narration-now]", timeout=90_000)
        settle(page)
        assert page.evaluate(SMALLEST_NODE_TEXT) >= 14
        canvas = page.locator("[data-testid=canvas]").bounding_box()
        now = page.locator("[data-testid=narration-now]").bounding_box()
        assert canvas["y"] + canvas["height"] <= PROJECTOR["height"], canvas
        assert now["y"] + now["height"] <= PROJECTOR["height"] and now["y"] >= 0, now
        # the presenter view spends one row above the controls (the design's name, the switch): the canvas gets
        # most of the projector's height, and going live is offered below it
        assert canvas["height"] >= 0.6 * PROJECTOR["height"], canvas
        assert page.locator("h1").all_inner_texts() == ["Order fan-out"]
        live = page.get_by_text("To drive this run live").bounding_box()
        assert live["y"] > canvas["y"] + canvas["height"], live
        shot(page, "classroom-presenter-1280x720")
        check_presenter_layout(page)
        # no click first: the clicker's keys step at once
        page.keyboard.press("PageDown")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Space")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 3 of")
        page.keyboard.press("PageUp")
        page.keyboard.press("ArrowLeft")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 1 of")
        for _ in range(8):
            page.keyboard.press("PageDown")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 9 of")
        shot(page, "classroom-presenter-1280x720-hop9")
        check_presenter_layout(page)
        # full screen: the studio (canvas, controls, narration) fills the screen
        page.locator("[data-testid=fullscreen]").click()
        page.wait_for_function("""() => [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
            .some(e => e.shadowRoot.fullscreenElement && e.shadowRoot.fullscreenElement.matches('.sps-studio'))""",
                               timeout=90_000)
        expect(page.locator("[data-testid=fullscreen]")).to_have_attribute("aria-pressed", "true")
        time.sleep(0.8)
        shot(page, "classroom-presenter-1280x720-fullscreen")
        page.keyboard.press("PageDown")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 10 of")
        page.locator("[data-testid=fullscreen]").click()
        expect(page.locator("[data-testid=fullscreen]")).to_have_attribute("aria-pressed", "false")
        page.keyboard.press("End")                       # the longest clock: the row still fits on one line
        expect(page.locator("[data-testid=clock]")).to_contain_text(re.compile(r"hop ([\d,]+) of \1$"))
        check_presenter_layout(page)
        assert errors == []
    finally:
        context.close()


def test_presenter_at_1440x900(chromium, url):
    context, page, errors = open_page(chromium, url, f"/classroom?run={classroom_code()}", LAPTOP)
    try:
        page.wait_for_selector("[data-testid=narration-now]", timeout=90_000)
        settle(page)
        assert page.evaluate(SMALLEST_NODE_TEXT) >= 14
        page.keyboard.press("PageDown")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 1 of")
        shot(page, "classroom-presenter-1440x900")
        check_presenter_layout(page)
        page.keyboard.press("End")                       # the longest clock: the row still fits on one line
        expect(page.locator("[data-testid=clock]")).to_contain_text(re.compile(r"hop ([\d,]+) of \1$"))
        check_presenter_layout(page)
        assert errors == []
    finally:
        context.close()


def test_first_drop_keeps_the_zoom_undo_redo_keys_and_the_skip_link(chromium, harness):
    context, page, errors = None, None, []
    context = chromium.new_context(viewport=LAPTOP)
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(harness + "/?mode=empty")
        page.wait_for_selector("[data-testid=canvas]", timeout=60_000)
        # the keyboard reaches the skip link in a few Tabs and it jumps over the palette's ~50 stops
        for presses in range(1, 30):
            page.keyboard.press("Tab")
            if page.evaluate(FOCUSED) == "skip-palette":
                break
        else:
            raise AssertionError("the skip link was not reached")
        expect(page.locator("[data-testid=skip-palette]")).to_be_visible()
        shot(page, "skip-link-focused")
        page.keyboard.press("Enter")
        assert page.evaluate(FOCUSED) in ("palette-toggle", "fit", "layout"), page.evaluate(FOCUSED)

        canvas = page.locator("[data-testid=canvas]")
        zoom = page.evaluate(ZOOM)
        page.locator("[data-testid=palette-sqs_queue]").drag_to(canvas, target_position={"x": 150, "y": 120})
        expect(page.locator(".react-flow__node")).to_have_count(1, timeout=90_000)
        time.sleep(1.0)                                   # a fit (if one came) would have run by now
        assert abs(page.evaluate(ZOOM) - zoom) < 1e-6, "the first drop does not zoom onto its block"
        page.locator("[data-testid=palette-lambda]").drag_to(canvas, target_position={"x": 520, "y": 140})
        expect(page.locator(".react-flow__node")).to_have_count(2, timeout=90_000)
        a = page.locator(".react-flow__node").nth(0).bounding_box()
        b = page.locator(".react-flow__node").nth(1).bounding_box()
        assert a["x"] + a["width"] < b["x"] or b["x"] + b["width"] < a["x"], "the second drop lands beside the first"
        shot(page, "two-drops")

        canvas.click(position={"x": 700, "y": 420})       # the empty pane: nothing focused that takes keys
        page.keyboard.press("Control+z")
        expect(page.locator(".react-flow__node")).to_have_count(1, timeout=90_000)
        page.keyboard.press("Control+Shift+z")
        expect(page.locator(".react-flow__node")).to_have_count(2, timeout=90_000)
        page.keyboard.press("Control+z")
        expect(page.locator(".react-flow__node")).to_have_count(1, timeout=90_000)
        page.keyboard.press("Control+y")
        expect(page.locator(".react-flow__node")).to_have_count(2, timeout=90_000)
        # typing Ctrl+Z in the palette's filter is the field's own undo, not the canvas's
        search = page.locator(".sps-palette-search")
        search.fill("queue")
        search.press("Control+z")
        time.sleep(1.0)
        assert page.locator(".react-flow__node").count() == 2
        assert errors == []
    finally:
        context.close()


def test_auto_layout_refits_and_no_tokens_are_left_at_the_end(chromium, url):
    context, page, errors = open_page(chromium, url, "/designer?pattern=fan-out-sns", LAPTOP)
    try:
        fitted = settle(page)
        pane = page.locator(".react-flow__pane").bounding_box()
        page.mouse.move(pane["x"] + 300, pane["y"] + 60)
        page.mouse.down()
        page.mouse.move(pane["x"] + 40, pane["y"] + 20, steps=8)
        page.mouse.up()
        assert settle(page) != fitted
        page.locator("[data-testid=layout]").click()
        deadline = time.time() + 20
        while time.time() < deadline and page.evaluate(VIEWPORT) != fitted:
            time.sleep(0.3)
        assert settle(page) == fitted, "auto-layout fits the view again"

        page.get_by_role("button", name="Run and play").click()
        page.wait_for_selector("[data-testid=play]", timeout=60_000)
        page.locator(".sps-speed select").select_option("300")
        page.locator("[data-testid=play]").click()
        expect(page.locator("[data-testid=play]")).to_have_text("▶ Play", timeout=60_000)   # played to the end
        assert page.locator(".sps-token").count() == 0, "no tokens left standing on the edges"
        page.locator("[data-testid=scrubber]").evaluate("e => e.scrollIntoView({block: 'center'})")
        page.locator("[data-testid=step-back]").click()
        page.locator("[data-testid=to-end]").click()
        time.sleep(0.3)
        assert page.locator(".sps-token").count() == 0
        page.locator("[data-testid=canvas]").evaluate("e => e.scrollIntoView({block: 'start'})")
        shot(page, "designer-played-to-end-1440x900")
        # the skip link to the playback controls lands on Play
        page.locator("[data-testid=skip-to-play]").focus()
        page.keyboard.press("Enter")
        assert page.evaluate(FOCUSED) == "play"
        assert errors == []
    finally:
        context.close()


def _payload(pid):
    design = ensure_positions(load_catalog()[pid].design)
    run = simulate(design, compare.same_workload(design, 10, 1.0, 3, 900.0), trace=True)
    return playback.build(run, design, 2000)


@pytest.mark.parametrize("viewport", [LAPTOP, PROJECTOR], ids=["1440x900", "1280x720"])
def test_two_designs_play_on_one_clock(chromium, harness, viewport):
    left, right = _payload("choreography"), _payload("orchestration")
    context, page, errors = open_page(chromium, harness, "/?mode=compare", viewport)
    try:
        assert page.locator("[data-testid=canvas]").count() == 2
        assert page.locator("[data-testid=play]").count() == 1 and page.locator("[data-testid=scrubber]").count() == 1
        assert page.locator("[data-testid=clock]").count() == 1
        settle(page)
        assert page.evaluate(SMALLEST_NODE_TEXT) >= 11
        page.locator("[data-testid=play]").click()
        time.sleep(2.5)
        page.locator("[data-testid=play]").click()
        text = clock(page)
        t = float(re.search(r"t = ([\d,.]+) s", text).group(1).replace(",", ""))
        counts = [int(x.replace(",", "")) for x in re.findall(r"hop ([\d,]+) of", text)]
        assert len(counts) == 2 and t > 0
        for payload, shown in zip((left, right), counts):
            # one t for both: each side is at that run's own cursor for t (the clock rounds t to 1 ms)
            times = [h[0] for h in payload["hops"]]
            assert bisect_right(times, t - 0.0015) <= shown <= bisect_right(times, t + 0.0015)
        shot(page, f"compare-one-clock-{viewport['width']}x{viewport['height']}")
        page.locator("[aria-label='Back to the start']").click()
        for _ in range(5):
            page.locator("[data-testid=step-forward]").click()
        counts = [int(x) for x in re.findall(r"hop (\d+) of", clock(page))]
        assert sum(counts) == 5, "stepping walks the hops of both runs in time order"
        page.locator("[data-testid=to-end]").click()
        counts = [int(x.replace(",", "")) for x in re.findall(r"hop ([\d,]+) of", clock(page))]
        assert counts == [len(left["hops"]), len(right["hops"])]
        assert page.locator(".sps-token").count() == 0
        assert errors == []
    finally:
        context.close()
