"""A state machine whose definition is a project file (DefinitionUri): an edit of the definition goes into that
file, the template keeps its DefinitionUri (no inline Definition is added), and the project export carries the
edited file. Expected values are the project's own file with the one edit made, reasoned by hand."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from design import from_data
from exporters.sam import edited_files, export, export_imported
from exporters.starter import starter_zip
from importers.project import import_project
from importers.sam import import_template

TEMPLATE = (Path(__file__).parent / "corpus" / "sam" / "sfn-lambda.yaml").read_text(encoding="utf-8")
FILE = "statemachine/StateMachine.asl.json"
ASL = {"StartAt": "Gen", "States": {"Gen": {"Type": "Task", "Resource": "${GenerateRefernceNumberArn}",
                                            "End": True}}}
SM = "StateMachineExpressSynctoLambda"


def _project() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sfn-lambda/template.yaml", TEMPLATE)
        archive.writestr(f"sfn-lambda/{FILE}", json.dumps(ASL, indent=2) + "\n")
    return buffer.getvalue()


def _edited():
    data = import_project(_project(), name="sfn-lambda.zip").to_dict()
    definition = next(n for n in data["nodes"] if n["id"] == SM)["props"]["definition"]
    definition["States"]["Gen"]["TimeoutSeconds"] = 30
    return from_data(data)


def test_unchanged_project_gives_back_its_file_and_template():
    design = import_project(_project(), name="sfn-lambda.zip")
    assert export(design) == TEMPLATE
    assert edited_files(design) == {FILE: json.dumps(ASL, indent=2) + "\n"}
    assert export_imported(design).files == {}


def test_a_definition_edit_goes_into_the_file_and_the_template_keeps_its_definition_uri():
    rt = export_imported(_edited())
    assert rt.text == TEMPLATE                       # byte for byte: no inline Definition added
    want = json.loads(json.dumps(ASL))
    want["States"]["Gen"]["TimeoutSeconds"] = 30     # the one edit; the placeholder is the template's key again
    assert json.loads(rt.files[FILE]) == want
    assert rt.files[FILE] == json.dumps(want, indent=2) + "\n"   # the file's own indentation
    assert rt.changes == [f"changed {FILE} (the definition of {SM}; the template keeps its DefinitionUri)"]


def test_the_starter_project_carries_the_edited_file_and_reimports_as_edited():
    design = _edited()
    with zipfile.ZipFile(io.BytesIO(starter_zip(design))) as archive:
        names = {n.split("/", 1)[1]: n for n in archive.namelist()}
        template = archive.read(names["template.yaml"]).decode()
        asl = archive.read(names[FILE]).decode()
    assert "DefinitionUri: statemachine/StateMachine.asl.json" in template and "Definition:" not in template
    again = import_template(template, "template.yaml", files={FILE: asl})
    assert again.node(SM).prop("definition") == design.node(SM).prop("definition")


def test_the_export_pages_changes_show_an_edit_made_in_the_definition_file():
    """The template is byte for byte the original, so the page must not say "No change": the file's diff shows."""
    from ui.export_view import changes_text
    design = _edited()
    diff, _notes = changes_text(design, export(design))
    assert f"--- imported {FILE}" in diff and f"+++ export {FILE}" in diff
    assert '+      "TimeoutSeconds": 30' in diff
    unchanged = import_project(_project(), name="sfn-lambda.zip")
    assert changes_text(unchanged, export(unchanged))[0] == ""
