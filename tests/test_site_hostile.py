"""Issue 12, site side, in Streamlit's AppTest: the web hop cap, every upload widget against a corpus of hostile
files, sign-out, the personal code, small-class results, the deploy endpoint and the site's Streamlit settings.
(tests/test_site_hostile_browser.py and tests/test_cross_user_browser.py drive the real site in Chromium.)"""
from __future__ import annotations

import ast
import json
import time
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizzes.bank import load_items
from quizzes.grading import correct_response

ROOT = Path(__file__).resolve().parent.parent
ITEMS = load_items()

# An EventBridge fan-out cycle: every event comes back to the bus through two functions, doubling as it goes.
# (A loop through SNS or SQS is stopped by Lambda's recursive loop detection after 16 invocations; one through
# EventBridge is not, so only the hop cap ends it.)
CYCLE = ("name: Fan-out cycle\nnodes:\n  - {id: shop, type: client}\n  - {id: bus, type: event_bus}\n"
         "  - {id: relay1, type: lambda}\n  - {id: relay2, type: lambda}\n"
         "edges:\n  - {source: shop, target: bus}\n"
         "  - {source: bus, target: relay1, props: {rule: loop, pattern: {source: [custom.app]}}}\n"
         "  - {source: bus, target: relay2, props: {rule: loop, pattern: {source: [custom.app]}}}\n"
         "  - {source: relay1, target: bus}\n  - {source: relay2, target: bus}\n")


