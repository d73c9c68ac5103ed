"""The Export page's parts: every artefact of a design with a download button, cfn-lint findings, the Import
action (a SAM template → a design), and deploying through a change set (only on the user's own machine)."""
from __future__ import annotations

import streamlit as st

from design.loader import to_yaml
from design.model import Design
from exporters.asl import asl_text
from exporters.dot import to_dot
from exporters.mermaid import to_mermaid
from exporters.sam import ExportError, export
from exporters.starter import slug, starter_zip
from ui import diagram
from ui.style import md_escape


@st.cache_data(show_spinner=False, max_entries=32)
def _lint(template: str) -> dict:
    from exporters.cfnlint_check import lint_texts
    return lint_texts([template])[0]


def show_artefacts(design: Design, key: str) -> None:
    stem = slug(design.name)
    try:
        template = export(design)
    except ExportError as exc:
        st.error("AWS would refuse this design at deploy time, so no template is written:\n\n" +
                 "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        template = None
    sam_tab, starter_tab, asl_tab, diagram_tab = st.tabs(["SAM template", "Starter project", "State machines (ASL)",
                                                         "Diagrams"])
    with sam_tab:
        if template:
            _changes(design, template, key)
            _sam(template, stem, key)
    with starter_tab:
        if template:
            st.markdown("A project to `sam build` and `sam deploy`: the template, a Python handler stub per "
                        "function (idempotent with Powertools where the design says so, partial batch responses "
                        "where the mapping uses them), unit tests that pass, `samconfig.toml` and a README.")
            st.download_button("Download the starter project (.zip)", starter_zip(design), f"{stem}.zip",
                               mime="application/zip", key=f"{key}-zip")
    with asl_tab:
        machines = [n for n in design.nodes if n.type == "state_machine"]
        if not machines:
            st.info("This design has no state machine.")
        for node in machines:
            text = asl_text(design, node.id)
            st.markdown(f"**{md_escape(node.title)}** — placeholders replaced by example ARNs (the template substitutes "
                        "the real ones)")
            st.code(text, language="json")
            st.download_button(f"Download {node.id}.asl.json", text, f"{node.id}.asl.json",
                               mime="application/json", key=f"{key}-asl-{node.id}")
    with diagram_tab:
        _diagrams(design, stem, key)


def changes_text(design: Design, template: str) -> tuple[str, list[str]] | None:
    """(unified diff of the export against the imported original, notes) for an imported design, else None."""
    import difflib

    from exporters.sam import roundtrip
    original = roundtrip.original_of(design)
    if original is None:
        return None
    notes, files = [], {}
    try:
        from exporters.sam import export_imported
        exported = export_imported(design)
        notes, files = exported.notes, exported.files
    except ExportError:
        pass
    diff = "".join(difflib.unified_diff(original["text"].splitlines(keepends=True), template.splitlines(keepends=True),
                                        fromfile="imported original", tofile="export", n=2))
    for path in sorted(files):               # a project's own files (statemachine/ definitions) edited in place
        before = (original.get("files") or {}).get(path, "")
        diff += "".join(difflib.unified_diff(before.splitlines(keepends=True), files[path].splitlines(keepends=True),
                                             fromfile=f"imported {path}", tofile=f"export {path}", n=2))
    return diff, notes


def _changes(design: Design, template: str, key: str) -> None:
    found = changes_text(design, template)
    if found is None:
        return
    diff, notes = found
    if not diff:
        st.success("No change: this export is your imported template, byte for byte (comments and layout kept).")
        return
    with st.expander("Changes against the imported original", expanded=True):
        st.code(diff, language="diff")
        for note in notes:
            st.info(md_escape(note))


def _sam(template: str, stem: str, key: str) -> None:
    st.download_button("Download template.yaml", template, "template.yaml", mime="application/x-yaml",
                       key=f"{key}-sam", type="primary")
    if st.toggle("Check it with cfn-lint", key=f"{key}-lint", help="The real cfn-lint, run here (a few seconds)."):
        result = _lint(template)
        findings = [f for f in result["findings"] if f["severity"] in ("E", "W", "I")]
        if result["crashed"]:
            st.error(f"cfn-lint could not check it: {md_escape(result['crashed'])}")
        elif findings:
            st.warning(f"cfn-lint reports {len(findings)} finding(s):")
            st.dataframe([{"rule": f["rule"], "line": f["line"], "message": f["message"]} for f in findings],
                         hide_index=True)
        else:
            st.success("cfn-lint: no errors, no warnings.")
    st.code(template, language="yaml", line_numbers=True)


def _diagrams(design: Design, stem: str, key: str) -> None:
    mermaid, dot = to_mermaid(design), to_dot(design)
    c1, c2 = st.columns(2)
    c1.download_button("Mermaid flowchart (.mmd)", mermaid, f"{stem}.mmd", key=f"{key}-mmd")
    c2.download_button("Graphviz DOT (.dot)", dot, f"{stem}.dot", key=f"{key}-dot")
    from exporters.render import RenderError, render
    try:
        svg = render(dot, "svg")
        st.download_button("SVG drawing", svg, f"{stem}.svg", mime="image/svg+xml", key=f"{key}-svg")
    except RenderError as exc:
        st.caption(str(exc))
    with st.expander("Mermaid text"):
        st.code(mermaid, language="text")
    if st.toggle("Sequence diagram of a simulation run (the design's own scenario)", key=f"{key}-seq"):
        from exporters.sequence import to_sequence
        from simulator.run import ScenarioError
        from ui.limits import cap_notice, simulate
        try:
            run = simulate(design, design.scenario, trace=True)
        except ScenarioError as exc:
            st.error("The design's scenario cannot run:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
            return
        cap_notice(run)
        text = to_sequence(run.trace, {n.id: n.title for n in design.nodes})
        st.code(text, language="text")
        st.download_button("Sequence diagram (.mmd)", text, f"{stem}-sequence.mmd", key=f"{key}-seqdl")


def import_action(key: str) -> Design | None:
    """Upload (or paste) a SAM template; show the design it becomes and offer it as design YAML."""
    from importers.sam import ImportError_, import_template
    from importers.project import ProjectError, import_project
    upload = st.file_uploader("SAM or CloudFormation template (YAML or JSON), or a SAM project as a zip (the "
                              "template with its statemachine/ and src/ files); at most 10 MiB",
                              type=["yaml", "yml", "json", "template", "zip"], key=f"{key}-upload")
    pasted = st.text_area("…or paste one", key=f"{key}-paste", height=150)
    source = (upload.getvalue(), upload.name) if upload is not None else (pasted, "pasted template") if pasted \
        else (None, None)
    if source[0] is None:
        return None
    try:
        if upload is not None and upload.name.lower().endswith(".zip"):
            design = import_project(source[0], name=source[1])
        else:
            design = import_template(source[0], name=source[1])
    except ProjectError as exc:
        st.error(f"This is not a SAM project we can import: {md_escape(exc)}")
        return None
    except ImportError_ as exc:
        st.error("This is not a template we can import:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        return None
    kept = design.metadata.get("sam", {})
    st.success(f"Imported {len(design.nodes)} services and {len(design.edges)} connections"
               + (f"; {len(kept.get('resources', {}))} resources kept as they were" if kept else "") + ".")
    for note in kept.get("notes") or []:
        st.caption(md_escape(note))
    diagram.show(design)
    st.download_button("Download the design (YAML)", to_yaml(design), f"{slug(design.name)}.design.yaml",
                       key=f"{key}-design")
    if st.button("Run it", key=f"{key}-run", help="Simulate the imported design with entry points inferred from "
                 "the template (API routes, buckets, queues, topics, buses, streams and tables with a stream that "
                 "nothing feeds; schedules fire by their own timing)."):
        st.session_state[f"{key}-ran"] = True
    if st.session_state.get(f"{key}-ran"):
        run_imported(design, key)
    return design


def inferred_scenario(design: Design) -> dict:
    """The design's own scenario without its workload: the simulator then infers the entry points."""
    scenario = dict(design.scenario or {})
    scenario.pop("workload", None)
    return scenario


def run_imported(design: Design, key: str) -> None:
    from simulator.run import ScenarioError
    from ui.limits import simulate
    from ui.run_view import show_run
    try:
        run = simulate(design, inferred_scenario(design), trace=True)
    except ScenarioError as exc:
        st.error("The design cannot run:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems[:20]))
        return
    show_run(run, design, f"{key}-run")


def endpoint_problem(url: str) -> str | None:
    """Why this CloudFormation endpoint is refused, else None. Empty is AWS's own endpoint (boto3's default);
    any other must be on this machine (LocalStack, moto): signed requests and the template are never sent to
    an address a page visitor typed."""
    from urllib.parse import urlsplit

    from exporters import deploy
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port                                  # noqa: B018 — raises ValueError for a bad port
    except ValueError:
        return "The endpoint URL is not a valid URL."
    if parts.scheme not in ("http", "https") or not deploy.is_loopback(host):
        return ("The endpoint URL must be on this machine (http://localhost:…, http://127.0.0.1:…), for a local "
                "emulator; leave it empty for AWS itself.")
    return None


def deploy_panel(template: str | None, key: str) -> None:
    from exporters import deploy
    host = st.get_option("server.address")
    ok, why = deploy.deploy_enabled(host)
    url_host = getattr(getattr(st, "context", None), "url", "") or ""
    if ok and url_host and not deploy.is_loopback(url_host.split("//")[-1].split("/")[0].rsplit(":", 1)[0]):
        ok, why = False, "Deploying is only offered in a browser on the same machine (a loopback address)."
    if not ok or template is None:
        st.caption(why or "Deploying needs a template first.")
        return
    st.markdown("Creates a CloudFormation **change set** with your own AWS credentials (boto3's standard chain; "
                "nothing is stored), shows it, and runs it only when you confirm.")
    c1, c2, c3 = st.columns(3)
    stack = c1.text_input("Stack name", "studio-design", key=f"{key}-stack")
    region = c2.text_input("Region", "us-east-1", key=f"{key}-region")
    endpoint = c3.text_input("Endpoint URL (optional)", "", key=f"{key}-endpoint")
    state = st.session_state.setdefault(f"{key}-cs", {})
    refused = endpoint_problem(endpoint)
    if refused:
        st.error(refused)
        state.clear()
        return
    if st.button("Create change set", key=f"{key}-create"):
        try:
            state.clear()
            state.update(deploy.create_change_set(deploy.client(region, endpoint), stack, template))
        except deploy.DeployError as exc:
            st.error(md_escape(exc))
    if state:
        st.dataframe(state["changes"], hide_index=True)
        if st.button(f"Execute change set {md_escape(state['name'])}", key=f"{key}-execute", type="primary"):
            try:
                st.info("Stack status: " + md_escape(deploy.execute(deploy.client(region, endpoint), stack,
                                                                   state["name"])))
            except deploy.DeployError as exc:
                st.error(md_escape(exc))
