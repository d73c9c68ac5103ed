"""Export and import: a design → SAM template, starter project, ASL, diagrams (and deploy, locally only);
a SAM template → a design."""
import streamlit as st

from exporters.sam import ExportError, edited_files, export
from patterns.catalog import load_catalog
from ui import design_input, export_view

catalog = load_catalog()
st.title("Export and import", anchor=False)
st.markdown("Turn a design into what you deploy: an AWS SAM template that cfn-lint and the SAM translator "
            "accept, a starter project, state machine definitions and diagrams — or bring a SAM template in.")

source = st.radio("Design", ["A catalog pattern", "Upload my own design", "Import a SAM template"],
                  horizontal=True, key="export-source")
design = None
if source == "A catalog pattern":
    design = catalog[design_input.pick_pattern(catalog, key="export-pattern")].design
elif source == "Upload my own design":
    design = design_input.upload_design(key="export-upload")
else:
    design = export_view.import_action("import")
if design is None:
    st.stop()

st.subheader("Artefacts", anchor=False)
export_view.show_artefacts(design, "export")
for path, text in edited_files(design).items():   # an imported project's files: the template keeps DefinitionUri
    st.download_button(f"Download {path}", text, path.rsplit("/", 1)[-1], key=f"export-file-{path}")
with st.expander("Deploy to AWS (your own machine only)"):
    try:
        template = export(design)
    except ExportError:
        template = None
    export_view.deploy_panel(template, "deploy")
