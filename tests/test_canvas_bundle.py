"""The committed canvas bundle: self-contained (no CDN, no web fonts, no runtime download), built from the
locked versions, and its source never turns text into HTML. (`make frontend` rebuilds it and compares bytes.)"""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
# URLs that appear inside React/React Flow as XML namespaces or in error-message text, never fetched.
KNOWN_TEXT_URLS = re.compile(r"^https?://(www\.w3\.org/|react\.dev/errors/|reactflow\.dev/?$|reactflow\.dev/error)")


def test_the_bundle_is_committed_and_is_one_es_module_with_a_default_export():
    js = (FRONTEND / "dist" / "canvas.js").read_text(encoding="utf-8")
    css = (FRONTEND / "dist" / "canvas.css").read_text(encoding="utf-8")
    assert js.rstrip().endswith("as default};"), "the Components v2 renderer is the default export"
    assert not re.search(r"(^|[;}])\s*import[\s{(*]", js), "everything is bundled: no imports left"
    assert "import(" not in js, "no dynamic imports (nothing loaded at runtime)"
    assert ".react-flow" in css and ".sps-node" in css
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?https?:", css), "no web fonts or remote assets"
    assert 300_000 < len(js) < 700_000


def test_the_bundle_fetches_nothing_from_outside():
    js = (FRONTEND / "dist" / "canvas.js").read_text(encoding="utf-8")
    for url in set(re.findall(r"https?://[A-Za-z0-9./_%-]*", js)):
        assert url == "https://" or KNOWN_TEXT_URLS.match(url), url
    # One fetch in the whole bundle: the live link's, to this site's own position route and nothing else (the
    # URL is checked against a same-origin path pattern before use; frontend/test/live.test.mjs tries hostile ones).
    assert js.replace("prefetch(", "").count("fetch(") == 1
    assert r"/^(\/[A-Za-z0-9_-]+)*\/_sps\/live\/[A-Za-z0-9-]+$/.test(" in js
    assert "fetch(" not in "".join(p.read_text(encoding="utf-8") for p in (FRONTEND / "src").glob("*.js*")
                                   if p.name != "live.js")


def test_versions_are_locked():
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["@xyflow/react"] == "12.12.1"
    assert all(re.match(r"^\d+\.\d+\.\d+$", v) for v in {**package["dependencies"],
                                                         **package["devDependencies"]}.values()), "exact versions"
    assert lock["packages"]["node_modules/@xyflow/react"]["version"] == "12.12.1"
    assert lock["packages"]["node_modules/react"]["version"] == package["dependencies"]["react"]


def test_labels_are_never_turned_into_html_in_our_source():
    for path in (FRONTEND / "src").glob("*.js*"):
        text = path.read_text(encoding="utf-8")
        assert "dangerouslySetInnerHTML" not in text and "innerHTML" not in text, path.name
        assert "insertAdjacentHTML" not in text and "document.write" not in text, path.name


def test_the_python_side_reads_the_committed_bundle():
    from ui import canvas
    js, css = canvas._bundle()
    assert js == (FRONTEND / "dist" / "canvas.js").read_text(encoding="utf-8")
    assert ".react-flow{" in css and ".sps-host{" in css, "React Flow's styles and the studio's own"
