"""Every property a user can set is either read by the simulator or declared export-only with a reason.

A property the simulator accepts but does not model is a lie to the learner; the properties panel says
"exported, not simulated" for the declared ones. "Read by the simulator" is checked in its source: the
property's name appears as a string in simulator/ (that is how models read props: p("name"), props.get("name")).
"""
import re
from pathlib import Path

import pytest

from design.connections import EDGE_PROPS
from design.registry import TYPES
from designer.forms import describe_prop, prop_label

ROOT = Path(__file__).resolve().parent.parent
# The cost model (simulator/cost/) reads memory_mb and api_kind to price a run, not to change its behaviour,
# so reading them there does not make them simulated.
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "simulator").rglob("*.py"))
                   if p.name != "conformance.py" and "cost" not in p.relative_to(ROOT / "simulator").parts)
# Read by the design model itself for every type (not a per-service behaviour).
MODEL_LEVEL = {"requires_order"}

ALL = [(f"{t.name}.{p.name}", p) for t in TYPES for p in t.props] + [(f"edge.{n}", p) for n, p in EDGE_PROPS.items()]


def _read_by_simulator(name: str) -> bool:
    return re.search(r"[\"']%s[\"']" % re.escape(name), SOURCE) is not None


@pytest.mark.parametrize("where,prop", ALL, ids=[w for w, _ in ALL])
def test_property_is_simulated_or_declared_export_only(where, prop):
    if prop.name in MODEL_LEVEL:
        return
    read = _read_by_simulator(prop.name)
    if prop.export_only:
        assert not read, f"{where} is declared export-only but the simulator reads it: drop the declaration"
        assert len(prop.export_only) > 20, f"{where}: say why it is not simulated"
    else:
        assert read, f"{where} is accepted but the simulator never reads it: model it or declare export_only"


def test_the_panel_says_exported_not_simulated():
    declared = [p for _, p in ALL if p.export_only]
    assert declared, "no export-only property: this test would prove nothing"
    for prop in declared:
        assert prop_label(prop).endswith("(exported, not simulated)")
        assert "exported, not simulated: " + prop.export_only in describe_prop(prop)
