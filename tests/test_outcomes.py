"""One table of outcomes (simulator/outcomes.py): everything recorded is in it, and the README documents it."""
import re
from pathlib import Path

import pytest

from design import from_data
from patterns.catalog import load_catalog
from simulator.conformance import load_cases
from simulator.outcomes import OUTCOMES
from simulator.run import simulate

ROOT = Path(__file__).resolve().parent.parent


def _recorded(run) -> set[str]:
    return {row[6] for row in run.trace}


def test_every_outcome_recorded_by_the_catalog_and_the_conformance_cases_is_in_the_table():
    seen: set[str] = set()
    for case in load_cases():
        seen |= _recorded(simulate(from_data({"name": case.id, **case.design}), case.scenario, trace=True))
    for pattern in load_catalog().values():
        seen |= _recorded(simulate(pattern.design, trace=True))
    assert seen - set(OUTCOMES) == set(), "recorded but not in simulator/outcomes.py"
    assert len(seen) >= 25, sorted(seen)      # the runs exercise most of the table


def test_every_outcome_literal_in_the_models_is_in_the_table():
    """A `record(..., "name", ...)` in any model names a known outcome (static, so a rare path is covered)."""
    pattern = re.compile(r"record\((?:[^()]|\([^()]*\))*?,\s*\"([a-z_]+)\"")
    names = set()
    for path in (ROOT / "simulator").rglob("*.py"):
        names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert names, "the scan found nothing: it would prove nothing"
    assert names - set(OUTCOMES) == set()


def test_the_readme_documents_every_outcome():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in OUTCOMES if f"`{name}`" not in readme]
    assert not missing, f"README's outcome table lacks {missing}"


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_narration_and_playback_read_the_table(name):
    from designer.playback import kind_of
    from simulator.narrate import OUTCOME_WORDS
    assert OUTCOME_WORDS[name] == OUTCOMES[name].words and kind_of(name) == OUTCOMES[name].kind
