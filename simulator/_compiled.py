"""Which simulator runs: the mypyc-compiled hot modules, or the pure-Python ones (identical results).

`ops/compile.py` (`make compile`, called by `make deps`) builds the modules below into `.build/compiled/`,
outside the source tree, with a stamp of each source's SHA-256. `activate()` (called once by
`simulator/__init__.py`) puts the compiled modules in front only when the stamp matches the sources as they
are now: an edited source, a build for another Python, or `SPS_PURE=1` in the environment all mean the
pure-Python modules run. The compiled modules are compiled together (they call each other natively), so
they are used all together or not at all. `python -m simulator --engine-info` says which one runs.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / ".build" / "compiled"
STAMP = BUILD_DIR / "stamp.json"

# The modules the fan-out race spends its time in, compiled as one group.
COMPILED_MODULES = (
    "simulator.engine",
    "simulator.messages",
    "simulator.metrics",
    "simulator.runtime",
    "simulator.services.base",
    "simulator.services.breaker",
    "simulator.services.clients",
    "simulator.services.router",
    "simulator.services.sns",
    "simulator.services.queue",
    "simulator.services.lambda_fn",
)

state = {"engine": "pure", "reason": "not activated"}


def _source(module: str) -> Path:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def build_stamp() -> dict:
    """What a build is valid for: the compiled sources' SHA-256 and this Python (its extension suffix)."""
    return {"python": importlib.machinery.EXTENSION_SUFFIXES[0],
            "sources": {m: hashlib.sha256(_source(m).read_bytes()).hexdigest() for m in COMPILED_MODULES}}


def write_stamp(stamp: dict) -> None:
    STAMP.write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _stale_reason() -> str | None:
    """Why the build cannot be used (None when it matches the current sources)."""
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no compiled build (make compile)"
    now = build_stamp()
    if stamp.get("python") != now["python"]:
        return f"the compiled build is for another Python ({stamp.get('python')})"
    changed = [m for m in COMPILED_MODULES if stamp.get("sources", {}).get(m) != now["sources"][m]]
    if changed:
        return f"the compiled build is stale ({', '.join(changed)} changed since; make compile)"
    return None


def stamp_matches() -> bool:
    return _stale_reason() is None


def _extension(name: str) -> Path | None:
    base = BUILD_DIR.joinpath(*name.split("."))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = base.with_name(base.name + suffix)
        if path.exists():
            return path
    return None


class _CompiledFinder:
    """Finds the compiled module (and mypyc's shared runtime library) for the names of the build only."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.names and not fullname.endswith("__mypyc"):
            return None
        file = _extension(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, str(file), loader=loader)


def activate() -> dict:
    """Put the compiled modules in front when they match the sources; return `state`."""
    if state["reason"] != "not activated":
        return state
    if os.environ.get("SPS_PURE") == "1":
        state.update(engine="pure", reason="SPS_PURE=1")
        return state
    why = _stale_reason()
    if why is None and any(_extension(m) is None for m in COMPILED_MODULES):
        why = "the compiled build is incomplete (make compile)"
    if why is not None:
        state.update(engine="pure", reason=why)
        return state
    already = [m for m in COMPILED_MODULES if m in sys.modules]
    if already:
        state.update(engine="pure", reason=f"imported before activation: {', '.join(already)}")
        return state
    sys.meta_path.insert(0, _CompiledFinder(set(COMPILED_MODULES)))
    state.update(engine="compiled", reason=f"mypyc build in {BUILD_DIR}")
    return state


def engine_info() -> dict:
    """Which engine runs and where each hot module was loaded from (imports them)."""
    import importlib
    files = {}
    for m in COMPILED_MODULES:
        mod = importlib.import_module(m)
        files[m] = getattr(mod, "__file__", "?")
    compiled = all(str(f).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) for f in files.values())
    return {"engine": "compiled" if compiled else "pure", "reason": state["reason"], "modules": files}
