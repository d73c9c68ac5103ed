"""`python -m lint DESIGN [--json]`: exit codes, one line per problem on stderr, deterministic output."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "lint_fixtures"


def cli(*args, code):
    proc = subprocess.run([sys.executable, "-m", "lint", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    return proc


def test_json_output_is_the_golden_list_and_deterministic():
    fixture = FIXTURES / "e2001_w2002_visibility.yaml"
    first = cli(fixture, "--json", code=0).stdout
    assert first == cli(fixture, "--json", code=0).stdout
    findings = json.loads(first)
    from lint.regenerate_golden import disagreements
    assert disagreements(json.loads((FIXTURES / "e2001_w2002_visibility.expected.json").read_text()), findings) == []
    assert all(set(f) <= {"id", "severity", "path", "message", "fix"} for f in findings)
    assert [f["severity"] for f in findings] == ["error", "warning", "warning"]


def test_json_design_files_are_read_too(tmp_path):
    from design import load_file, save
    path = tmp_path / "d.json"
    save(load_file(FIXTURES / "w3004_rule_target_without_dlq.yaml"), path)
    assert [f["id"] for f in json.loads(cli(path, "--json", code=0).stdout)] == ["W3004"]


def test_text_output_lists_findings_with_fix_labels_and_a_summary():
    out = cli(FIXTURES / "w2003_queue_without_dlq.yaml", code=0).stdout.splitlines()
    assert out[0] == "W2003 warning nodes[bare_q]"
    assert out[1].startswith("    Bare queue has no dead-letter queue")
    assert out[1].endswith("[fix: Add a dead-letter queue (max_receive_count 5)]")
    assert out[-1] == "Redrive: 2 warnings"


def test_a_clean_design_exits_0_and_says_so():
    proc = cli(FIXTURES / "good_saga.yaml", code=0)
    assert proc.stdout == "Booking saga: no findings\n"
    assert json.loads(cli(FIXTURES / "good_saga.yaml", "--json", code=0).stdout) == []


def test_an_invalid_design_exits_1_with_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnodes:\n  - {id: a, type: lambda, props: {timeout_s: 901}}\n  - {id: b, type: nope}\n"
                   "edges:\n  - {source: a, target: ghost}\n", encoding="utf-8")
    proc = cli(bad, "--json", code=1)
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["nodes[a].props.timeout_s: must be ≤ 900", "nodes[b].type: unknown type 'nope'",
                                        "edges[a->ghost]: unknown target 'ghost'"]


def test_unreadable_inputs_exit_1(tmp_path):
    assert "cannot read" in cli(tmp_path / "missing.yaml", code=1).stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("nodes: [\n", encoding="utf-8")
    assert "invalid YAML" in cli(broken, code=1).stderr
    assert cli(code=1).stderr.strip() == "a design file is needed: python -m lint DESIGN [--json]"


def test_list_rules():
    rules = json.loads(cli("--list-rules", "--json", code=0).stdout)
    from lint.registry import all_rules
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    assert len(cli("--list-rules", code=0).stdout.splitlines()) == 2 * len(rules)


def test_the_cli_does_not_import_streamlit():
    code = ("import sys; from lint.__main__ import main; main([sys.argv[1], '--json']); "
            "sys.exit(3 if 'streamlit' in sys.modules else 0)")
    proc = subprocess.run([sys.executable, "-c", code, str(FIXTURES / "good_saga.yaml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_output_does_not_depend_on_the_hash_seed():
    import os
    outputs = set()
    for seed in ("1", "2", "3"):
        proc = subprocess.run([sys.executable, "-m", "lint", str(FIXTURES / "w5001_endless_cycle.yaml"), "--json"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, PYTHONHASHSEED=seed))
        outputs.add(proc.stdout)
    assert len(outputs) == 1 and json.loads(outputs.pop())


def test_text_output_never_passes_terminal_escapes_or_bidi_controls(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "ansi.yaml"
    path.write_text('name: "evil\\x1b[31mred\\u202e"\nnodes:\n  - {id: a, type: lambda, label: "x\\x1b[2Jy"}\n'
                    "edges: []\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "lint", str(path)], capture_output=True, text=True, check=True).stdout
    assert "\x1b" not in out and "\u202e" not in out
    assert "x\\x1b[2Jy" in out and "evil\\x1b[31mred\\u202e" in out    # shown, harmlessly, as escapes
