"""Export and import: a design → SAM template, starter project, ASL, diagrams (and deploy, locally only);
a SAM template → a design."""
import streamlit as st

from design import DesignError, load_text
from exporters.sam import ExportError, export
from patterns.catalog import load_catalog
from ui import export_view

catalog = load_catalog()
st.title("Export and import", anchor=False)
st.markdown("Turn a design into what you deploy: an AWS SAM template that cfn-lint and the SAM translator "
            "accept, a starter project, state machine definitions and diagrams — or bring a SAM template in.")

source = st.radio("Design", ["A catalog pattern", "Upload my own design", "Import a SAM template"],
                  horizontal=True, key="export-source")
design = None
if source == "A catalog pattern":
    ids = list(catalog)
    wanted = st.query_params.get("pattern")
    pid = st.selectbox("Pattern", ids, index=ids.index(wanted) if wanted in ids else ids.index("fan-out-sns"),
                       format_func=lambda i: catalog[i].title, key="export-pattern")
    design = catalog[pid].design
elif source == "Upload my own design":
    upload = st.file_uploader("Design file (YAML or JSON, at most 10 MiB)", type=["yaml", "yml", "json"])
    if upload is not None:
        try:
            design = load_text(upload.getvalue(), "json" if upload.name.lower().endswith(".json") else "yaml",
                               name=upload.name)
        except DesignError as exc:
            st.error("This file is not a design we can load:\n\n" + "\n".join(f"- {p}" for p in exc.problems[:20]))
else:
    design = export_view.import_action("import")
if design is None:
    st.stop()

st.subheader("Artefacts", anchor=False)
export_view.show_artefacts(design, "export")
with st.expander("Deploy to AWS (your own machine only)"):
    try:
        template = export(design)
    except ExportError:
        template = None
    export_view.deploy_panel(template, "deploy")
