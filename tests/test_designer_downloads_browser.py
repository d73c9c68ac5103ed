"""Export from where you design: the designer's download buttons give a SAM template cfn-lint accepts and a
starter project, without a trip through the Export page; the properties panel folds away for the canvas."""
import io
import time
import zipfile

import yaml

from browser import ARTIFACTS, settle
from exporters.cfnlint_check import lint_texts


def _open(chromium, url, size):
    page = chromium.new_page(viewport=size, accept_downloads=True)
    page.goto(url + "/designer?pattern=fan-out-sns")
    page.wait_for_selector("[data-testid=canvas]", timeout=90_000)
    page.get_by_role("button", name="SAM template").wait_for(timeout=60_000)
    return page


def test_the_designer_downloads_a_template_cfn_lint_accepts_and_a_starter_project(chromium, url):
    page = _open(chromium, url, {"width": 1440, "height": 900})
    try:
        with page.expect_download(timeout=60_000) as got:
            page.get_by_role("button", name="SAM template").click()
        text = open(got.value.path(), encoding="utf-8").read()
        assert got.value.suggested_filename == "template.yaml"
        assert "AWS::Serverless::Function" in text and "AWS::SNS::Topic" in text
        result = lint_texts([text])[0]
        assert result["crashed"] is None
        assert [f for f in result["findings"] if f["severity"] == "error"] == [], result["findings"]
        with page.expect_download(timeout=60_000) as got:
            page.get_by_role("button", name="Starter project").click()
        names = zipfile.ZipFile(io.BytesIO(open(got.value.path(), "rb").read())).namelist()
        assert any(n.endswith("template.yaml") for n in names) and any(n.endswith(".py") for n in names), names
    finally:
        page.close()


def test_folding_the_properties_panel_gives_the_canvas_the_width(chromium, url):
    page = _open(chromium, url, {"width": 1280, "height": 720})
    try:
        canvas = page.locator("[data-testid=canvas]").first
        before = canvas.bounding_box()["width"]
        page.get_by_text("Properties panel").click()
        def width():   # None while Streamlit re-renders the canvas after the toggle
            box = canvas.bounding_box()
            return box["width"] if box else 0
        deadline = time.time() + 60
        while width() <= before + 100 and time.time() < deadline:
            time.sleep(0.3)
        assert width() > before + 100, (before, canvas.bounding_box())
        settle(page)                                  # the rerun's end: the panel is gone, not a stale copy
        assert page.get_by_role("heading", name="Properties").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "designer-no-properties-1280.png"))
    finally:
        page.close()
