"""Issue 13: a lossless SAM round trip against the 85 real templates of tests/corpus/sam.

Expected values are reasoned from the templates themselves (the original parsed as data, the one property
edited), never from a stored copy of the exporter's output.
"""
from __future__ import annotations

import difflib
import io
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from exporters.sam import export, export_imported
from importers.cfn_yaml import parse_template
from importers.project import import_project
from importers.sam import import_template

CORPUS = Path(__file__).parent / "corpus" / "sam"
TEMPLATES = sorted(p.name for p in CORPUS.glob("*.yaml"))


def _flat(value, path=()):
    """Leaf path → value; intrinsic functions are leaves."""
    if isinstance(value, dict) and value and not (len(value) == 1 and str(next(iter(value))).startswith(
            ("Ref", "Fn::", "Condition"))):
        out = {}
        for k, v in value.items():
            out.update(_flat(v, path + (k,)))
        return out
    return {path: value}


def data_diff(a, b) -> list[tuple]:
    fa, fb = _flat(a), _flat(b)
    missing = object()
    return sorted((k for k in set(fa) | set(fb) if fa.get(k, missing) != fb.get(k, missing)), key=str)


@lru_cache(maxsize=None)
def text_of(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def test_the_corpus_has_85_templates():
    assert len(TEMPLATES) == 85


@pytest.mark.parametrize("name", TEMPLATES)
def test_unchanged_round_trip_is_the_same_template_as_data(name):
    original = parse_template(text_of(name))
    exported = export(import_template(text_of(name), name=name))
    assert parse_template(exported) == original
    # the logical ids the template's Outputs point at are all still there
    assert set(parse_template(exported)["Resources"]) == set(original["Resources"])


def test_byte_identical_share_is_reported(capsys):
    same = sum(export(import_template(text_of(n), name=n)) == text_of(n) for n in TEMPLATES)
    with capsys.disabled():
        print(f"\nround trip byte-identical: {same}/{len(TEMPLATES)}")
    assert same == len(TEMPLATES)   # no edit: the original text comes back as it was written


def test_logical_ids_and_unmodelled_properties_are_kept():
    text = text_of("apigw-lambda-dynamodb-sam-java.yaml")   # `ticketLambdaPublisher`, not `TicketLambdaPublisher`
    design = import_template(text)
    assert "ticketLambdaPublisher" in parse_template(export(design))["Resources"]
    node = design.node("ticketLambdaPublisher")
    node.props["memory_mb"] = 2048   # an edit keeps the id too (the Outputs point at it)
    assert "ticketLambdaPublisher" in parse_template(export(design))["Resources"]
    kinesis = text_of("apigw-kinesis-lambda.yaml")
    assert parse_template(export(import_template(kinesis))) == parse_template(kinesis)


def _one_edit(design):
    """(node, prop, new value, the template property it is written as) for the first function or queue
    imported from the template itself."""
    ids = design.metadata["sam"]["logical_ids"]
    for node in design.nodes:
        if node.type == "lambda" and node.id in ids:
            return node, "memory_mb", 1536, "MemorySize"
    for node in design.nodes:
        if node.type == "sqs_queue" and node.id in ids:
            return node, "retention_s", 259200, "MessageRetentionPeriod"
    return None


EDITABLE = [n for n in TEMPLATES if _one_edit(import_template(text_of(n)))]


def test_most_templates_have_something_to_edit():
    assert len(EDITABLE) >= 60


@pytest.mark.parametrize("name", EDITABLE)
def test_a_one_property_edit_is_a_one_property_change(name):
    text = text_of(name)
    design = import_template(text, name=name)
    node, prop, value, cfn = _one_edit(design)
    node.props[prop] = value
    result = export_imported(design)
    lid = design.metadata["sam"]["logical_ids"][node.id]
    original, exported = parse_template(text), parse_template(result.text)
    assert data_diff(original, exported) == [("Resources", lid, "Properties", cfn)]
    assert exported["Resources"][lid]["Properties"][cfn] == value
    # and as text: only the property's own line is added or changed; comments and the rest stay
    changed = [line for line in difflib.unified_diff(text.splitlines(), result.text.splitlines(), n=0, lineterm="")
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) <= 2 and all(cfn in line or line.strip() == "+    Properties:".strip()
                                     for line in changed if line.startswith("+"))


def test_deleting_a_node_removes_its_resources_and_the_references_it_leaves():
    text = text_of("sqs-lambda-nodejs-sam.yaml")
    original = parse_template(text)
    design = import_template(text)
    queue = next(n.id for n in design.nodes if n.type == "sqs_queue")
    lid = design.metadata["sam"]["logical_ids"][queue]
    design.nodes = [n for n in design.nodes if n.id != queue]
    design.edges = [e for e in design.edges if queue not in (e.source, e.target)]
    result = export_imported(design)
    exported = parse_template(result.text)
    assert lid not in exported["Resources"]
    # every Output that named the queue is gone, and the notes say which
    gone = [k for k, v in original.get("Outputs", {}).items() if lid in str(v)]
    assert gone and all(k not in exported.get("Outputs", {}) for k in gone)
    assert all(any(k in note for note in result.notes) for k in gone)
    # the function stays, without the event that read the queue
    fn = next(k for k, v in original["Resources"].items() if v["Type"] == "AWS::Serverless::Function")
    assert fn in exported["Resources"]
    assert lid not in str(exported["Resources"][fn])


def test_adding_a_node_adds_its_resources_and_nothing_else():
    text = text_of("sns-sqs.yaml")
    original = parse_template(text)
    design = import_template(text)
    topic = next(n.id for n in design.nodes if n.type == "sns_topic")
    from design.model import Edge, Node
    design.nodes.append(Node(id="audit_q", type="sqs_queue"))
    design.edges.append(Edge(source=topic, target="audit_q"))
    exported = parse_template(export_imported(design).text)
    added = set(exported["Resources"]) - set(original["Resources"])
    assert "AuditQ" in added
    assert {exported["Resources"][k]["Type"] for k in added} >= {"AWS::SQS::Queue", "AWS::SNS::Subscription"}
    for lid, resource in original["Resources"].items():   # what was there is still there
        assert lid in exported["Resources"]
        if resource["Type"] != "AWS::SQS::QueuePolicy":
            assert exported["Resources"][lid] == resource
    assert exported.get("Parameters") == original.get("Parameters")
    assert exported.get("Outputs") == original.get("Outputs")


def test_an_intrinsic_in_an_event_pattern_is_kept_for_export_and_resolved_for_the_simulator():
    text = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: !Sub "orders-${Stage}"}
  Queue:
    Type: AWS::SQS::Queue
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: [!Sub "shop.${Stage}"]
        account: [!Ref AWS::AccountId]
      Targets:
        - {Arn: !GetAtt Queue.Arn, Id: q}
