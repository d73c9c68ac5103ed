"""Issue 12, items 1, 5 and 6: the shared document reader refuses what would crash or exhaust a process.

Deep nesting is refused before libyaml composes (its composer recurses in C: 30,000 `[` were a SIGSEGV), the
10 MiB limit holds on bytes read (a device reports size 0), and every number is finite and in range at load.
"""
from __future__ import annotations

import math
import subprocess
import sys

import pytest

from design import DesignError, from_data, load_file, load_text
from design.documents import MAX_BYTES, MAX_DEPTH, DocumentError, parse, read_bytes, read_text
from design.scenario import MAX_HOPS, scenario_problems
from importers.sam import ImportError_, import_template

DEEP_FLOW = "nodes: " + "[" * 30_000 + "]" * 30_000 + "\n"


def test_deep_flow_yaml_is_refused_in_a_child_process_that_survives(tmp_path):
    # In-process this would be a SIGSEGV that takes pytest down, so the reproduction runs in a child.
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_FLOW)
    code = ("import sys; from design.documents import parse, DocumentError\n"
            "try:\n    parse(open(sys.argv[1]).read(), 'yaml', name='deep')\n"
            "except DocumentError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert f"nested too deeply at line 1 column {len('nodes: ') + MAX_DEPTH}" in done.stdout
    assert f"limit {MAX_DEPTH} levels" in done.stdout


@pytest.mark.parametrize("text", [
    DEEP_FLOW,
    "nodes: " + "{a: " * 5_000 + "}" * 5_000,
    "".join("  " * i + "a:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "b\n",
    "nodes:\n" + "- " * 50_000 + "x\n",
])
def test_deep_yaml_flow_and_block_refused_before_composing(text):
    with pytest.raises(DocumentError, match=f"nested too deeply.*limit {MAX_DEPTH} levels"):
        parse(text, "yaml", name="d")


def test_deep_json_refused():
    with pytest.raises(DocumentError, match="nested too deeply"):
        parse('{"nodes": ' + "[" * 30_000 + "]" * 30_000 + "}", "json", name="d")
    with pytest.raises(DocumentError, match="nested too deeply"):
        parse('{"nodes": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}", "json", name="d")


def test_depth_at_the_limit_still_loads():
    assert parse("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "yaml") is not None


def test_template_loader_and_web_upload_share_the_guard():
    with pytest.raises(ImportError_, match="nested too deeply"):
        import_template("Resources: " + "[" * 30_000 + "]" * 30_000)
    with pytest.raises(DesignError, match="nested too deeply"):
        load_text(DEEP_FLOW.encode(), None, name="upload.yaml")


def test_design_in_template_metadata_is_read_through_the_guard():
    # A template that carries a (hostile) stored design: the import falls back to the resources, no crash.
    from exporters.sam.build import encode_design
    template = ("Resources:\n  Q: {Type: AWS::SQS::Queue}\nMetadata:\n  ServerlessPatternStudio:\n"
                f"    design: {encode_design(DEEP_FLOW)!r}\n")
    design = import_template(template)
    assert [n.id for n in design.nodes]


# --- item 5: the size limit holds on bytes read --------------------------------------------------------------

def test_dev_zero_is_refused_after_at_most_the_limit():
    with pytest.raises(DocumentError, match="more than 10 MiB"):
        read_bytes("/dev/zero")


def test_pipe_is_read_up_to_the_limit(tmp_path):
    import os
    import threading
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "wb") as out:
            try:
                for _ in range(12):
                    out.write(b"#" * 1048576)
            except BrokenPipeError:
                pass
    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    with pytest.raises(DocumentError, match="more than 10 MiB"):
        read_text(fifo)
    thread.join(10)


def test_regular_file_over_the_limit_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(DocumentError, match="limit is 10 MiB"):
        read_text(path)


# --- item 6: numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, where", [
    ("nodes: []\nscenario: {seed: " + "9" * 5000 + "}\n", "line 2 column 18"),
    ('{"nodes": [], "scenario": {"seed": ' + "9" * 5000 + "}}", "line 1 column 36"),
])
def test_numbers_longer_than_python_converts_are_refused_with_a_place(text, where):
    with pytest.raises(DesignError) as info:
        load_text(text)
    assert "more than 4,300 digits" in str(info.value) and where in str(info.value)


@pytest.mark.parametrize("text, path", [
    ("name: x\nnodes: [{id: a, type: client}]\nscenario:\n  workload: [{source: a, count: 1" + "0" * 1000 + "}]\n",
     "scenario.workload[0].count"),
    ("name: x\nnodes: [{id: a, type: client, position: {x: .nan, y: 1}}]\n", "nodes[a].position.x"),
    ("name: x\nnodes: [{id: a, type: client, position: {x: 1, y: -.inf}}]\n", "nodes[a].position.y"),
    ('{"name": "x", "nodes": [{"id": "a", "type": "client", "position": {"x": Infinity, "y": 1}}]}', "Infinity"),
    ('{"name": "x", "nodes": [{"id": "a", "type": "client", "position": {"x": 1e400, "y": 1}}]}',
     "nodes[a].position.x"),
    ("name: x\nnodes: [{id: a, type: client}]\nscenario: {seed: " + "9" * 400 + "}\n", "scenario.seed"),
    ("name: x\nnodes: [{id: a, type: client}]\nscenario: {until_s: .inf}\n", "scenario.until_s"),
    ("name: x\nnodes: [{id: a, type: client}]\nscenario:\n  workload: [{source: a, start_s: 1.0e+300}]\n",
     "scenario.workload[0].start_s"),
    ("name: x\nnodes: [{id: a, type: client}]\nscenario: {max_hops: 100000000}\n", "scenario.max_hops"),
    ("name: x\nnodes: [{id: a, type: client}]\nscenario: {replays: [{bus: a, at_s: .nan}]}\n",
     "scenario.replays[0].at_s"),
])
def test_every_number_is_checked_at_load_with_a_path(text, path):
    with pytest.raises(DesignError) as info:
        load_text(text)
    assert path in str(info.value), str(info.value)


def test_numbers_from_data_not_from_a_file_are_checked_too():
    # Classroom links, quiz predictions and imports hand data straight to from_data.
    doc = {"nodes": [{"id": "a", "type": "client", "position": {"x": math.nan, "y": 0}},
                     {"id": "f", "type": "lambda", "props": {"timeout_s": math.inf}}],
           "edges": [{"source": "a", "target": "f", "props": {"batch_size": 10 ** 40}}]}
    with pytest.raises(DesignError) as info:
        from_data(doc)
    text = str(info.value)
    assert "nodes[a].position.x" in text and "nodes[f].props.timeout_s" in text
    assert "edges[a->f].props.batch_size" in text


def test_scenario_numbers_never_overflow():
    problems = scenario_problems({"seed": 10 ** 1000, "until_s": 10 ** 400, "max_hops": 10 ** 30,
                                  "workload": [{"source": "a", "count": 10 ** 300, "start_s": 10 ** 300}],
                                  "inject": {"nodes": {"a": {"outages": [[0, math.inf]]}}}})
    joined = "\n".join(problems)
    for key in ("seed", "until_s", "max_hops", "workload[0].count", "workload[0].start_s", "outages"):
        assert key in joined


def test_max_hops_range_is_capped_for_the_command_line():
    assert scenario_problems({"max_hops": MAX_HOPS}) == []
    assert scenario_problems({"max_hops": MAX_HOPS + 1}) == [f"max_hops: must be ≤ {MAX_HOPS}"]


def test_huge_numbers_in_files_end_as_one_line_errors(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("nodes: []\nscenario: {seed: " + "9" * 5000 + "}\n")
    with pytest.raises(DesignError):
        load_file(path)
