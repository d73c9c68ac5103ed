"""Build the simulator's compiled hot modules (mypyc) outside the source tree; `make compile` runs this.

    python -m ops.compile            build into .build/compiled/ (a no-op when the stamp already matches)
    python -m ops.compile --check    exit 0 when a build matching the current sources is present, else 1

The build goes to `.build/compiled/` with `stamp.json`: the SHA-256 of every compiled source, the Python
version and the mypy version. `simulator/_compiled.py` puts the compiled modules in front of the pure ones
only when that stamp matches the sources as they are now, so an edited source is never shadowed by a stale
build. Without mypy, a C compiler or the Python headers the build is skipped with one line saying why, and
everything runs on the pure-Python modules (identical results, slower).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator._compiled import BUILD_DIR, COMPILED_MODULES, build_stamp, stamp_matches, write_stamp  # noqa: E402


# The rest of the code base is read for its types but not checked here (only the compiled modules must be typed).
MYPY_FLAGS = ["--follow-imports=silent", "--ignore-missing-imports"]


def missing_tools() -> str | None:
    """Why a build cannot be made here, or None."""
    try:
        import mypyc  # noqa: F401
    except ImportError:
        return "mypy (mypyc) is not installed"
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    if not shutil.which(cc.split()[0]):
        return f"no C compiler ({cc.split()[0]})"
    include = sysconfig.get_paths().get("include")
    if not include or not (Path(include) / "Python.h").exists():
        return f"no Python headers (Python.h not in {include})"
    return None


def build(quiet: bool = True) -> int:
    why = missing_tools()
    if why:
        print(f"compiled simulator not built: {why}; the pure-Python modules run (identical results, slower)")
        return 0
    if stamp_matches():
        return 0
    sources = [str(Path(*m.split(".")).with_suffix(".py")) for m in COMPILED_MODULES]
    tmp = Path(tempfile.mkdtemp(prefix="sps-mypyc-"))
    out = tmp / "lib"
    setup = tmp / "setup.py"
    setup.write_text(
        "import sys\nfrom setuptools import setup\nfrom mypyc.build import mypycify\n"
        f"setup(name='sps_compiled', ext_modules=mypycify({MYPY_FLAGS + sources!r}, opt_level='3', "
        "target_dir=sys.argv.pop()))\n", encoding="utf-8")
    cmd = [sys.executable, str(setup), "build_ext", "--build-lib", str(out), "--build-temp", str(tmp / "obj"),
           str(tmp / "c")]
    print(f"compiling the simulator's hot modules with mypyc ({len(sources)} modules) into {BUILD_DIR.relative_to(ROOT)}/")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=quiet, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        if quiet:
            sys.stderr.write((proc.stdout or "")[-4000:] + (proc.stderr or "")[-4000:])
        print("compiled simulator: the build failed (above); the pure-Python modules run")
        return 1
    if BUILD_DIR.exists():
        shutil.rmtree(BUILD_DIR)
    BUILD_DIR.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(out, BUILD_DIR)
    shutil.rmtree(tmp, ignore_errors=True)
    write_stamp(build_stamp())
    print("compiled simulator built; `python -m simulator --engine-info` says which modules run")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m ops.compile")
    parser.add_argument("--check", action="store_true", help="exit 1 unless a build matching the sources exists")
    args = parser.parse_args()
    if args.check:
        ok = stamp_matches()
        print("compiled simulator: " + ("present and current" if ok else "missing or stale"))
        sys.exit(0 if ok else 1)
    sys.exit(build())


if __name__ == "__main__":
    main()
