"""Issue 12, item 7: an output path that cannot be written (`-o /missing/dir/x.yaml`, `--trace /missing/x`, a
directory) ends in one line on stderr and exit 1, never a traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "corpus" / "sam" / "dynamodb-lambda.yaml"


@pytest.fixture(scope="module")
def design(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("d") / "design.yaml"
    done = subprocess.run([sys.executable, "-m", "patterns", "show", "async-processing"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    path.write_text(done.stdout)
    return path


COMMANDS = [
    ["exporters", "sam", "{design}", "-o", "{out}"],
    ["exporters", "starter", "{design}", "-o", "{out}"],
    ["exporters", "mermaid", "{design}", "-o", "{out}"],
    ["exporters", "dot", "{design}", "-o", "{out}"],
    ["exporters", "sequence", "{design}", "-o", "{out}"],
    ["simulator", "run", "{design}", "--json", "--trace", "{out}"],
    ["importers", "sam", "{template}", "-o", "{out}"],
]


@pytest.mark.parametrize("out", ["/missing/dir/x.yaml", "{tmp}"], ids=["missing-folder", "a-directory"])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_unwritable_output_is_one_line_and_exit_1(command, out, design, tmp_path):
    out = out.format(tmp=tmp_path)
    argv = [a.format(design=design, template=TEMPLATE, out=out) for a in command]
    done = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and out in lines[0] and lines[0].startswith("cannot write"), done.stderr
