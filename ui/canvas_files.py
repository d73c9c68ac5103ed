"""Save and open designs (YAML/JSON files, the site's database when there is one, else this session), share
a classroom link, and lint findings with their fixes (when the lint package is installed)."""
from __future__ import annotations

import copy
from urllib.parse import urlsplit

import streamlit as st

from design import DesignError, from_data, load_text, to_json, to_yaml
from design.model import Design
from designer import links
from designer.forms import default_scenario
from patterns.catalog import load_catalog
from ui import canvas_session as cs
from ui import design_input
from ui.style import md_escape

try:                                   # the site's database (store/); without it: this session
    from store import designs as _store
except ImportError:                    # pragma: no cover - depends on what is installed
    _store = None
try:
    from lint import lint as _lint
    from lint.fixes import FixError, apply_fix as _apply_fix
except ImportError:                    # pragma: no cover
    _lint = _apply_fix = None
    FixError = ValueError


def slug(name: str) -> str:
    keep = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    return "-".join(filter(None, keep.split("-")))[:60] or "design"


def owner() -> str | None:
    """The signed-in learner's key (ui.identity), or None: then saved designs live in this browser session."""
    if _store is None:
        return None
    try:
        from ui.identity import current_learner
        learner = current_learner()
    except Exception:                  # noqa: BLE001 - no database, no identity: the session it is
        return None
    return learner.key if learner is not None else None


def _saved() -> list[tuple[str, str]]:
    """(label, reference) of the saved designs: the database's for a signed-in learner, else the session's."""
    who = owner()
    if who is not None:
        try:
            return [(d.name, f"db:{d.id}") for d in _store.list(who)]
        except Exception:              # noqa: BLE001 - a database problem falls back to the session
            pass
    return [(name, f"session:{name}") for name in cs.get().saved]


def _save(name: str) -> None:
    s = cs.get()
    name = " ".join(str(name or "").split())[:200] or s.design.name
    who = owner()
    if who is not None:
        try:
            _store.save(who, name, to_yaml(s.design))
            cs.say(s, f"Saved “{name}” in the site's database.")
            return
        except Exception as exc:       # noqa: BLE001
            cs.say(s, f"The database did not take it ({type(exc).__name__}); kept in this session instead.",
                   "error")
    s.saved[name] = s.design.to_dict()
    if who is None:
        cs.say(s, f"Saved “{name}” in this browser session (sign in to keep designs in the database, or "
               "download the file).")


def _open_saved(ref: str) -> None:
    s = cs.get()
    kind, _, key = ref.partition(":")
    try:
        if kind == "db":
            saved = _store.load(owner(), int(key))
            design, label = load_text(saved.yaml_text, "yaml", name=saved.name), saved.name
        else:
            design, label = from_data(s.saved[key]), key
    except (KeyError, ValueError, TypeError, DesignError):
        cs.say(s, "Could not open that saved design.", "error")
        return
    cs.open_design(design, f"Opened “{label}”.", design.scenario)


def _open_pattern() -> None:
    pid = st.session_state.get("open-pattern")
    catalog = load_catalog()
    if pid in catalog:
        cs.open_design(catalog[pid].design, f"Opened the catalog pattern “{catalog[pid].title}”.",
                       catalog[pid].design.scenario)


def files(s) -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown("**Download**")
        design = s.design          # the text is made only when a button is pressed (deferred download)
        st.download_button("Design as YAML", lambda: to_yaml(design), file_name=f"{slug(design.name)}.yaml",
                           mime="application/x-yaml", key="dl-yaml", on_click="ignore")
        st.download_button("Design as JSON", lambda: to_json(design), file_name=f"{slug(design.name)}.json",
                           mime="application/json", key="dl-json", on_click="ignore")
        st.text_input("Design name", s.design.name, key=f"name-{s.version}", on_change=lambda: cs.handle_edit(
            {"op": "rename", "name": st.session_state.get(f"name-{cs.get().version}")}))
    with c2:
        st.markdown("**Open**")
        upload = st.file_uploader("A design file (YAML or JSON, at most 10 MiB)", type=["yaml", "yml", "json"],
                                  key=f"upload-{s.version}")
        if upload is not None and (design := design_input.load_upload(upload)) is not None:
            cs.open_design(design, f"Opened {upload.name}.", design.scenario)
            st.rerun()
        catalog = load_catalog()
        st.selectbox("A catalog pattern", list(catalog), key="open-pattern", format_func=lambda p: catalog[p].title)
        st.button("Open the pattern (replaces the canvas; undo brings it back)", on_click=_open_pattern)
        st.button("Start an empty design", on_click=lambda: cs.open_design(Design(), "Empty canvas."))
    with c3:
        where = "the site's database" if owner() is not None else "this session"
        st.markdown(f"**Save in {where}**")
        name = st.text_input("Save as", s.design.name, key="save-name")
        st.button("Save", on_click=_save, args=(name or s.design.name,), key="save")
        if owner() is None and _store is not None:
            st.caption("Sign in (on the Quiz page) to keep saved designs in the site's database.")
        for label, ref in _saved():
            st.button(f"Open “{md_escape(label)}”", key=f"open-{ref}", on_click=_open_saved, args=(ref,))


