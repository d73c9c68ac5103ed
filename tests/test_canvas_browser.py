"""The designer canvas in the real site, driven in Debian's Chromium: drag from the palette, connect, edit a
property, run and play a scenario, share a classroom link, and hostile labels shown as text."""
import re
import time

from playwright.sync_api import expect

from browser import ARTIFACTS, HOSTILE, settle
from design import from_data
from designer import links
from patterns.catalog import load_catalog



def open_page(chromium, url, path, context=None):
    if context is None:
        page = chromium.new_page(viewport={"width": 1680, "height": 1250})
    else:
        page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + path)
    page.wait_for_selector("[data-testid=canvas]", timeout=90_000)
    return page, dialogs, errors


def screenshot(page, name):
    """The canvas in view (a full-page shot of Streamlit's scrolling main area would miss it)."""
    page.locator("[data-testid=canvas]").first.evaluate(
        "e => { e.scrollIntoView({block: 'start'}); let p = e.getRootNode().host || e;"
        " while (p && p.scrollHeight <= p.clientHeight) { p = p.parentElement; }"
        " if (p) p.scrollBy(0, -110); }")
    time.sleep(0.3)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def nodes(page):
    return page.locator(".react-flow__node")


def wait_count(locator, count, timeout=60):   # generous: a loaded 2-core CI machine
    deadline = time.time() + timeout
    while time.time() < deadline:
        if locator.count() == count:
            return
        time.sleep(0.2)
    raise AssertionError(f"expected {count}, found {locator.count()}")


def connect(page, source, target):
    """Drag from the source node's right handle to the target node's left handle, as a person would."""
    a = page.locator(f'.react-flow__node[data-id="{source}"] .react-flow__handle.source').bounding_box()
    b = page.locator(f'.react-flow__node[data-id="{target}"] .react-flow__handle.target').bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()


def message(page):
    return page.locator("[data-testid=canvas-message]")


def test_palette_drag_connect_refuse_edit_delete_undo(chromium, url):
    page, dialogs, errors = open_page(chromium, url, "/designer")
    canvas = page.locator("[data-testid=canvas]")
    page.locator("[data-testid=palette-sqs_queue]").drag_to(canvas, target_position={"x": 150, "y": 120})
    wait_count(nodes(page), 1)
    page.locator("[data-testid=palette-lambda]").drag_to(canvas, target_position={"x": 520, "y": 140})
    wait_count(nodes(page), 2)
    page.locator("[data-testid=palette-dynamodb_table]").drag_to(canvas, target_position={"x": 150, "y": 330})
    wait_count(nodes(page), 3)
    page.locator("[data-testid=palette-pattern-async-processing]").drag_to(canvas, target_position={"x": 300,
                                                                                                     "y": 520})
    added = len(load_catalog()["async-processing"].design.nodes)
    wait_count(nodes(page), 3 + added)
    assert "Added the pattern" in message(page).inner_text()
    # the dropped pattern arrives selected as a group (multi-select), and the panel says so
    expect(page.get_by_text(f"{added} services and")).to_be_visible(timeout=90_000)
    assert page.locator(".react-flow__node.selected").count() == added

    # connect the queue to the function: allowed, inferred as an event source mapping
    page.locator("[data-testid=fit]").click()
    time.sleep(0.6)
    page.locator("[data-testid=canvas]").scroll_into_view_if_needed()
    edges_before = page.locator(".react-flow__edge").count()
    connect(page, "sqs_queue", "lambda")
    wait_count(page.locator(".react-flow__edge"), edges_before + 1)
    assert "as event_source" in _wait_text(message(page), "Connected")

    # a table cannot feed a queue: refused, and the reason is shown
    connect(page, "dynamodb_table", "sqs_queue")
    refused = _wait_text(message(page), "Refused")
    assert "DynamoDB table → SQS queue is not a connection AWS offers" in refused and "connects to:" in refused
    assert "dynamodb_table" not in refused, "services named as the palette names them"
    wait_count(page.locator(".react-flow__edge"), edges_before + 1)
    assert page.locator("[data-testid=canvas-message][role=alert]").count() == 1

    # edit a property of the function in the properties panel (typed, ranged widget)
    page.locator('.react-flow__node[data-id="lambda"]').click()
    box = page.get_by_role("spinbutton", name="timeout_s")
    box.wait_for(timeout=90_000)
    box.fill("20")
    page.get_by_role("button", name="Apply changes").click()
    _wait_text(message(page), "Updated")
    page.get_by_role("spinbutton", name="timeout_s").wait_for()
    assert page.get_by_role("spinbutton", name="timeout_s").input_value() == "20.00"
    field = page.get_by_role("spinbutton", name="timeout_s")
    assert (field.get_attribute("min"), field.get_attribute("max")) == ("1", "900"), "the registry's range"
    screenshot(page, "designer-edit")

    # moving a node: Python keeps the new place (the rerun that follows does not snap it back)
    table = page.locator('.react-flow__node[data-id="dynamodb_table"]')
    settle(page)                       # the edit's rerun redraws the canvas: a drag begun during it is lost
    page.wait_for_timeout(500)
    before = table.bounding_box()
    start = {"x": before["x"] - canvas.bounding_box()["x"], "y": before["y"] - canvas.bounding_box()["y"]}
    page.mouse.move(before["x"] + 60, before["y"] + 35)
    page.mouse.down()
    page.mouse.move(before["x"] + 60 + 90, before["y"] + 35 + 40, steps=10)
    page.mouse.up()
    # where the drag left it, in the canvas (at a readable zoom React Flow may auto-pan near the canvas's
    # edge, so the distance is not exactly 90, 40; the message line above the canvas may come or go)
    def in_canvas():
        box, frame = table.bounding_box(), page.locator("[data-testid=canvas]").bounding_box()
        return {"x": box["x"] - frame["x"], "y": box["y"] - frame["y"]}
    dropped = in_canvas()
    time.sleep(2.0)
    after = in_canvas()
    assert abs(dropped["x"] - start["x"]) + abs(dropped["y"] - start["y"]) > 30, (start, dropped)
    assert abs(after["x"] - dropped["x"]) < 3 and abs(after["y"] - dropped["y"]) < 3, (dropped, after)

    # Ctrl-click adds to the selection
    page.locator('.react-flow__node[data-id="sqs_queue"]').click()
    page.locator('.react-flow__node[data-id="dynamodb_table"]').click(modifiers=["Control"])
    expect(page.get_by_text("2 services and 0 connections selected")).to_be_visible(timeout=90_000)

    # delete the function with the keyboard, then undo brings it back
    count = nodes(page).count()
    page.locator('.react-flow__node[data-id="lambda"]').click()
    time.sleep(0.4)
    page.keyboard.press("Delete")
    wait_count(nodes(page), count - 1)
    page.locator("[data-testid=undo]").click()
    wait_count(nodes(page), count)
    page.locator("[data-testid=layout]").click()
    _wait_text(message(page), "Laid out")
    screenshot(page, "designer")
    assert dialogs == [] and errors == []


