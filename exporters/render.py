"""SVG or PNG from DOT with the system's Graphviz `dot` program, or a clear message when it is missing."""
from __future__ import annotations

import shutil
import subprocess

FORMATS = ("svg", "png")


class RenderError(RuntimeError):
    pass


def render(dot_source: str, fmt: str = "svg", timeout_s: float = 30.0) -> bytes:
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    binary = shutil.which("dot")
    if binary is None:
        raise RenderError("Graphviz's `dot` program is not installed, so no SVG/PNG can be drawn here; install "
                          "Graphviz (e.g. `apt-get install graphviz`) or use the DOT/Mermaid text instead")
    try:
        proc = subprocess.run([binary, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True,
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz took longer than {timeout_s:g} s; the drawing was abandoned") from None
    if proc.returncode != 0:
        raise RenderError("Graphviz failed: " + " ".join(proc.stderr.decode("utf-8", "replace").split())[:300])
    return proc.stdout
