"""The stable command line: exit codes, deterministic JSON, one line per problem, no tracebacks."""
import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, check_code=None):
    proc = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check_code is not None:
        assert proc.returncode == check_code, (proc.returncode, proc.stderr)
    return proc


def test_patterns_list_json():
    rows = json.loads(cli("patterns", "list", "--json", check_code=0).stdout)
    assert len(rows) >= 31
    assert set(rows[0]) == {"id", "title", "kind", "level", "services"}
    assert {r["kind"] for r in rows} == {"pattern", "anti-pattern"}
    text = cli("patterns", "list", check_code=0).stdout
    assert "saga" in text and len(text.splitlines()) == len(rows)


def test_patterns_show_prints_a_loadable_design(tmp_path):
    out = cli("patterns", "show", "saga", check_code=0).stdout
    assert yaml.safe_load(out)["nodes"]
    path = tmp_path / "saga.yaml"
    path.write_text(out, encoding="utf-8")
    run = json.loads(cli("simulator", "run", str(path), "--json", check_code=0).stdout)
    assert run["conservation"]["ok"]


def test_patterns_show_unknown_id():
    proc = cli("patterns", "show", "no-such-pattern", check_code=1)
    assert proc.stderr.strip() == "unknown pattern 'no-such-pattern'; `python -m patterns list` shows the ids"


def write_design(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(cli("patterns", "show", "fan-out-sns").stdout, encoding="utf-8")
    return path


def test_simulator_json_is_deterministic_and_complete(tmp_path):
    path = write_design(tmp_path)
    first = cli("simulator", "run", str(path), "--json", check_code=0).stdout
    second = cli("simulator", "run", str(path), "--json", check_code=0).stdout
    assert first == second
    run = json.loads(first)
    assert {"seed", "totals", "nodes", "conservation"} <= set(run)
    for key in ("received", "processed", "failed", "retried", "duplicates_delivered", "duplicate_side_effects",
                "dead_lettered", "dropped", "in_flight"):
        assert key in run["totals"] and all(key in n for n in run["nodes"].values())
    assert run["conservation"]["ok"] is True and "received" in run["conservation"]
    other = json.loads(cli("simulator", "run", str(path), "--json", "--seed", "99", check_code=0).stdout)
    assert other["seed"] == 99 and other != run


def test_simulator_trace_file_and_scenario_file(tmp_path):
    path = write_design(tmp_path)
    scenario = tmp_path / "s.scenario.yaml"
    scenario.write_text("seed: 3\nuntil_s: 100\nworkload: [{source: shop, count: 5}]\n"
                        "inject: {duplicate_probability: 0}\n", encoding="utf-8")
    trace = tmp_path / "trace.jsonl"
    run = json.loads(cli("simulator", "run", str(path), "--scenario", str(scenario), "--json", "--trace", str(trace),
                         check_code=0).stdout)
    assert run["seed"] == 3 and run["totals"]["duplicates_delivered"] == 0
    hops = [json.loads(line) for line in trace.read_text().splitlines()]
    assert hops and set(hops[0]) == {"time", "event_id", "trace_id", "from", "to", "attempt", "outcome", "detail",
                                     "duplicate_copy"}


def test_invalid_inputs_exit_1_with_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  - {id: a, type: lambda, props: {timeout_s: 5000}}\n  - {id: a, type: warp}\n",
                   encoding="utf-8")
    proc = cli("simulator", "run", str(bad), "--json", check_code=1)
    assert proc.stderr.splitlines() == ["nodes[a].props.timeout_s: must be ≤ 900", "nodes[a]: duplicate id",
                                        "nodes[a].type: unknown type 'warp'"]
    assert proc.stdout == ""
    good = write_design(tmp_path)
    scenario = tmp_path / "bad.scenario.yaml"
    scenario.write_text("workload: [{source: nobody, count: -1}]\ninject: {nodes: {ghost: {}}}\n", encoding="utf-8")
    proc = cli("simulator", "run", str(good), "--scenario", str(scenario), check_code=1)
    assert proc.stderr.splitlines() == ["scenario: workload[0].source: unknown node 'nobody'",
                                        "scenario: workload[0].count: must be ≥ 0",
                                        'scenario: inject.nodes["ghost"]: unknown node']
    proc = cli("simulator", "run", str(tmp_path / "missing.yaml"), check_code=1)
    assert "cannot read" in proc.stderr


def test_command_line_paths_do_not_import_heavy_libraries():
    code = ("import sys, simulator.__main__, simulator.run, patterns.catalog; "
            "heavy = [m for m in ('streamlit', 'networkx', 'boto3', 'graphviz', 'pandas') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert out == "[]"
