"""The Export page (AppTest): the template shown and downloadable, cfn-lint findings, the import action."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from apptest_pages import open_page
from conftest import CORPUS



def export_page(**query) -> AppTest:
    return open_page("pages/export.py", timeout=120, **query)


def _downloads(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_export_page_shows_the_template_and_every_download():
    at = export_page(pattern="saga")
    assert at.title[0].value == "Export and import"
    yaml_blocks = [c.value for c in at.code if c.language == "yaml"]
    assert yaml_blocks and "AWS::Serverless::StateMachine" in yaml_blocks[0]
    assert "!GetAtt" in yaml_blocks[0]
    labels = _downloads(at)
    assert "Download template.yaml" in labels
    assert "Download the starter project (.zip)" in labels
    assert "Download trip_saga.asl.json" in labels
    assert any("Mermaid" in label for label in labels)
    assert any('"StartAt": "ReserveFlight"' in c.value for c in at.code if c.language == "json")


def test_cfn_lint_check_runs_on_the_page():
    at = export_page(pattern="fan-out-sns")
    at.toggle(key="export-lint").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("cfn-lint: no errors, no warnings" in s.value for s in at.success)


def test_import_action_turns_a_template_into_a_design():
    at = export_page()
    at.radio(key="export-source").set_value("Import a SAM template").run()
    text = (CORPUS / "sam" / "sns-sqs-fanout.yaml").read_text(encoding="utf-8")
    at.text_area(key="import-paste").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Imported 7 services" in s.value for s in at.success)
    assert "Download the design (YAML)" in _downloads(at)
    at.text_area(key="import-paste").input("just: text\n").run()
    assert any("not a template we can import" in e.value for e in at.error)


def test_deploy_is_off_by_default():
    at = export_page(pattern="fan-out-sns")
    assert not any(b.label == "Create change set" for b in at.button)
    assert any("STUDIO_ENABLE_DEPLOY" in c.value or "own machine" in c.value for c in at.caption)


def test_imported_template_unchanged_says_so_and_runs_with_inferred_entry_points():
    at = export_page()
    at.radio(key="export-source").set_value("Import a SAM template").run()
    text = (CORPUS / "sam" / "sqs-lambda-python-sam.yaml").read_text(encoding="utf-8")
    at.text_area(key="import-paste").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("byte for byte" in s.value for s in at.success)
    at.button(key="import-run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # the queue nothing feeds is the entry point, and the run says so
    assert any("entry point" in i.value.lower() or "MySqsQueue" in i.value for i in at.info), \
        [i.value for i in at.info]


def test_changes_against_the_imported_original_are_a_diff():
    from design.model import Node
    from importers.sam import import_template
    from ui.export_view import changes_text
    from exporters.sam import export
    text = (CORPUS / "sam" / "sqs-lambda-python-sam.yaml").read_text(encoding="utf-8")
    design = import_template(text)
    fn = next(n for n in design.nodes if n.type == "lambda")
    fn.props["memory_mb"] = 2048
    diff, _notes = changes_text(design, export(design))
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+      MemorySize: 2048"] or (len(added) == 1 and "MemorySize: 2048" in added[0])
    assert Node  # imported for readers: a node added shows its resources the same way
