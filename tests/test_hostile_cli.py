"""The hostile-input suite (issue 12): every file-reading command against every attack in tests/hostile/.

Each command runs as a child process, as a user would run it, and must end with exit 1, a short stderr with no
traceback, within a bounded time and a bounded peak memory (the child's own ru_maxrss, from wait4), having
executed nothing (the unsafe-tag files would create `hostile-pwned` in the child's working folder).

A new command that reads files joins by adding a line to COMMANDS; a new class of attack by adding a file to
tests/hostile/ (or a generated input to `_generated`). See tests/hostile/README.md.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "hostile"
GOOD = CORPUS / "good" / "design.yaml"
MAX_SECONDS = 20
MAX_RSS_MB = 500
MAX_STDERR_LINES = 21            # at most 20 problems, then "… and N more"
ADDRESS_SPACE = 3 * 1024 ** 3    # a runaway child fails with MemoryError instead of taking the machine down
PWNED = "hostile-pwned"

# name → argv after `python -m`; {file} is the attack, {good} a valid design, {out} a writable output path.
COMMANDS = {
    "simulator run": ["simulator", "run", "{file}", "--json"],
    "simulator run --scenario": ["simulator", "run", "{good}", "--scenario", "{file}", "--json"],
    "simulator cost": ["simulator", "cost", "{file}"],
    "simulator cost --scenario": ["simulator", "cost", "{good}", "--scenario", "{file}"],
    "lint": ["lint", "{file}"],
    "lint --json": ["lint", "{file}", "--json"],
    "exporters sam": ["exporters", "sam", "{file}"],
    "exporters starter": ["exporters", "starter", "{file}", "-o", "{out}"],
    "exporters asl": ["exporters", "asl", "{file}", "machine"],
    "exporters mermaid": ["exporters", "mermaid", "{file}"],
    "exporters dot": ["exporters", "dot", "{file}"],
    "exporters sequence": ["exporters", "sequence", "{file}"],
    "exporters sequence --scenario": ["exporters", "sequence", "{good}", "--scenario", "{file}"],
    "importers sam": ["importers", "sam", "{file}"],
    "quizzes check --banks": ["quizzes", "check", "--banks", "{banks}"],
    "quizzes list --banks": ["quizzes", "list", "--banks", "{banks}"],
}
# (attack, command) pairs where success is the right answer: the stored design in the template's Metadata is
# refused (nested too deeply) and the import falls back to the template's resources.
# The malformed shapes of template-target-list.yaml are kept as written, each with a note on stderr.
SUCCEEDS = {("template-deep-metadata.yaml", "importers sam"), ("template-target-list.yaml", "importers sam")}

# Run children with an address-space cap, the way `python -m` would run them.
# Linux carries a process's peak RSS across execve (ru_maxrss starts at what the forking parent — a pytest worker
# of several hundred MB — had), so a spawned child reports its own peak: VmHWM of its new address space, at exit.
_LAUNCH = ("import atexit, os, resource, runpy, sys\n"
           "resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n"
           "def _peak():\n"
           "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
           "    open(os.environ['SPS_PEAK_FILE'], 'w').write(hwm)\n"
           "atexit.register(_peak)\n"
           "module = sys.argv[1]; sys.argv = [module] + sys.argv[2:]\n"
           "runpy.run_module(module, run_name='__main__', alter_sys=True)\n")


def _attacks() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix in (".yaml", ".json"))


def _generated(folder: Path) -> dict[str, Path]:
    """Inputs too big to commit, and devices."""
    big = folder / "eleven-mib.yaml"
    if not big.exists():
        with open(big, "wb") as out:
            line = b"# " + b"x" * 1021 + b"\n"
            out.write(b"name: big\nnodes: []\n" + line * (11 * 1024))
    return {"eleven-mib.yaml": big, "dev-zero": Path("/dev/zero")}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def _spawn(argv: list[str], cwd: Path) -> dict:
    """Run `python -m ARGV` from scratch (capped address space); exit code, stderr, time, peak RSS via wait4."""
    stdout_path, stderr_path = cwd / f"out-{threading.get_ident()}", cwd / f"err-{threading.get_ident()}"
    peak_path = cwd / f"peak-{threading.get_ident()}"
    peak_path.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "SPS_PEAK_FILE": str(peak_path)}
    started = time.perf_counter()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        child = subprocess.Popen([sys.executable, "-c", _LAUNCH.format(cap=ADDRESS_SPACE), *argv], cwd=cwd,
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        killer = threading.Timer(MAX_SECONDS * 2, lambda: os.kill(child.pid, signal.SIGKILL))
        killer.start()
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)   # tell Popen the child is reaped
    return {"code": child.returncode, "stderr": stderr_path.read_text(encoding="utf-8", errors="replace"),
            "seconds": time.perf_counter() - started,
            # no file: the child died before exiting normally; then the kernel's (upper-bound) figure
            "rss_mb": (int(peak_path.read_text()) if peak_path.exists() else usage.ru_maxrss) / 1024}


def _forked(jobs: list[dict], workspace: Path, preload: list[str]) -> dict[str, dict]:
    """Run many jobs through tests/hostile/zygote.py: imports once, one forked child per job."""
    import json
    spec = {"parallel": max(2, os.cpu_count() or 2), "seconds": MAX_SECONDS, "address_space": ADDRESS_SPACE,
            "preload": preload, "jobs": jobs}
    jobs_path, results_path = workspace / f"jobs-{os.getpid()}.json", workspace / f"results-{os.getpid()}.json"
    jobs_path.write_text(json.dumps(spec))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, str(CORPUS / "zygote.py"), str(jobs_path), str(results_path)], cwd=workspace,
                   env=env, check=True, timeout=600)
    results = {r["id"]: r for r in json.loads(results_path.read_text())}
    for job in jobs:
        results[job["id"]]["stderr"] = Path(job["stderr"]).read_text(encoding="utf-8", errors="replace")
    return results


def _job(command: str, name: str, path: Path, workspace: Path) -> tuple[list[str], Path]:
    cwd = workspace / command.replace(" ", "_").replace("-", "") / name
    cwd.mkdir(parents=True, exist_ok=True)
    banks = cwd / "banks"
    if "{banks}" in " ".join(COMMANDS[command]):
        banks.mkdir(exist_ok=True)
        target = banks / "attack.yaml"
        if not target.exists():
            if path.is_file() and path.stat().st_size < 1024 ** 2:
                target.write_bytes(path.read_bytes())
            else:   # a device or a big file: linked into the folder of banks
                target.symlink_to(path)
    return [a.format(file=path, good=GOOD, out=cwd / "out.zip", banks=banks) for a in COMMANDS[command]], cwd


def _problems(name: str, command: str, result: dict, cwd: Path) -> list[str]:
    expected = 0 if (name, command) in SUCCEEDS else 1
    lines = result["stderr"].strip().splitlines()
    problems = []
    if result["code"] != expected:
        problems.append(f"exit {result['code']} (expected {expected})")
    if "Traceback" in result["stderr"]:
        problems.append("a traceback")
    if expected == 1 and not lines:
        problems.append("nothing on stderr")
    if len(lines) > MAX_STDERR_LINES or any(len(line) > 2000 for line in lines):
        problems.append(f"stderr too long ({len(lines)} lines)")
    if result["seconds"] > MAX_SECONDS:
        problems.append(f"{result['seconds']:.1f} s")
    if result["rss_mb"] > MAX_RSS_MB:
        problems.append(f"peak RSS {result['rss_mb']:.0f} MB")
    if (cwd / PWNED).exists():
        problems.append("EXECUTED code from the file")
    return [f"{command} < {name}: {', '.join(problems)}\n    {result['stderr'].strip()[-600:]}"] if problems else []


# Commands grouped by the program they run: one zygote (one set of imports) per group.
# (Never a package's __main__: runpy warns when it is already imported.)
GROUPS = {
    "simulator": ["simulator.run", "simulator.report", "simulator.cost", "simulator.cost.table", "design"],
    "lint": ["lint", "design"],
    "exporters": ["exporters.sam", "exporters.starter", "exporters.asl", "exporters.dot", "exporters.mermaid",
                  "exporters.sequence", "exporters.render", "simulator.run", "lint"],
    "importers": ["importers.sam", "design"],
    "quizzes": ["quizzes.bank", "patterns.catalog:load_catalog"],   # the built-in catalog, read once
}


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_command_refuses_every_attack_cleanly(group, workspace):
    inputs = {name: CORPUS / name for name in _attacks()} | _generated(workspace)
    jobs, where = [], {}
    for command in (c for c in COMMANDS if c.split()[0] == group):
        for name, path in inputs.items():
            argv, cwd = _job(command, name, path, workspace)
            job_id = f"{command}|{name}"
            jobs.append({"id": job_id, "argv": argv, "cwd": str(cwd), "stdout": str(cwd / "stdout"),
                         "stderr": str(cwd / "stderr")})
            where[job_id] = (command, name, cwd)
    results = _forked(jobs, workspace, GROUPS[group])
    failures = [line for job_id, (command, name, cwd) in where.items()
                for line in _problems(name, command, results[job_id], cwd)]
    assert not failures, "\n".join(failures)


SMOKE = ("deep-flow.yaml", "unsafe-apply.yaml", "dev-zero")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_command_from_a_fresh_interpreter(command, workspace):
    # The same checks with nothing preloaded: `python -m ...` exactly as a user types it, for the attacks that
    # once killed a process (SIGSEGV), read without end, or could execute code.
    inputs = {name: CORPUS / name for name in SMOKE if (CORPUS / name).exists()} | {
        k: v for k, v in _generated(workspace).items() if k in SMOKE}
    jobs = [(name, *_job(command, name, path, workspace / "fresh")) for name, path in inputs.items()]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(lambda job: (job[0], _spawn(job[1], job[2]), job[2]), jobs))
    failures = [line for name, result, cwd in results for line in _problems(name, command, result, cwd)]
    assert not failures, "\n".join(failures)


def test_the_corpus_holds_every_class_of_attack():
    names = " ".join(_attacks())
    for needed in ("deep-flow", "deep-block", "deep-array", "alias-bomb", "huge-int", "long-int", "nan", "inf",
                   "non-utf8", "binary", "unsafe-apply", "unsafe-new", "template-int-id", "template-type-list",
                   "template-target-list", "template-deep-metadata", "scenario-"):
        assert needed in names, needed


def test_unsafe_tags_would_be_noticed():
    # The suite's "nothing executed" check is only worth something if the marker is what the files would make.
    assert all(PWNED in (CORPUS / name).read_text() for name in _attacks()
               if name.startswith(("unsafe-apply", "unsafe-new", "unsafe-template")))


def test_peak_memory_is_measured_per_child(workspace):
    # A child that allocates 200 MB shows it in its own ru_maxrss, through both runners.
    hog = workspace / "hog"
    hog.mkdir(exist_ok=True)
    (hog / "hog.py").write_text("x = bytearray(200 * 1024 * 1024)\nimport sys\nsys.exit(1)\n")
    spawned = _spawn(["hog"], hog)
    forked = _forked([{"id": "hog", "argv": ["hog"], "cwd": str(hog), "stdout": str(hog / "o"),
                       "stderr": str(hog / "e")}], hog, [])["hog"]
    for result in (spawned, forked):
        assert result["code"] == 1 and 200 < result["rss_mb"] < 400, result
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0