def share_url(code: str) -> str:
    base = st.context.url or ""
    parts = urlsplit(base)
    root = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{root}/classroom?run={code}"


def share(s) -> None:
    scenario = copy.deepcopy(s.scenario or default_scenario(s.design))
    seed = int(scenario.pop("seed", 1))
    st.markdown("One link holds the design, the scenario and the seed: every student who opens it sees the "
                "**identical run**, hop by hop. The presenter view steps one hop at a time in large text.")
    try:
        code = links.encode(s.design, scenario, seed)
    except links.LinkError as exc:
        st.warning(md_escape(exc))
        return
    url = share_url(code)
    st.code(url, language=None)
    st.caption(f"{len(code):,} characters · seed {seed} · the scenario last run here (or the design's own).")
    st.page_link("pages/classroom.py", label="Open the classroom view", query_params={"run": code},
                 icon=":material/co_present:")


def findings(design: Design) -> list[dict] | None:
    """Lint findings, cached per design content in the session (None when lint is not installed)."""
    if _lint is None:
        return None
    s = cs.get()
    key = cs.fingerprint(design) + design.name
    cached = s._s.get("lint")
    if cached and cached[0] == key:
        return cached[1]
    try:
        found = list(_lint(design))
    except Exception as exc:           # noqa: BLE001 - a lint bug must not break the designer
        st.caption(f"Lint could not check this design ({type(exc).__name__}).")
        return None
    s._s["lint"] = (key, found)
    return found


def _fix(index: int) -> None:
    s = cs.get()
    found = findings(s.design) or []
    if index >= len(found):
        return
    try:
        fixed = _apply_fix(s.design, found[index])
    except FixError as exc:
        cs.say(s, f"The fix could not be applied: {exc}", "error")
        return
    cs.handle_edit({"op": "replace", "design": fixed})
    cs.say(s, f"Fixed {found[index]['id']}: {found[index]['fix']['label']}.")


def lint_panel(found: list[dict] | None) -> None:
    if found is None:
        st.info("Design checks appear here once the lint package is installed.")
        return
    if not found:
        st.success("No findings: lint has nothing to say about this design.")
        return
    counts = {sev: sum(f.get("severity") == sev for f in found) for sev in ("error", "warning", "info")}
    st.markdown(", ".join(f"**{n}** {sev}{'s' if n != 1 and sev != 'info' else ''}" for sev, n in counts.items()
                          if n) + " — also marked on the canvas (⚠ on the service or connection).")
    shown = found if st.toggle(f"Show all {len(found)}", key="lint-all") or len(found) <= 25 else found[:25]
    for i, f in enumerate(shown):
        sign = {"error": "✖ error", "warning": "⚠ warning"}.get(f.get("severity"), "ℹ " + str(f.get("severity")))
        st.markdown(f"**{sign}** · {md_escape(f.get('id', ''))} at {md_escape(f.get('path', ''))} — {md_escape(f.get('message', ''))}")
        fix = f.get("fix")
        if fix and _apply_fix is not None:
            label = fix.get("label") if isinstance(fix, dict) else str(fix)
            st.button(f"Fix: {md_escape(label)}", key=f"fix-{i}-{f.get('id')}", on_click=_fix, args=(i,))


def _template_or_refusal(design: Design) -> str:
    from exporters.sam import ExportError, export
    try:
        return export(design)
    except ExportError as exc:
        # A deploy-time error (lint E): the file says why instead of a template AWS would refuse.
        return "# AWS would refuse this design at deploy time, so no template was written:\n" + "".join(
            f"#  - {p}\n" for p in exc.problems[:20])


def download_template(design: Design, key: str) -> None:
    """The SAM template of the design on the canvas, generated only when the button is pressed."""
    snapshot = copy.deepcopy(design)
    st.download_button("⬇ SAM template", lambda: _template_or_refusal(snapshot), "template.yaml",
                       mime="application/x-yaml", key=f"{key}-sam", on_click="ignore",
                       help="template.yaml for `sam deploy` (checked by cfn-lint in the test suite)")


def download_starter(design: Design, key: str) -> None:
    """The starter project (template, handlers, tests) of the design, generated only when pressed."""
    from exporters.sam import ExportError
    from exporters.starter import starter_zip
    snapshot = copy.deepcopy(design)

    def build() -> bytes:
        try:
            return starter_zip(snapshot)
        except ExportError as exc:    # a deploy-time error: the zip says why rather than failing the page
            import io
            import zipfile
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("README.txt", f"No starter project: {exc}\n")
            return buf.getvalue()
    st.download_button("⬇ Starter project", build, f"{slug(design.name)}.zip", mime="application/zip",
                       key=f"{key}-zip", on_click="ignore",
                       help="A SAM project with handler stubs and passing unit tests")
