"""Issue 12, item 4: SAM export is near-linear in the design's size (it was cubic: a topic with 1,000 Lambda
subscribers took 31 s). `make bench` prints the time-per-node curve (speed is measured there, never asserted in a timed test); this
test pins the mechanism that makes it linear."""
from __future__ import annotations

from benchmarks.export_import import fan_out
from design.model import Design
from exporters.sam import export
from exporters.sam.indexed import IndexedDesign


def test_export_never_rescans_the_design(monkeypatch):
    calls = {"node_map": 0, "node": 0}
    plain_map, plain_node = Design.node_map, Design.node

    def counting_map(self):
        calls["node_map"] += not isinstance(self, IndexedDesign)
        return plain_map(self)

    def counting_node(self, node_id):
        calls["node"] += not isinstance(self, IndexedDesign)
        return plain_node(self, node_id)
    monkeypatch.setattr(Design, "node_map", counting_map)
    monkeypatch.setattr(Design, "node", counting_node)
    export(fan_out(300))
    # A plain Design's kind_of rebuilds the node map per call: an export may do that a handful of times
    # (a few helpers outside exporters/), never once per edge.
    assert calls["node_map"] <= 10 and calls["node"] <= 10, calls


def test_indexed_view_answers_like_the_design():
    design = fan_out(50)
    view = IndexedDesign.of(design)
    assert view.node_map() == design.node_map()
    assert all(view.kind_of(e) == design.kind_of(e) for e in design.edges)
    assert all(view.out_edges(n.id) == design.out_edges(n.id) and view.in_edges(n.id) == design.in_edges(n.id)
               for n in design.nodes)
    assert view.to_dict() == design.to_dict()
