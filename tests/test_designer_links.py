"""Classroom links: design + scenario + seed in one URL parameter; round trips (hypothesis) and tampering."""
import base64
import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from design import from_data
from design.registry import BY_NAME
from designer import links
from patterns.catalog import load_catalog

CATALOG = load_catalog()
LABELS = st.text(max_size=40)     # any text, hostile or not: labels are data
TYPES = sorted(BY_NAME)


@st.composite
def designs(draw):
    count = draw(st.integers(1, 12))
    nodes = []
    for i in range(count):
        node = {"id": f"n{i}", "type": draw(st.sampled_from(TYPES)), "label": draw(LABELS)}
        if draw(st.booleans()):
            node["position"] = {"x": draw(st.floats(-1e5, 1e5, allow_nan=False)),
                                "y": draw(st.integers(-10_000, 10_000))}
        nodes.append(node)
    from design.connections import allowed_kinds
    edges = []
    for _ in range(draw(st.integers(0, 15))):
        a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        key = f"{a['id']}->{b['id']}"
        if allowed_kinds(a["type"], b["type"]) and key not in {f"{e['source']}->{e['target']}" for e in edges}:
            edges.append({"source": a["id"], "target": b["id"]})
    return from_data({"name": draw(LABELS) or "x", "nodes": nodes, "edges": edges})


SCENARIOS = st.fixed_dictionaries({"until_s": st.floats(1, 10_000, allow_nan=False),
                                   "inject": st.fixed_dictionaries({"duplicate_probability": st.floats(0, 1)})})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(), SCENARIOS, st.integers(0, 2**63 - 1))
def test_round_trip_gives_back_the_same_design_scenario_and_seed(design, scenario, seed):
    code = links.encode(design, scenario, seed)
    assert code[0] == "1" and set(code[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    back, back_scenario, back_seed = links.decode(code)
    assert back.to_dict() == design.to_dict()
    assert back_scenario == scenario and back_seed == seed
    assert links.encode(back, back_scenario, back_seed) == code, "canonical: the same input, the same link"


def test_every_catalog_pattern_fits_in_a_short_link():
    for pid, pattern in CATALOG.items():
        code = links.encode(pattern.design, pattern.design.scenario, 7)
        assert len(code) < 4000, pid
        assert links.decode(code)[0].to_dict() == pattern.design.to_dict()


def _pack(doc) -> str:
    raw = json.dumps(doc).encode()
    return "1" + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize("text, words", [
    ("", "no run"),
    ("2abc", "version"),
    ("1abc$%", "characters"),
    ("1" + "A" * 30_000, "too long"),
    ("1AAAA", "damaged or cut short"),
    ("1" + base64.urlsafe_b64encode(zlib.compress(b"not json")).decode().rstrip("="), "not JSON"),
    (_pack([1, 2]), "does not hold"),
    (_pack({"design": {"nodes": []}, "scenario": {}, "seed": -1}), "seed"),
    (_pack({"design": {"nodes": [{"id": "a", "type": "mainframe"}]}, "scenario": {}, "seed": 1}),
     "design: nodes[a].type: unknown type"),
    (_pack({"design": {"nodes": [{"id": "a", "type": "client"}]}, "scenario": {"workload": [{"source": "zz"}]},
            "seed": 1}), "scenario: workload[0].source: unknown node"),
])
def test_a_tampered_link_gives_a_clear_message(text, words):
    with pytest.raises(links.LinkError) as err:
        links.decode(text)
    assert words in str(err.value)


def test_a_cut_link_is_refused():
    code = links.encode(CATALOG["saga"].design, {}, 1)
    for cut in (len(code) // 2, len(code) - 3):
        with pytest.raises(links.LinkError):
            links.decode(code[:cut])


def test_a_zip_bomb_is_refused_without_unpacking_it_all():
    bomb = zlib.compress(b"{" + b" " * (12 * 1024 * 1024) + b"}", 9)   # 12 MiB in ~16 KB of link
    text = "1" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(text) < links.MAX_LINK_CHARS
    with pytest.raises(links.LinkError, match="more than"):
        links.decode(text)


def test_a_design_too_big_for_a_link_says_to_share_a_file():
    import os
    nodes = [{"id": f"n{i}", "type": "lambda", "label": base64.b64encode(os.urandom(120)).decode()}
             for i in range(400)]
    with pytest.raises(links.LinkError, match="download it as a file"):
        links.encode(from_data({"nodes": nodes}), {}, 1)
