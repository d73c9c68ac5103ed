"""The compiled simulator (mypyc, `make compile`) and the pure-Python one give the same runs.

`make test` builds the compiled modules (dev-deps → compile), so where they can be built they must be
present and current; this module then runs the speed goldens (tests/test_speed_identical.py) in a
subprocess on the engine this process is NOT using, so that one suite run checks both. A machine that
cannot build them (no mypy, no C compiler or Python headers) runs the pure modules only, and the skip
says why. A build never shadows an edited source (the stamp of SHA-256s), and SPS_PURE=1 forces pure.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ops.compile import missing_tools
from simulator import _compiled

ROOT = Path(__file__).resolve().parent.parent
FORCED_PURE = os.environ.get("SPS_PURE") == "1"


def _can_build() -> str | None:
    return missing_tools()


def test_the_compiled_build_is_present_and_used_where_it_can_be_built():
    why = _can_build()
    if why is not None:
        pytest.skip(f"the compiled simulator cannot be built here ({why}): only the pure-Python modules run")
    assert _compiled.stamp_matches(), ("the compiled simulator can be built here but no current build exists: "
                                       "run `make compile` (make test does)")
    info = _compiled.engine_info()
    if FORCED_PURE:
        assert info["engine"] == "pure", info
    else:
        assert info["engine"] == "compiled", info
        assert all(f.endswith(".so") or f.endswith(".pyd") for f in info["modules"].values()), info


def test_the_goldens_hold_on_the_other_engine_too():
    """This process checks the goldens on its engine (test_speed_identical); a subprocess checks the other."""
    here = _compiled.engine_info()["engine"]
    env = dict(os.environ)
    if here == "compiled":
        env["SPS_PURE"] = "1"
        other = "pure"
    else:
        if not _compiled.stamp_matches():
            why = _can_build()
            if why is not None:
                pytest.skip(f"no compiled build to compare with ({why}); the pure engine is checked in-process")
            pytest.fail("the compiled simulator can be built here but is missing or stale: run `make compile`")
        env.pop("SPS_PURE", None)
        other = "compiled"
    env.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                           "tests/test_speed_identical.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"goldens on the {other} engine:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
    check = subprocess.run([sys.executable, "-m", "simulator", "--engine-info"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert check.stdout.startswith(f"engine: {other}"), check.stdout


def _copy_tree(dest: Path) -> None:
    shutil.copytree(ROOT / "simulator", dest / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(_compiled.BUILD_DIR, dest / ".build" / "compiled")


def _engine_in(tree: Path, **env_extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SPS_PURE"}
    env.update(env_extra)
    env["PYTHONPATH"] = str(tree)
    code = ("import simulator, simulator._compiled as c, simulator.engine as e; "
            "print(c.state['engine'], e.__file__, c.state['reason'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_stale_build_never_shadows_an_edited_source(tmp_path):
    if not _compiled.stamp_matches():
        pytest.skip("no current compiled build to make stale (" + (_can_build() or "make compile") + ")")
    _copy_tree(tmp_path)
    fresh = _engine_in(tmp_path)
    assert fresh.startswith("compiled ") and ".so" in fresh, fresh
    assert _engine_in(tmp_path, SPS_PURE="1").startswith("pure "), "SPS_PURE=1 must force the pure modules"
    queue = tmp_path / "simulator" / "services" / "queue.py"
    queue.write_text(queue.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    stale = _engine_in(tmp_path)
    assert stale.startswith("pure ") and stale.split()[1].endswith("engine.py"), stale
    assert "simulator.services.queue changed" in stale, stale


def test_without_a_build_the_pure_modules_run(tmp_path):
    shutil.copytree(ROOT / "simulator", tmp_path / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    out = _engine_in(tmp_path)
    assert out.startswith("pure ") and "no compiled build" in out, out
