"""SAM import on the 85 real templates of tests/corpus/sam (each imports; each re-export is judged by cfn-lint
no worse than the original, all in one cfn-lint batch), what it models, and hostile input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS
from corpus_lint import GROUP, lint_once
from exporters.cfnlint_check import count
from exporters.sam import template_text
from importers.cfn_yaml import parse_template
from importers.sam import ImportError_, import_template

ROOT = Path(__file__).resolve().parent.parent
SAM = CORPUS / "sam"
FILES = sorted(SAM.glob("*.yaml"))


@pytest.mark.xdist_group(GROUP)   # shares its linted originals with test_roundtrip's (tests/corpus_lint.py)
def test_every_corpus_template_imports_and_re_exports_no_worse_by_cfn_lint():
    assert len(FILES) == 85
    files = FILES
    originals = [f.read_text(encoding="utf-8") for f in files]
    designs = [import_template(text, name=f.name) for f, text in zip(files, originals)]
    exports = [template_text(d) for d in designs]
    results = lint_once(originals + exports)
    before, after = results[:len(files)], results[len(files):]
    index = {t["file"]: t for t in json.loads((SAM / "index.json").read_text())["templates"]}
    worse, crashed_originals = [], []
    for f, old, new in zip(files, before, after):
        assert new["crashed"] is None, f"{f.name}: cfn-lint crashed on the re-export: {new['crashed']}"
        if old["crashed"]:
            crashed_originals.append(f.name)
            continue
        if count(new, "E") > count(old, "E"):
            worse.append(f"{f.name}: {count(old, 'E')} → {count(new, 'E')} errors")
    assert worse == []
    # the known defect: an empty `Parameters:` that crashes cfn-lint (recorded in index.json); ours has none
    assert index["eventbridge-schedule-stepfunctions-sam.yaml"]["cfn_lint_1_51_0"]["crashed"]
    assert set(crashed_originals) <= {"eventbridge-schedule-stepfunctions-sam.yaml"}
    assert sum(len(d.nodes) for d in designs) > 100 and sum(len(d.edges) for d in designs) > 50


def test_a_re_exported_template_imports_back_to_the_same_design():
    for name in ("sns-sqs-fanout.yaml", "saga-pattern-sam.yaml", "eventbridge-sqs.yaml", "kinesis-lambda.yaml"):
        first = import_template((SAM / name).read_text(encoding="utf-8"))
        text = template_text(first)
        again = import_template(text)
        assert again.to_dict() == first.to_dict(), name
        assert template_text(again) == text


def test_subscriptions_rules_redrive_and_substitutions_become_edges():
    fanout = import_template((SAM / "sns-sqs-fanout.yaml").read_text(encoding="utf-8"))
    kinds = {(e.source, e.target): fanout.kind_of(e) for e in fanout.edges}
    assert kinds[("MetricsSnsTopic", "TemperatureSqsQueue")] == "subscription"
    assert kinds[("TemperatureSqsQueue", "TemperatureSqsDLQueue")] == "dead_letter"
    filtered = next(e for e in fanout.edges if e.target == "TemperatureSqsQueue")
    assert filtered.props["filter_policy"] == {"MetricType": ["Temperature"]}
    assert fanout.node("TemperatureSqsQueue").props["max_receive_count"] == 5
    saga = import_template((SAM / "saga-pattern-sam.yaml").read_text(encoding="utf-8"))
    machine = next(n for n in saga.nodes if n.type == "state_machine")
    tasks = [e for e in saga.out_edges(machine.id) if saga.kind_of(e) == "task"]
    assert len(tasks) >= 6
    assert "${" + tasks[0].target + "}" in json.dumps(machine.props["definition"])
    sqs = import_template((SAM / "sqs-lambda-python-sam.yaml").read_text(encoding="utf-8"))
    assert any(sqs.kind_of(e) == "event_source" for e in sqs.edges)


def test_what_the_design_cannot_model_is_kept_and_written_back():
    text = (SAM / "eventbridge-schedule-stepfunctions-sam.yaml").read_text(encoding="utf-8")
    design = import_template(text)
    out = parse_template(template_text(design))
    original = parse_template(text)
    assert set(original["Resources"]) <= set(out["Resources"])
    assert "Parameters" not in out    # the empty `Parameters:` that crashes cfn-lint is not written back
    with_globals = next(f for f in FILES if "Globals:" in f.read_text(encoding="utf-8"))
    original = parse_template(with_globals.read_text(encoding="utf-8"))
    out = parse_template(template_text(import_template(with_globals.read_text(encoding="utf-8"))))
    assert out["Globals"] == original["Globals"]
    assert out.get("Outputs", {}).keys() >= (original.get("Outputs") or {}).keys()


def test_short_form_tags_become_long_form_data():
    data = parse_template("Resources:\n  Q: {Type: AWS::SQS::Queue}\nOutputs:\n  A: {Value: !GetAtt Q.Arn}\n"
                          "  B: {Value: !Sub '${Q}'}\n  C: {Value: !If [Cond, !Ref Q, !Ref AWS::NoValue]}\n")
    assert data["Outputs"]["A"]["Value"] == {"Fn::GetAtt": ["Q", "Arn"]}
    assert data["Outputs"]["B"]["Value"] == {"Fn::Sub": "${Q}"}
    assert data["Outputs"]["C"]["Value"] == {"Fn::If": ["Cond", {"Ref": "Q"}, {"Ref": "AWS::NoValue"}]}


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh")) + "Resources: *h\n"


@pytest.mark.parametrize("text, expected", [
    ("Resources: !!python/object/apply:os.system ['echo pwned']\n", "refused YAML tag"),
    ("Resources:\n  X: !Bogus thing\n", "refused YAML tag"),
    (BOMB, "expands to over"),
    ("Resources: " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),
    ("Resources: {\n", "invalid YAML"),
    ("just: a mapping\n", "no Resources section"),
    ("- a list\n", "no Resources section"),
    ("", "no Resources section"),
])
def test_hostile_or_wrong_input_gets_a_clear_error(text, expected):
    with pytest.raises(ImportError_) as err:
        import_template(text, name="upload.yaml")
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_files_over_10_mib_are_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("Resources:\n" + "# padding\n" * 1_200_000, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "importers", "sam", str(big)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1 and "10 MiB" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(ImportError_, match="10 MiB"):
        import_template(b"x" * (11 * 1024 * 1024))


def test_cli_imports_a_template_and_refuses_what_is_not_one(tmp_path):
    out = tmp_path / "design.yaml"
    proc = subprocess.run([sys.executable, "-m", "importers", "sam", str(SAM / "sns-sqs-fanout.yaml"), "-o",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "MetricsSnsTopic" in out.read_text(encoding="utf-8")
    not_template = tmp_path / "design_not_template.yaml"
    not_template.write_text("name: x\nnodes: []\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "importers", "sam", str(not_template)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "no Resources section" in proc.stderr and "Traceback" not in proc.stderr
