"""SAM export, judged by the real tools: cfn-lint (zero errors and warnings, one batch per test) and
aws-sam-translator (the template transforms), for every catalog pattern and for hypothesis-drawn designs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings

from design import from_data
from benchmarks.export_import import design_200
from design.loader import to_yaml
from exporters.cfnlint_check import lint_texts
from exporters.deploy_checks import deploy_errors
from exporters.sam import ExportError, build_template, export
from exporters.sam.ids import LogicalIds, camel
from importers.sam import import_template
from patterns.catalog import load_catalog
from export_support import designs, errors_and_warnings, translate

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()


def _problems(names, texts) -> list[str]:
    out = []
    for name, result in zip(names, lint_texts(texts)):
        if result["crashed"]:
            out.append(f"{name}: cfn-lint crashed: {result['crashed']}")
        out += [f"{name}: {f['rule']} line {f['line']}: {f['message']}" for f in errors_and_warnings(result)]
    return out


def test_every_catalog_pattern_passes_cfn_lint_and_the_sam_translator():
    names = sorted(CATALOG)
    texts = [export(CATALOG[pid].design) for pid in names]
    assert len(texts) == 31
    names.append("benchmark design, 50 nodes")   # the 200-node one takes cfn-lint ~15 s; the shape is the same
    texts.append(export(design_200(copies=10)))
    assert _problems(names, texts) == []
    for name, text in zip(names, texts):
        out = translate(text)
        assert not any(r["Type"].startswith("AWS::Serverless::") for r in out["Resources"].values()), name


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(design=designs())
def _collect(sink, design):
    assume(not deploy_errors(design))
    assume(any(n.type not in ("client", "external") for n in design.nodes))
    sink.append((design, export(design)))


def test_generated_designs_pass_cfn_lint_and_the_sam_translator():
    sink: list = []
    _collect(sink=sink)
    assert len(sink) >= 20
    problems = _problems([to_yaml(d) for d, _ in sink], [t for _, t in sink])
    assert problems == [], problems[:5]
    for design, text in sink:
        try:
            translate(text)
        except Exception as exc:  # noqa: BLE001 - show the design that broke it
            pytest.fail(f"{type(exc).__name__}: {exc}\n{to_yaml(design)}")


def test_export_is_deterministic_and_round_trips_through_the_importer():
    for pid in ("saga", "fan-out-sns", "eventbridge-pipes", "graphql-aggregation"):
        design = CATALOG[pid].design
        text = export(design)
        assert text == export(design)
        back = import_template(text)
        assert back.to_dict() == design.to_dict(), pid
        assert export(back) == text


def test_template_uses_short_tags_metadata_and_entry_outputs():
    text = export(CATALOG["fan-out-sns"].design)
    assert "!GetAtt ConfirmDlq.Arn" in text and "!Ref Orders" in text
    assert '{"Ref"' not in text and "Fn::GetAtt" not in text
    template = build_template(CATALOG["fan-out-sns"].design)
    assert template["Outputs"]["OrdersArn"]["Value"] == {"Ref": "Orders"}
    assert "design" in template["Metadata"]["ServerlessPatternStudio"]


def test_queues_subscriptions_rules_and_mappings_carry_the_design_settings():
    t = build_template(CATALOG["fan-out-sns"].design)["Resources"]
    redrive = t["ConfirmQ"]["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": ["ConfirmDlq", "Arn"]}, "maxReceiveCount": 3}
    review = t["OrdersToReviewQ"]["Properties"]
    assert review["FilterPolicy"] == {"total": [{"numeric": [">=", 500]}]}
    assert review["FilterPolicyScope"] == "MessageBody"
    rules = build_template(CATALOG["eventbridge-content-routing"].design)["Resources"]
    rule = next(r for r in rules.values() if r["Type"] == "AWS::Events::Rule")
    target = rule["Properties"]["Targets"][0]
    assert "EventPattern" in rule["Properties"]
    assert set(target["RetryPolicy"]) == {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}
    assert "DeadLetterConfig" in target
    idem = build_template(CATALOG["idempotent-consumer"].design)["Resources"]
    events = [e for r in idem.values() if r["Type"] == "AWS::Serverless::Function"
              for e in (r["Properties"].get("Events") or {}).values()]
    assert any(e["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"] for e in events)
    assert any(isinstance(e["Properties"].get("BatchSize"), int) for e in events)


def test_state_machines_embed_their_definition_with_substitutions_and_least_privilege():
    t = build_template(CATALOG["saga"].design)["Resources"]
    sm = next(r for r in t.values() if r["Type"] == "AWS::Serverless::StateMachine")["Properties"]
    assert sm["Definition"]["StartAt"] == "ReserveFlight"
    assert sm["DefinitionSubstitutions"]["reserve_flight"] == {"Fn::GetAtt": ["ReserveFlight", "Arn"]}
    names = {next(iter(p)) for p in sm["Policies"]}
    assert {"LambdaInvokePolicy", "SNSPublishMessagePolicy"} <= names
    fn = next(r for r in t.values() if r["Type"] == "AWS::Serverless::Function")["Properties"]
    assert fn["Runtime"] == "python3.13"


def test_logical_ids_are_safe_stable_and_never_collide():
    ids = LogicalIds(["order-q", "order_q", "Order Q", "confirm_role", "confirm"], sam_nodes={"confirm"})
    values = list(ids.by_node.values())
    assert len(set(values)) == len(values)
    assert all(v.isalnum() and v[0].isalpha() for v in values)
    assert ids.by_node["confirm"] + "Role" != ids.by_node["confirm_role"]
    assert camel("9lives") == "N9lives" and camel("a--b") == "AB"


def _design(nodes, edges):
    return from_data({"name": "t", "nodes": nodes, "edges": edges})


def test_deploy_time_errors_are_refused_with_the_finding():
    slow = _design([{"id": "q", "type": "sqs_queue", "props": {"visibility_timeout_s": 10}},
                    {"id": "f", "type": "lambda", "props": {"timeout_s": 60}}], [{"source": "q", "target": "f"}])
    with pytest.raises(ExportError) as err:
        export(slow)
    assert "visibility timeout" in str(err.value) and "[E2001]" in str(err.value)
    nodes = [{"id": "bus", "type": "event_bus"}] + [{"id": f"q{i}", "type": "sqs_queue"} for i in range(6)]
    edges = [{"source": "bus", "target": f"q{i}", "props": {"rule": "all", "pattern": {"source": ["shop"]}}}
             for i in range(6)]
    with pytest.raises(ExportError) as err:
        export(_design(nodes, edges))
    assert err.value.problems and all("[E3001]" in p for p in err.value.problems)
    assert "at most 5" in str(err.value)


def test_cli_writes_the_template_and_refuses_with_exit_1(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(to_yaml(CATALOG["storage-first"].design), encoding="utf-8")
    out = tmp_path / "template.yaml"
    proc = subprocess.run([sys.executable, "-m", "exporters", "sam", str(good), "-o", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert yaml.load(out.read_text(), Loader=_TagLoader)["Transform"] == "AWS::Serverless-2016-10-31"
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  - {id: q, type: sqs_queue, props: {visibility_timeout_s: 5}}\n"
                   "  - {id: f, type: lambda, props: {timeout_s: 30}}\nedges:\n  - {source: q, target: f}\n")
    proc = subprocess.run([sys.executable, "-m", "exporters", "sam", str(bad)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "visibility timeout" in proc.stderr and proc.stdout == ""


class _TagLoader(yaml.SafeLoader):
    pass


_TagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