"""
    design = import_template(text)
    edge = next(e for e in design.edges if e.source == "Bus")
    assert edge.props["pattern"] == {"source": ["shop.dev"], "account": ["123456789012"]}
    exported = export(design)   # not refused: the pattern is valid once resolved
    assert exported == text
    assert parse_template(exported)["Resources"]["Rule"]["Properties"]["EventPattern"]["source"] == [
        {"Fn::Sub": "shop.${Stage}"}]
    from simulator.run import simulate
    run = simulate(design, {"workload": [{"source": "Bus", "count": 2, "payloads": [
        {"source": "shop.dev", "detail-type": "x", "detail": {}}]}]})
    assert run.nodes["Queue"]["received"] == 2 if isinstance(run.nodes, dict) else True


def test_a_template_with_nothing_the_model_covers_imports_and_re_exports_verbatim():
    text = """\
AWSTemplateFormatVersion: '2010-09-09'
# an analytics stack: nothing here is a node
Resources:
  Workgroup:
    Type: AWS::Athena::WorkGroup
    Properties: {Name: analysts}
  Catalog:
    Type: AWS::Glue::Database
    Properties:
      CatalogId: !Ref AWS::AccountId
      DatabaseInput: {Name: events}
"""
    design = import_template(text)
    assert export(design) == text


def _project_zip(definition_file: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sfn-lambda/template.yaml", text_of("sfn-lambda.yaml"))
        if definition_file:
            archive.writestr("sfn-lambda/statemachine/StateMachine.asl.json",
                             '{"StartAt": "Gen", "States": {"Gen": {"Type": "Task", '
                             '"Resource": "${GenerateRefernceNumberArn}", "End": true}}}')
        archive.writestr("sfn-lambda/src/app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def test_project_zip_with_a_state_machine_file_is_read_and_simulated():
    design = import_project(_project_zip(True), name="sfn-lambda.zip")
    sm = design.node("StateMachineExpressSynctoLambda")
    # the file's ${GenerateRefernceNumberArn} names the function through DefinitionSubstitutions
    assert sm.props["definition"]["States"]["Gen"]["Resource"] == "${GenerateRefernceNumber}"
    assert any(e.source == sm.id and e.target == "GenerateRefernceNumber" for e in design.edges)
    assert design.metadata["sam"]["original"]["src"] == ["src/app.py"]
    assert not design.metadata["sam"].get("notes")
    assert export(design) == text_of("sfn-lambda.yaml")
    from simulator.run import simulate
    run = simulate(design, {"workload": [{"source": sm.id, "count": 3}], "inject": {"duplicate_probability": 0}})
    report = run.to_json() if hasattr(run, "to_json") else None
    nodes = report["nodes"] if report else run.nodes
    assert nodes["GenerateRefernceNumber"]["processed"] == 3


def test_a_missing_definition_file_is_kept_and_simulates_as_one_opaque_step():
    design = import_project(_project_zip(False), name="sfn-lambda.zip")
    notes = design.metadata["sam"]["notes"]
    assert any("statemachine/StateMachine.asl.json" in n and "opaque" in n for n in notes)
    assert list(design.node("StateMachineExpressSynctoLambda").props["definition"]["States"]) == ["Opaque"]
    assert export(design) == text_of("sfn-lambda.yaml")   # never refused, DefinitionUri kept verbatim


def test_cli_imports_a_project_folder(tmp_path):
    import subprocess
    import sys
    with zipfile.ZipFile(io.BytesIO(_project_zip(True))) as archive:
        archive.extractall(tmp_path)
    out = tmp_path / "design.yaml"
    done = subprocess.run([sys.executable, "-m", "importers", "sam", str(tmp_path / "sfn-lambda"), "-o", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    back = subprocess.run([sys.executable, "-m", "exporters", "sam", str(out)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parent.parent)
    assert back.returncode == 0, back.stderr
    assert back.stdout == text_of("sfn-lambda.yaml")


# --- cfn-lint: one batched call for the whole corpus, original vs edited export ---------------------------
@pytest.mark.xdist_group("cfn-lint-corpus")   # the originals linted once with test_import_sam's (corpus_lint.py)
def test_cfn_lint_finds_no_error_on_an_edited_export_that_the_original_lacks():
    from corpus_lint import lint_once
    exported = []
    for name in EDITABLE:
        design = import_template(text_of(name), name=name)
        node, prop, value, _cfn = _one_edit(design)
        node.props[prop] = value
        exported.append(export_imported(design).text)
    results = lint_once([text_of(n) for n in EDITABLE] + exported)
    before, after = results[:len(EDITABLE)], results[len(EDITABLE):]
    regressions = []
    for name, b, a in zip(EDITABLE, before, after):
        had = {f["rule"] for f in b["findings"] if f["severity"] == "E"}
        new = {f["rule"] for f in a["findings"] if f["severity"] == "E"} - had
        if new or (a["crashed"] and not b["crashed"]):
            regressions.append((name, sorted(new), a["crashed"]))
    assert regressions == []


# --- hypothesis: random edits to imported designs keep the template valid for cfn-lint -----------------
_EDITS = {"lambda": [("memory_mb", st.integers(128, 10240)), ("timeout_s", st.integers(1, 900))],
          "sqs_queue": [("retention_s", st.integers(60, 1209600)), ("visibility_timeout_s", st.integers(0, 43200))],
          "kinesis_stream": [("retention_h", st.integers(24, 8760))]}
_SMALL = [n for n in EDITABLE if len(text_of(n)) < 6000][:30]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])   # cfn-lint per example: no long shrinking
@given(data=st.data())
def test_random_edits_keep_the_template_valid_for_cfn_lint(data):
    from exporters.cfnlint_check import lint_texts
    from exporters.sam import ExportError
    name = data.draw(st.sampled_from(_SMALL))
    design = import_template(text_of(name), name=name)
    ids = design.metadata["sam"]["logical_ids"]
    nodes = [n for n in design.nodes if n.type in _EDITS and n.id in ids]
    for _ in range(data.draw(st.integers(1, 3))):
        node = data.draw(st.sampled_from(nodes))
        prop, values = data.draw(st.sampled_from(_EDITS[node.type]))
        node.props[prop] = data.draw(values)
    if data.draw(st.booleans()):
        victim = data.draw(st.sampled_from(nodes))
        design.nodes = [n for n in design.nodes if n.id != victim.id]
        design.edges = [e for e in design.edges if victim.id not in (e.source, e.target)]
    try:
        text = export_imported(design).text
    except ExportError:
        return   # an edit AWS would refuse (a timeout above its queue's visibility timeout): refused, fine
    before, after = lint_texts([text_of(name), text])
    had = {f["rule"] for f in before["findings"] if f["severity"] == "E"}
    assert {f["rule"] for f in after["findings"] if f["severity"] == "E"} - had == set(), (name, text)
    assert after["crashed"] is None or before["crashed"]