def _wait_text(locator, words, timeout=60):   # generous: a loaded 2-core CI machine
    deadline = time.time() + timeout
    while time.time() < deadline:
        if locator.count() and words in locator.inner_text():
            return locator.inner_text()
        time.sleep(0.2)
    raise AssertionError(f"no message with {words!r}: {locator.all_inner_texts()}")


def token_positions(page):
    return page.locator(".sps-token").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.hop, e.getAttribute('transform')]))")


def test_run_and_play_tokens_move_and_a_failed_node_is_marked(chromium, url):
    page, dialogs, errors = open_page(chromium, url, "/designer?pattern=choreography")
    page.wait_for_selector(".react-flow__node", timeout=90_000)
    page.get_by_role("button", name="Run and play").click()
    page.wait_for_selector("[data-testid=play]", timeout=60_000)
    assert page.locator(".sps-legend").count() == 1 and "duplicate copy" in page.locator(".sps-legend").inner_text()
    page.locator("[data-testid=play]").click()
    time.sleep(0.5)
    first = token_positions(page)
    time.sleep(0.35)
    second = token_positions(page)
    moved = [hop for hop in set(first) & set(second) if first[hop] != second[hop]]
    assert first and second, (first, second)
    assert moved, "a token on the canvas changed position while playing"
    screenshot(page, "playback")
    page.locator("[data-testid=play]").click()            # pause
    # the narration follows the clock: the highlighted line is the hop the clock shows
    clock = page.locator("[data-testid=clock]").inner_text()
    hop = int(re.search(r"hop ([\d,]+) of", clock).group(1).replace(",", ""))
    current = page.locator("[data-testid=narration] li[aria-current=step]")
    if hop:
        number = page.locator("[data-testid=narration]").evaluate(
            "ol => Number(ol.start) + [...ol.children].findIndex(li => li.getAttribute('aria-current') === 'step')")
        assert number == hop and current.count() == 1
    page.locator("[data-testid=to-end]").click()
    marked = page.locator('[data-testid=node-ship_order][data-marks~="failed"]')
    marked.wait_for(timeout=90_000)
    assert "✖ failed" in marked.inner_text()
    assert page.locator("[data-testid=node-take_payment][data-marks~=failed]").count() == 0
    # step back one hop, then forward: one token rides the stepped hop's edge
    page.locator("[data-testid=step-back]").click()
    page.locator("[data-testid=step-forward]").click()
    assert page.locator(".sps-narration .sps-current").count() == 1
    screenshot(page, "playback-end")
    assert dialogs == [] and errors == []


