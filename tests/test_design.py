"""The design model: loading, exact errors for bad input, safety guards, round trips, merge, registry."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from design import DesignError, from_data, load_file, load_text, to_json, to_yaml
from design.connections import ALLOWED, EDGE_KINDS, refusal
from design.graph import flow_cycles, to_networkx
from design.merge import merge
from design.registry import BY_NAME, TYPES

REQUIRED_TYPES = {"client", "api_gateway", "lambda", "sqs_queue", "sns_topic", "event_bus", "schedule", "pipe",
                  "state_machine", "dynamodb_table", "s3_bucket", "kinesis_stream", "firehose", "appsync_api",
                  "external", "alarm"}


def problems_of(doc) -> list[str]:
    with pytest.raises(DesignError) as info:
        from_data(doc)
    return info.value.problems


def test_registry_has_every_type_with_sam_type_group_and_look():
    assert set(BY_NAME) == REQUIRED_TYPES
    for spec in TYPES:
        assert spec.group and spec.colour.startswith("#") and spec.glyph and spec.shape
        for prop in spec.props:
            if prop.default is not None:
                assert prop.check(prop.default) is None, (spec.name, prop.name)
    assert BY_NAME["lambda"].prop_index["timeout_s"].maximum == 900
    assert BY_NAME["lambda"].prop_index["max_retry_attempts"].default == 2
    assert BY_NAME["sqs_queue"].prop_index["visibility_timeout_s"].maximum == 43_200


def test_every_allowed_kind_is_a_known_kind():
    assert {k for kinds in ALLOWED.values() for k in kinds} <= set(EDGE_KINDS)


def test_the_design_md_example_loads_with_inferred_kinds():
    design = from_data({"name": "Order fan-out", "nodes": [
        {"id": "shop", "type": "client", "label": "Web shop"}, {"id": "orders", "type": "sns_topic"},
        {"id": "confirm_q", "type": "sqs_queue", "props": {"visibility_timeout_s": 30, "max_receive_count": 3}},
        {"id": "confirm", "type": "lambda", "props": {"idempotent": False, "timeout_s": 10}},
        {"id": "confirm_dlq", "type": "sqs_queue"}], "edges": [
        {"source": "shop", "target": "orders"},
        {"source": "orders", "target": "confirm_q", "props": {"filter_policy": {"total": [{"numeric": [">=", 500]}]},
                                                             "filter_policy_scope": "MessageBody"}},
        {"source": "confirm_q", "target": "confirm"},
        {"source": "confirm_q", "target": "confirm_dlq", "kind": "dead_letter"}]})
    assert [design.kind_of(e) for e in design.edges] == ["publish", "subscription", "event_source", "dead_letter"]


def test_every_problem_is_listed_by_path_with_ids():
    problems = problems_of({"name": "x", "nodes": [
        {"id": "confirm", "type": "lambda", "props": {"timeout_s": 901, "colour": "red"}},
        {"id": "confirm", "type": "sqs_queue"},
        {"id": "q", "type": "no_such_type"},
        {"id": "9bad", "type": "lambda"}], "edges": [
        {"source": "orders", "target": "confirm_q"},
        {"source": "confirm", "target": "confirm", "kind": "teleport"}], "extra": 1})
    assert problems == [
        "extra: unknown key",
        "nodes[confirm].props.timeout_s: must be ≤ 900",
        "nodes[confirm].props.colour: unknown property for lambda",
        "nodes[confirm]: duplicate id",
        "nodes[q].type: unknown type 'no_such_type'",
        "nodes[9bad].id: must be a letter then letters, digits, _ or - (at most 64)",
        "edges[orders->confirm_q]: unknown source 'orders'",
        "edges[orders->confirm_q]: unknown target 'confirm_q'",
        "edges[confirm->confirm].kind: unknown kind 'teleport'",
    ]


def test_impossible_connection_says_why():
    problems = problems_of({"nodes": [{"id": "q", "type": "sqs_queue"}, {"id": "t", "type": "dynamodb_table"}],
                            "edges": [{"source": "q", "target": "t"}]})
    assert problems == ["edges[q->t]: " + refusal("sqs_queue", "dynamodb_table")]
    assert problems[0].startswith("edges[q->t]: no connection from sqs_queue to dynamodb_table; a sqs_queue can "
                                  "connect to: alarm, lambda, pipe, sqs_queue")


def test_more_than_twenty_problems_are_cut_with_a_count():
    doc = {"nodes": [{"id": f"n{i}", "type": "nope"} for i in range(25)]}
    with pytest.raises(DesignError) as info:
        from_data(doc)
    lines = str(info.value).splitlines()
    assert len(lines) == 21 and lines[-1] == "… and 5 more"


@pytest.mark.parametrize("text, message", [
    ("nodes: [", "design: invalid YAML at line 2 column 1: did not find expected node content"),
    ("!!python/object/apply:os.system ['echo hi']",
     "design: refused YAML tag (could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object/apply:os.system'); only plain YAML is accepted"),
    ("- 1\n- 2\n", "document: must be a mapping with nodes and edges, not a list"),
    ("", "document: empty; a design needs nodes (and usually edges)"),
    ("{\"nodes\": [}", "design: invalid JSON at line 1 column 12: Expecting value"),
])
def test_bad_documents_get_one_clear_error(text, message):
    with pytest.raises(DesignError) as info:
        load_text(text)
    assert info.value.problems == [message]


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    with pytest.raises(DesignError) as info:
        load_text(bomb)
    assert info.value.problems == ["design: expands to over 1,000,000 values (YAML aliases repeated too often); refused"]


def test_recursive_alias_and_deep_nesting_are_refused():
    with pytest.raises(DesignError) as info:
        load_text("a: &a [*a]")
    assert "refused" in info.value.problems[0] or "invalid YAML" in info.value.problems[0]
    with pytest.raises(DesignError) as info:
        load_text("[" * 5000 + "]" * 5000, "json")
    assert info.value.problems == ["design: nested too deeply (limit 200 levels)"]


def test_a_50_mb_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(DesignError) as info:
        load_file(path)
    assert info.value.problems == [f"{path}: file is 50.0 MiB; the limit is 10 MiB"]


def test_unwise_designs_load_fine():
    design = from_data({"nodes": [{"id": "t", "type": "sns_topic"}, {"id": "f", "type": "lambda",
                                                                      "props": {"timeout_s": 900}},
                                  {"id": "orphan", "type": "sqs_queue"}],
                        "edges": [{"source": "t", "target": "f"}, {"source": "f", "target": "t"}]})
    assert flow_cycles(design) == [["t", "f"]] or flow_cycles(design) == [["f", "t"]]
    assert to_networkx(design).number_of_edges() == 2


# --- round trips -----------------------------------------------------------------------------
names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30)


@st.composite
def designs(draw):
    ids = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=8, unique=True))
    nodes = []
    for nid in ids:
        ntype = draw(st.sampled_from(sorted(BY_NAME)))
        node = {"id": nid, "type": ntype}
        if draw(st.booleans()):
            node["label"] = draw(names)
        props = {}
        for prop in BY_NAME[ntype].props:
            if prop.kind == "bool" and draw(st.booleans()):
                props[prop.name] = draw(st.booleans())
            elif prop.kind in ("int", "float") and prop.minimum is not None and prop.maximum is not None \
                    and draw(st.booleans()):
                value = draw(st.integers(int(prop.minimum) + (prop.minimum % 1 > 0), int(prop.maximum)))
                props[prop.name] = value
        if props:
            node["props"] = props
        if draw(st.booleans()):
            node["position"] = {"x": draw(st.integers(-500, 500)), "y": draw(st.integers(-500, 500))}
        nodes.append(node)
    edges, seen = [], set()
    types = {n["id"]: n["type"] for n in nodes}
    for src in ids:
        for dst in ids:
            kinds = ALLOWED.get((types[src], types[dst]))
            if kinds and (src, dst) not in seen and draw(st.booleans()):
                seen.add((src, dst))
                edges.append({"source": src, "target": dst, "kind": draw(st.sampled_from(kinds))})
    return {"name": draw(names) or "d", "nodes": nodes, "edges": edges}


@settings(max_examples=200, deadline=None)
@given(designs())
def test_yaml_and_json_round_trips_lose_nothing(doc):
    design = from_data(doc)
    again_yaml = load_text(to_yaml(design), "yaml")
    again_json = load_text(to_json(design), "json")
    assert again_yaml.to_dict() == design.to_dict() == again_json.to_dict()
    assert to_yaml(again_yaml) == to_yaml(design)        # byte-identical output


def test_merge_renames_clashing_ids_and_references():
    base = from_data({"nodes": [{"id": "q", "type": "sqs_queue"}, {"id": "fn", "type": "lambda"}],
                      "edges": [{"source": "q", "target": "fn"}]})
    fragment = from_data({"nodes": [
        {"id": "q", "type": "sqs_queue"}, {"id": "dlq", "type": "sqs_queue"}, {"id": "fn", "type": "lambda"},
        {"id": "t", "type": "sns_topic"},
        {"id": "sm", "type": "state_machine", "props": {"definition": {"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${fn}", "End": True}}}}}], "edges": [
        {"source": "q", "target": "fn"}, {"source": "t", "target": "q", "props": {"dead_letter": "dlq"}},
        {"source": "sm", "target": "fn"}]})
    merged, id_map = merge(base, fragment, offset=(100, 0))
    assert id_map == {"q": "q_2", "dlq": "dlq", "fn": "fn_2", "t": "t", "sm": "sm"}
    assert [n.id for n in merged.nodes] == ["q", "fn", "q_2", "dlq", "fn_2", "t", "sm"]
    assert merged.edges[2].props["dead_letter"] == "dlq" and merged.edges[2].target == "q_2"
    assert merged.node("sm").props["definition"]["States"]["A"]["Resource"] == "${fn_2}"
    from_data(merged.to_dict())       # still a valid design
    assert len(base.nodes) == 2        # inputs untouched


def test_json_output_is_plain_json():
    design = from_data({"nodes": [{"id": "a", "type": "client", "label": "Ünïcode & <tags>"}]})
    assert json.loads(to_json(design))["nodes"][0]["label"] == "Ünïcode & <tags>"


def test_kind_of_follows_every_edit_of_the_node_list():
    """kind_of reads node types through an index; each edit of `nodes` is seen at the next call."""
    from design.model import Design, Edge, Node
    d = Design(nodes=[Node("api", "api_gateway"), Node("fn", "lambda"), Node("q", "sqs_queue")],
               edges=[Edge("api", "fn"), Edge("fn", "q")])
    assert d.kind_of(d.edges[0]) == "sync" and d.kind_of(d.edges[1]) == "publish"
    d.nodes[1] = Node("fn", "state_machine")                    # replaced in place, same length
    assert d.kind_of(d.edges[0]) == "integration"           # design/connections.py: API → state machine
    d.nodes[1].type = "lambda"                                  # a node's type edited in place
    assert d.kind_of(d.edges[0]) == "sync"
    del d.nodes[2]                                              # deleted: the edge's target is gone
    assert d.kind_of(d.edges[1]) is None
    d.nodes.append(Node("q", "sns_topic"))                      # back, as another type
    assert d.kind_of(d.edges[1]) == "publish"
    d.nodes[0].id = "gateway"                                   # an id changed in place
    assert d.kind_of(d.edges[0]) is None
    assert Design(nodes=list(d.nodes), edges=list(d.edges)) == d   # the index is not part of equality
