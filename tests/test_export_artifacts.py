"""Starter projects (their own tests pass), ASL (valid per statelint), diagrams, sequence diagrams, rendering."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from statelint.linter import Linter

from design.loader import to_yaml
from exporters.asl import AslError, definition
from exporters.render import RenderError, render
from exporters.sequence import to_sequence
from exporters.starter import project_files, starter_zip
from patterns.catalog import load_catalog
from simulator.run import simulate

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()


def cli(*args, code=0):
    proc = subprocess.run([sys.executable, "-m", "exporters", *args], cwd=ROOT, capture_output=True, timeout=120)
    assert b"Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, proc.stderr
    return proc


def test_starter_zip_is_byte_identical_and_its_own_tests_pass(tmp_path):
    design = CATALOG["idempotent-consumer"].design
    data = starter_zip(design)
    assert data == starter_zip(design)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names == sorted(names)
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    root = names[0].split("/")[0]
    assert {f"{root}/template.yaml", f"{root}/samconfig.toml", f"{root}/README.md"} <= set(names)
    archive.extractall(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "IDEMPOTENCY"))}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path / root,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout


def test_every_catalog_starter_project_passes_its_tests(tmp_path):
    for pid, pattern in CATALOG.items():
        for name, text in project_files(pattern.design).items():
            path = tmp_path / pid / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
                           *[str(tmp_path / pid / "tests") for pid in CATALOG if (tmp_path / pid / "src").exists()]],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_handler_stubs_follow_the_delivery_contract():
    files = project_files(CATALOG["idempotent-consumer"].design)
    stub = next(text for name, text in files.items() if name.endswith("app.py"))
    assert "batchItemFailures" in stub and "aws_lambda_powertools.utilities.idempotency" in stub
    assert "aws-lambda-powertools" in next(t for n, t in files.items() if n.endswith("requirements.txt")
                                           and n.startswith("src/"))
    readme = files["README.md"]
    assert "sam build" in readme and "sam deploy --guided" in readme
    assert 'stack_name = "' in files["samconfig.toml"]


def _machines():
    return [(pid, n.id) for pid, p in CATALOG.items() for n in p.design.nodes if n.type == "state_machine"]


def test_every_catalog_state_machine_is_valid_asl_per_statelint():
    machines = _machines()
    assert len(machines) >= 6
    for pid, node_id in machines:
        asl = definition(CATALOG[pid].design, node_id)
        assert "${" not in json.dumps(asl), (pid, asl)
        assert Linter.validate(asl) == [], (pid, node_id)


def test_generated_definitions_are_valid_too():
    from design import from_data
    design = from_data({"nodes": [{"id": "flow", "type": "state_machine"}, {"id": "q", "type": "sqs_queue"},
                                  {"id": "t", "type": "dynamodb_table"}, {"id": "f", "type": "lambda"}],
                        "edges": [{"source": "flow", "target": n} for n in ("q", "t", "f")]})
    asl = definition(design, "flow")
    assert len(asl["States"]) == 3
    assert Linter.validate(asl) == []


def test_asl_cli_prints_json_and_refuses_what_is_not_a_state_machine(tmp_path):
    path = tmp_path / "saga.yaml"
    path.write_text(to_yaml(CATALOG["saga"].design), encoding="utf-8")
    out = json.loads(cli("asl", str(path), "trip_saga").stdout)
    assert out["StartAt"] == "ReserveFlight"
    assert out["States"]["ReserveFlight"]["Resource"].startswith("arn:aws:lambda:us-east-1:123456789012:function:")
    proc = cli("asl", str(path), "traveller", code=1)
    assert b"not a state machine" in proc.stderr
    with pytest.raises(AslError, match="no node"):
        definition(CATALOG["saga"].design, "nope")


def test_diagram_clis(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(to_yaml(CATALOG["fan-out-sns"].design), encoding="utf-8")
    assert cli("mermaid", str(path)).stdout.startswith(b"flowchart LR")
    assert cli("dot", str(path)).stdout.startswith(b"digraph design")
    seq = cli("sequence", str(path), "--limit", "15").stdout.decode()
    assert seq.startswith("sequenceDiagram") and "more hops not shown" in seq


def test_sequence_diagram_follows_the_trace_in_order_and_is_capped():
    design = CATALOG["fan-out-sns"].design
    run = simulate(design, design.scenario, trace=True)
    text = to_sequence(run.trace, {n.id: n.title for n in design.nodes}, limit=10)
    arrows = [line for line in text.splitlines() if "->>" in line or "--x" in line or "-)" in line]
    assert len(arrows) <= 10
    assert arrows[0].strip().startswith("p_shop->>p_orders")
    assert f"and {len(run.trace) - 10:,} more hops" in text
    hostile = to_sequence([(0.0, 1, 1, "a;b", "c#d", 1, "sent", "x: y; z", False)], {"a;b": "evil\nlabel"})
    assert "a;b" not in hostile and "x: y" not in hostile


def test_render_says_clearly_when_graphviz_is_missing(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RenderError, match="Graphviz's `dot` program is not installed"):
        render("digraph { a -> b }", "svg")
    with pytest.raises(RenderError, match="unknown format"):
        render("digraph { a -> b }", "gif")