def _classroom_code():
    design = load_catalog()["fan-out-sns"].design
    scenario = dict(design.scenario or {})
    scenario.pop("seed", None)
    return links.encode(design, scenario, 11)


def _step(page, times):
    for _ in range(times):
        page.locator("[data-testid=step-forward]").click()
    return (page.locator("[data-testid=narration-now]").inner_text(), page.locator("[data-testid=clock]").inner_text())


def test_a_classroom_link_gives_the_same_run_in_another_browser(chromium, url):
    code = _classroom_code()
    seen = []
    for i in range(2):
        context = chromium.new_context(viewport={"width": 1680, "height": 1250})
        try:
            page, dialogs, errors = open_page(chromium, url, f"/classroom?run={code}", context=context)
            page.wait_for_selector("[data-testid=narration-now]", timeout=90_000)
            after_one = _step(page, 1)
            after_twelve = _step(page, 11)
            page.locator("[data-testid=to-end]").click()
            counters = page.locator(".sps-counters").all_inner_texts()
            seen.append((after_one, after_twelve, counters))
            if i == 0:
                assert "sent to" in after_one[0] or "published" in after_one[0] or "t = 0" in after_one[0]
                assert page.locator(".sps-presenter").count() == 1
                screenshot(page, "classroom-presenter")
            assert dialogs == [] and errors == []
        finally:
            context.close()
    assert seen[0] == seen[1]
    assert "hop 12 of" in seen[0][1][1]


def test_a_tampered_classroom_link_says_what_is_wrong(chromium, url):
    page = chromium.new_page()
    page.goto(url + "/classroom?run=1AAAAthis-is-not-a-link")
    page.get_by_text("cannot be opened").wait_for(timeout=90_000)
    assert page.locator("[data-testid=canvas]").count() == 0


def test_a_hostile_label_is_text_everywhere(chromium, url):
    design = from_data({"name": HOSTILE, "nodes": [
        {"id": "a", "type": "client", "label": HOSTILE}, {"id": "b", "type": "sqs_queue", "label": HOSTILE},
        {"id": "c", "type": "lambda", "label": HOSTILE}],
        "edges": [{"source": "a", "target": "b"}, {"source": "b", "target": "c", "props": {"batch_size": 1}}]})
    code = links.encode(design, {"until_s": 60, "workload": [{"source": "a", "count": 2}]}, 1)
    page, dialogs, errors = open_page(chromium, url, f"/designer?run={code}")
    page.wait_for_selector(".react-flow__node", timeout=90_000)
    labels = page.locator(".sps-label").all_inner_texts()
    assert labels == [HOSTILE] * 3
    page.locator('.react-flow__node[data-id="c"]').click()
    page.get_by_role("textbox", name="Label").wait_for(timeout=90_000)
    assert page.get_by_role("textbox", name="Label").input_value() == HOSTILE
    page.get_by_role("button", name="Run and play").click()
    page.wait_for_selector("[data-testid=play]", timeout=60_000)
    page.locator("[data-testid=to-end]").click()
    expect(page.locator("[data-testid=narration]")).to_contain_text(HOSTILE)
    screenshot(page, "designer-hostile-label")
    page2, dialogs2, errors2 = open_page(chromium, url, f"/classroom?run={code}")
    page2.wait_for_selector("[data-testid=narration-now]", timeout=90_000)
    _step(page2, 2)
    assert HOSTILE in page2.locator("[data-testid=narration-now]").inner_text() or \
        HOSTILE in page2.locator(".sps-label").first.inner_text()
    for p in (page, page2):
        assert p.locator("img[src=x]").count() == 0
        assert p.locator(".react-flow img, .sps-narration img").count() == 0
    assert dialogs == dialogs2 == [] and errors == errors2 == []


def test_with_reduced_motion_tokens_stand_still_and_keys_step_hops(chromium, url):
    context = chromium.new_context(viewport={"width": 1680, "height": 1250}, reduced_motion="reduce")
    try:
        page, dialogs, errors = open_page(chromium, url, f"/classroom?run={_classroom_code()}", context=context)
        page.wait_for_selector("[data-testid=narration-now]", timeout=90_000)
        page.locator("[data-testid=step-forward]").click()
        page.keyboard.press("PageDown")
        page.keyboard.press("ArrowRight")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 3 of")
        page.keyboard.press("PageUp")
        expect(page.locator("[data-testid=clock]")).to_contain_text("hop 2 of")
        page.locator("[data-testid=play]").click()
        time.sleep(0.6)
        first = token_positions(page)
        time.sleep(0.4)
        second = token_positions(page)
        page.locator("[data-testid=play]").click()
        common = set(first) & set(second)
        assert common, (first, second)
        assert all(first[h] == second[h] for h in common), "no moving tokens: each stays mid-edge"
        assert dialogs == [] and errors == []
    finally:
        context.close()
