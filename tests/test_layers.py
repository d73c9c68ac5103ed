"""Which package may import which: the layers the README's architecture section draws, checked in a fresh
interpreter (sys.modules after the import says what was really loaded, indirect imports included)."""
import subprocess
import sys

import pytest


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in out.split()}


@pytest.mark.parametrize("module", ["lint", "lint.rules", "states_language", "matching", "design.registry",
                                    "design.edge_kinds", "design.loader"])
def test_lint_and_the_shared_facts_never_load_the_simulator(module):
    loaded = _loaded_after(module)
    assert "simulator" not in loaded
    assert "streamlit" not in loaded


def test_the_language_packages_stand_alone():
    # The ASL language and the event-pattern matcher load no design, simulator or lint module when imported.
    for module in ("states_language", "matching"):
        assert not {"design", "simulator", "lint", "exporters", "importers"} & _loaded_after(module)