@pytest.fixture(autouse=True)
def database(monkeypatch, tmp_path):
    monkeypatch.setenv("SPS_DATABASE_URL", f"sqlite:///{tmp_path}/site.sqlite3")


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str) -> None:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    matches[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    """Everything the page shows in Markdown-rendered elements, alerts, code, text and labels."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "code", "text", "title",
                 "header", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(e.label) for e in at.button] + [str(e.label) for e in at.expander]
    return "\n".join(parts)


def loader_max_hops() -> int:
    try:
        from design.scenario import MAX_HOPS
    except ImportError:          # an older loader: the number
        MAX_HOPS = 100_000_000
    return MAX_HOPS


# --- item 3: the web hop cap is the server's --------------------------------------------------------------
def test_a_design_cannot_raise_the_web_hop_cap_on_the_simulator_page():
    from ui.limits import WEB_MAX_HOPS
    asked = loader_max_hops()
    assert asked > WEB_MAX_HOPS, "the loader accepts no more than the web cap: nothing to clamp"
    design = CYCLE + f"scenario: {{max_hops: {asked}, until_s: 1000000}}\n"
    at = page("pages/simulate.py")
    at.radio[0].set_value("Upload my own").run()
    at.file_uploader(key="simulate-upload").set_value(("cycle.yaml", design.encode(), "application/x-yaml")).run()
    assert not at.exception, [e.value for e in at.exception]
    started = time.monotonic()
    click(at, "Run")
    elapsed = time.monotonic() - started
    run, scenario = at.session_state["last_run"]
    assert run.stopped_by == "max_hops" and run.hops <= WEB_MAX_HOPS * 1.01, run.hops   # the event in hand finishes
    assert scenario["max_hops"] == WEB_MAX_HOPS
    assert any(f"{WEB_MAX_HOPS:,} hops at most" in w.value for w in at.warning), [w.value for w in at.warning]
    assert elapsed < 60, f"a capped run took {elapsed:.0f} s"


def test_every_web_run_is_capped_whatever_the_scenario_asks():
    from design import load_text
    from ui.limits import WEB_MAX_HOPS, capped
    from ui.playback import run_scenario
    assert capped({"max_hops": 10 ** 30})["max_hops"] == WEB_MAX_HOPS
    assert capped({})["max_hops"] == WEB_MAX_HOPS                 # the simulator's own default is not the web's
    assert capped(None)["max_hops"] == WEB_MAX_HOPS
    assert capped({"max_hops": 10})["max_hops"] == 10              # a lower cap is kept
    assert capped({"max_hops": "lots"})["max_hops"] == WEB_MAX_HOPS
    design = load_text(CYCLE)
    shared = run_scenario(design, {"seed": 1, "until_s": 10 ** 6, "max_hops": 10 ** 9}, 500)  # designer, classroom,
    assert shared["run"].stopped_by == "max_hops" and shared["run"].hops <= WEB_MAX_HOPS * 1.01  # side by side


def test_no_page_runs_the_simulator_around_the_web_cap():
    # A new page inherits the cap only if it calls ui.limits.simulate: nothing else in pages/ or ui/ may import
    # simulator.run.simulate (ui/limits.py wraps it).
    offenders = []
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]):
        if path.name == "limits.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "simulator.run" and \
                    any(a.name == "simulate" for a in node.names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "simulate" and \
                    isinstance(node.value, ast.Attribute) and node.value.attr == "run":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_questions_about_a_design_that_never_settles_are_refused_quickly():
    at = page("pages/quiz.py")
    at.radio(key="quiz-source").set_value("Questions about a design").run()
    at.radio(key="gen-where").set_value("Upload a design file").run()
    at.file_uploader(key="gen-upload").set_value(("cycle.yaml", CYCLE.encode(), "application/x-yaml")).run()
    started = time.monotonic()
    click(at, "Make questions about this design")
    assert time.monotonic() - started < 60
    assert "quiz" not in at.session_state
    assert any("keeps the simulator busy" in w.value for w in at.warning), [w.value for w in at.warning]


# --- every upload widget against hostile files ------------------------------------------------------------
MARKER = Path("/tmp/sps-hostile-upload-ran")
HOSTILE_DESIGNS = {
    "deep-nesting.yaml": b"nodes: " + b"[" * 30000 + b"]" * 30000 + b"\n",
    "deep-nesting.json": b'{"nodes": ' + b"[" * 30000 + b"]" * 30000 + b"}",
    "python-tag.yaml": f"!!python/object/apply:os.system ['touch {MARKER}']\n".encode(),
    "python-tag-in-label.yaml": ("name: x\nnodes:\n  - {id: a, type: client, label: !!python/object/apply:os.system "
                                 f"['touch {MARKER}']}}\n").encode(),
    "billion-laughs.yaml": (b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                            b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                            b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                            b"nodes: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"),
    "huge-count.yaml": ("name: x\nnodes: [{id: a, type: client}, {id: f, type: lambda}]\nedges: [{source: a, target: f}]\n"
                        "scenario:\n  workload: [{source: a, count: 1" + "0" * 1000 + "}]\n").encode(),
    "huge-seed.yaml": b"name: x\nnodes: [{id: a, type: client}]\nscenario: {seed: " + b"9" * 5000 + b"}\n",
    "nan-position.yaml": b"name: x\nnodes: [{id: a, type: client, position: {x: .nan, y: 1}}]\n",
    "binary.yaml": bytes(range(256)) * 40,
    "utf16.json": '{"name": "x", "nodes": []}'.encode("utf-16"),
    "empty.yaml": b"",
    "not-a-mapping.yaml": b"- just\n- a list\n",
    "over-10-mib.yaml": b"name: x\nnodes: []\n#" + b"x" * (10 * 1024 * 1024 + 10) + b"\n",
    "markdown-problems.yaml": b"name: x\nnodes: [{id: a, type: '![t](http://evil.example/p.png)'}]\n",
}
HOSTILE_TEMPLATES = {
    **{k: v for k, v in HOSTILE_DESIGNS.items() if "design" not in k},
    "resources-list.yaml": b"Transform: AWS::Serverless-2016-10-31\nResources: [1, 2]\n",
    "type-list.yaml": b"Resources:\n  Topic: {Type: [1], Properties: [1]}\n",
    "int-logical-id.yaml": b"Resources:\n  1: {Type: AWS::SNS::Topic}\n",
    "globals-list.yaml": (b"Transform: AWS::Serverless-2016-10-31\nGlobals: {Function: [1]}\n"
                          b"Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b, Runtime: python3.12}}\n"),
    "parameters-list.yaml": b"Parameters: [1]\nResources:\n  Q: {Type: AWS::SQS::Queue}\n",
    "target-list.yaml": (b"Resources:\n  Bus: {Type: AWS::Events::EventBus, Properties: {Name: b}}\n"
                         b"  Rule: {Type: AWS::Events::Rule, Properties: {EventBusName: !Ref Bus, Targets: [1]}}\n"),
    "no-resources.yaml": b"AWSTemplateFormatVersion: '2010-09-09'\n",
    "design-in-metadata.yaml": (b"Metadata:\n  ServerlessPatternStudio: {design: " + b"[" * 30000 + b"]" * 30000 +
                                b"}\nResources:\n  Q: {Type: AWS::SQS::Queue}\n"),
}

# (page, how to reach its upload widget, the widget's key)
UPLOADERS = {
    "simulator": ("pages/simulate.py", [("radio", 0, "Upload my own")], "simulate-upload"),
    "export": ("pages/export.py", [("radio", "export-source", "Upload my own design")], "export-upload"),
    "quiz": ("pages/quiz.py", [("radio", "quiz-source", "Questions about a design"),
                               ("radio", "gen-where", "Upload a design file")], "gen-upload"),
    "import": ("pages/export.py", [("radio", "export-source", "Import a SAM template")], "import-upload"),
}


def _open_uploader(name: str) -> tuple[AppTest, str]:
    path, steps, key = UPLOADERS[name]
    at = page(path)
    for kind, which, value in steps:
        widget = getattr(at, kind)[which] if isinstance(which, int) else getattr(at, kind)(key=which)
        widget.set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
    return at, key


def _upload_and_check(at: AppTest, key: str, filename: str, data: bytes, kept_is_fine: bool = False) -> None:
    MARKER.unlink(missing_ok=True)
    started = time.monotonic()
    at.file_uploader(key=key).set_value((filename, data, "application/octet-stream")).run()
    assert time.monotonic() - started < 60, f"{filename}: took {time.monotonic() - started:.0f} s"
    assert not at.exception, (filename, [e.value for e in at.exception])
    shown = texts(at)
    assert "Traceback" not in shown and 'File "/' not in shown, (filename, shown[-2000:])
    said = at.error or (kept_is_fine and [s for s in at.success if "Imported" in s.value])
    assert said, f"{filename}: no message on the page saying why it was refused (or what was kept)"
    assert not MARKER.exists(), f"{filename}: the file ran code"
    assert "evil.example/p.png)" not in "".join(e.value for e in at.error), "a problem line was not escaped"


@pytest.mark.parametrize("uploader", ["simulator", "export", "quiz"])
@pytest.mark.parametrize("filename", sorted(HOSTILE_DESIGNS))
def test_design_upload_widgets_refuse_hostile_files_with_a_message(uploader, filename):
    at, key = _open_uploader(uploader)
    _upload_and_check(at, key, filename, HOSTILE_DESIGNS[filename])


@pytest.mark.parametrize("filename", sorted(HOSTILE_TEMPLATES))
def test_template_import_refuses_hostile_files_with_a_message(filename):
    at, key = _open_uploader("import")
    # A malformed part may be kept verbatim with a note (issue 12, item 8) or refused with its path.
    _upload_and_check(at, key, filename, HOSTILE_TEMPLATES[filename], kept_is_fine=True)


# --- item 9: user text in Markdown ------------------------------------------------------------------------
def test_one_markdown_escape_for_the_whole_site():
    # ui/canvas_props.py used to carry its own copy; every page uses ui.style.md_escape.
    for path in [*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if path.name != "style.py":
            assert not names & {"md", "md_escape", "escape_md", "escape_markdown"}, path


@pytest.mark.parametrize("text", ["![t](http://evil.example/t.png)", "[x](http://evil.example/)", "<script>x</script>",
                                  ":material/home:", ":smile:", ":red[red]", "$$x^2$$", "www.evil.example",
                                  "a@evil.example", "http://evil.example/a", "# heading", "`code`", "**b**",
                                  "&lt;b&gt;", "\u202eabc\u2066", "line\n\n# two", "back\\slash", "at 10:30, x:y"])
def test_md_escape_leaves_no_markdown_construct(text):
    import re

    from ui.style import md_escape
    out = md_escape(text)
    assert not re.search(r"[\u202a-\u202e\u2066-\u2069\n\r]", out)
    unescaped = re.sub(r"\\(.)", "", out)                       # what is left once every escaped mark is gone
    assert not re.search(r"[`*_{}\[\]()#+\-.!|<>~$&/@\\]", unescaped), (text, out)
    shown = re.sub(r"\\(.)", r"\1", out)                        # the parsed text Streamlit's plugins search
    assert not re.search(r":(?=[\w+/-]+[:\[]|//)|@[\w-]|(?i:www)\.", shown), (text, out)
    plain = re.sub(r"\\(.)", r"\1", out).replace("\u2060", "")
    assert plain == re.sub(r"\n+", " ", re.sub("[\u202e\u2066]", "", text))


# --- item 10: sign-out forgets the learner ------------------------------------------------------------------
def sign_up(at: AppTest, name: str) -> str:
    at.text_input[0].input(name)
    click(at, "Start")
    return at.session_state["learner_key"]


def answer_current(at: AppTest) -> str:
    quiz = at.session_state["quiz"]
    iid = quiz["session"].current()
    item = quiz["items"][iid]
    key = f"{quiz['nonce']}-{iid}"
    response = correct_response(item)
    if item.kind == "one":
        at.radio(key=f"r-{key}").set_value(response["selected"][0])
    elif item.kind == "many":
        for o in item.options:
            at.checkbox(key=f"c-{key}-{o.id}").set_value(o.correct)
    elif item.kind == "order":
        at.multiselect(key=f"o-{key}").set_value(response["order"])
    else:
        at.radio(key=f"l-{key}").set_value(response["label"])
        at.radio(key=f"w-{key}").set_value(response["reason"])
    click(at, "Submit answer")
    return iid


def start_bank_quiz(at: AppTest, size: int = 3) -> None:
    at.number_input(key="bank-size").set_value(size)
    at.radio(key="bank-mode").set_value("quiz")
    click(at, "Start quiz")


def test_after_sign_out_the_next_learner_never_answers_into_the_previous_attempt():
    from store import progress
    at = page("pages/quiz.py")
    ada = sign_up(at, "Ada")
    start_bank_quiz(at)
    answer_current(at)
    ada_attempt = at.session_state["quiz"]["attempt_id"]
    click(at, "Sign out")
    assert "quiz" not in at.session_state and "learner_key" not in at.session_state
    assert not [k for k in at.session_state if k.startswith(("sps-", "new_code", "oidc"))]
    bea = sign_up(at, "Bea")
    assert bea != ada
    assert "quiz" not in at.session_state            # Ada's quiz is gone: Bea starts her own
    start_bank_quiz(at)
    answer_current(at)
    assert at.session_state["quiz"]["attempt_id"] != ada_attempt
    assert len(progress.attempt_answers(ada, ada_attempt)) == 1
    assert [h["answered"] for h in progress.history(bea)] == [1]


def test_a_quiz_of_another_learner_is_dropped_when_the_signed_in_learner_changes():
    # Any way the signed-in learner changes under a running quiz (an identity provider's logout in another
    # tab, say): the quiz never writes into an attempt that is not the current learner's.
    from store import learners
    at = page("pages/quiz.py")
    sign_up(at, "Ada")
    start_bank_quiz(at)
    other, _ = learners.create_with_code("Cy")
    at.session_state["learner_key"] = other.key
    at.run()
    assert "quiz" not in at.session_state


# --- item 11: the personal code is hidden by default and shown once -------------------------------------------
def test_the_personal_code_is_hidden_until_asked_for_and_then_shown_once():
    at = page("pages/teacher.py")
    at.text_input[0].input("Ms T")
    at.button[0].click()    # "Start"
    at.run()
    code = at.session_state["new_code"]
    assert code and code not in texts(at)
    assert any(b.label == "Show my personal code" for b in at.button)
    click(at, "Show my personal code")
    assert code in texts(at)
    assert "new_code" not in at.session_state
    at.text_input[0].input("Week 3")              # any next interaction: the code is gone for good
    click(at, "Create class quiz")
    assert code not in texts(at)
    assert not any(b.label == "Show my personal code" for b in at.button)


# --- item 12: small classes, deploy endpoint, settings ------------------------------------------------------
def test_a_class_of_one_shows_no_answers_only_that_they_are_withheld():
    from store import classes
    teacher = page("pages/teacher.py")
    sign_up(teacher, "Ms T")
    teacher.text_input[0].input("Week 3")
    click(teacher, "Create class quiz")
    code = [s.value for s in teacher.success if "join with the code" in s.value][0].split("**")[1]
    pupil = page("pages/quiz.py")
    sign_up(pupil, "Pupil")
    pupil.radio(key="quiz-source").set_value("Class quiz (join code)").run()
    pupil.text_input[0].input(code)
    click(pupil, "Join and start")
    while pupil.session_state["quiz"]["session"].current() is not None:
        answer_current(pupil)
        for label in ("Next question", "See my results"):
            if any(b.label == label for b in pupil.button):
                click(pupil, label)
    teacher.run()
    metrics = {m.label: m.value for m in teacher.metric}
    assert metrics["Finished"] == "1" and metrics["Mean score"] == "—"
    rows = teacher.dataframe[0].value
    assert set(rows["choices"]) == {"withheld"} and set(rows["fully right"]) == {"—"}
    assert rows["mean score"].isna().all()
    assert any(f"at least {classes.MIN_GROUP} learners" in c.value for c in teacher.caption)


def test_the_deploy_endpoint_must_be_on_this_machine(monkeypatch):
    from exporters import deploy
    from ui.export_view import endpoint_problem
    for url in ("http://evil.example/", "https://10.0.0.5:4566", "file:///etc/passwd", "http://127.0.0.1.evil.example",
                "http://[::ffff:8.8.8.8]:80", "http://localhost:99999", "gopher://localhost/"):
        assert endpoint_problem(url), url
    for url in ("", "  ", "http://localhost:4566", "http://127.0.0.1:5000", "https://[::1]:4566/"):
        assert endpoint_problem(url) is None, url
    monkeypatch.setattr(deploy, "deploy_enabled", lambda host, env=None: (True, ""))
    at = page("pages/export.py")
    at.expander[-1]
    at.text_input(key="deploy-endpoint").input("http://evil.example/").run()
    assert any("must be on this machine" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Create change set"]
    at.text_input(key="deploy-endpoint").input("http://127.0.0.1:4566").run()
    assert [b for b in at.button if b.label == "Create change set"]


def test_the_site_settings_limit_uploads_and_hide_developer_tools():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert 10 <= config["server"]["maxUploadSize"] <= 11          # MiB: what a design can be (10 MiB) and no more
    assert config["server"]["maxMessageSize"] <= 64
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["browser"]["serverAddress"]                     # no external-IP probe at start-up
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")


def test_the_page_icon_is_a_file_of_this_site():
    from ui import style
    assert Path(style.ICON).is_file() and Path(style.ICON).stat().st_size < 20_000
    sources = (ROOT / "app.py").read_text() + (ROOT / "ui" / "canvas_page.py").read_text()
    assert 'page_icon=":' not in sources and "page_icon=style.ICON" in sources


def test_the_served_site_never_asks_the_internet_for_its_address(monkeypatch):
    import socket

    from streamlit import net_util
    from streamlit.web.server import server_util

    from ui import serve
    monkeypatch.setattr(net_util, "get_external_ip", net_util.get_external_ip)   # restored after the test
    calls = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(OSError()))
    monkeypatch.setattr(net_util, "_make_blocking_http_get", lambda url, timeout: calls.append(url))
    serve.no_external_ip_lookup()
    assert server_util.is_url_from_allowed_origins("http://evil.example") is False
    assert not [c for c in calls if "checkip" in str(c)], calls
