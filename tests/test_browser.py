"""The real site in headless Chromium: pages load, the catalog renders diagrams, hostile labels stay text."""

from browser import HOSTILE, screenshot, site

# Generous waits: the suite runs two workers on two cores beside other Streamlit servers and browsers.
SLOW = 90_000


def open_page(chromium, url, path):
    for old in list(chromium.contexts):    # earlier pages' sessions would keep the server busy
        old.close()
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url + path, timeout=SLOW)
    page.wait_for_selector("h1", timeout=SLOW)
    return page, dialogs


def test_home_and_catalog_render_with_a_diagram(chromium, url):
    page, _ = open_page(chromium, url, "/")
    assert "Serverless Pattern Studio" in page.inner_text("h1")
    screenshot(page, "home")
    page, _ = open_page(chromium, url, "/catalog?pattern=fan-out-sns")
    page.wait_for_selector("svg .node", timeout=SLOW)       # the graphviz diagram, rendered in the browser
    assert page.locator("svg .node").count() == 11
    screenshot(page, "catalog-fan-out")


def test_uploaded_design_with_a_hostile_label_is_shown_as_text(chromium, url, tmp_path):
    design = tmp_path / "hostile.yaml"
    design.write_text("name: hostile\nnodes:\n"
                      f"  - {{id: a, type: client, label: '{HOSTILE}'}}\n"
                      f"  - {{id: b, type: lambda, label: '{HOSTILE}'}}\n"
                      "edges:\n  - {source: a, target: b}\n", encoding="utf-8")
    page, dialogs = open_page(chromium, url, "/simulate")
    page.get_by_text("Upload my own").click()
    page.locator("input[type=file]").set_input_files(str(design))
    page.wait_for_selector("svg .node", timeout=SLOW)
    labels = page.locator("svg .node").all_text_contents()
    assert any(HOSTILE in t for t in labels)
    assert page.locator("img[src=x]").count() == 0
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector("text=Nothing vanished", timeout=SLOW)
    screenshot(page, "simulator-hostile-label")
    assert dialogs == []


def test_a_deep_link_as_the_very_first_request_gets_the_site_navigation(chromium):
    # A fresh server whose first visitor opens a shared link (not the home page) must still run app.py.
    with site() as fresh:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(fresh + "/catalog?pattern=saga", timeout=SLOW)
        page.wait_for_selector("[data-testid=stSidebarNav]", timeout=SLOW)
        nav = page.locator("[data-testid=stSidebarNav]").inner_text()
        assert "Start here" in nav and "Pattern catalog" in nav
        assert "\napp\n" not in f"\n{nav}\n"


# The smallest service name in a design diagram, in CSS px as drawn: graphviz gives font sizes in the SVG's own
# units (points), so the size on screen is that times the SVG's drawn width over its viewBox width.
SMALLEST_DIAGRAM_TEXT = """() => {
  const sizes = [];
  for (const svg of document.querySelectorAll('[data-testid=stGraphVizChart] svg')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('.node text')) sizes.push(parseFloat(t.getAttribute('font-size')) * scale);
  }
  return sizes.length ? Math.min(...sizes) : null;
}"""


def test_a_wide_catalog_diagram_keeps_readable_names_and_scrolls_sideways(chromium, url):
    for old in list(chromium.contexts):
        old.close()
    page = chromium.new_page(viewport={"width": 1280, "height": 720})      # a projector, the sidebar open
    page.goto(url + "/catalog?pattern=choreography", timeout=SLOW)
    page.wait_for_selector("svg .node", timeout=SLOW)
    assert page.evaluate(SMALLEST_DIAGRAM_TEXT) >= 11                       # was about 4 px: squeezed to the column
    chart = page.locator("[data-testid=stGraphVizChart]")
    assert chart.evaluate("e => e.scrollWidth > e.clientWidth + 100")      # 14 services: wider than the column
    chart.focus()                                                           # a scroller takes keyboard focus
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('[data-testid=stGraphVizChart]').scrollLeft > 0",
                           timeout=SLOW)
    chart.scroll_into_view_if_needed()
    screenshot(page, "catalog-choreography-1280x720")
