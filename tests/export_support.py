"""Shared by the export/import tests: the real AWS tools (cfn-lint, aws-sam-translator) run offline, and a
hypothesis strategy that draws valid designs from design/connections.py's ALLOWED table."""
from __future__ import annotations

import copy
import json
import logging

from hypothesis import strategies as st

from design import from_data
from design.connections import ALLOWED
from design.registry import TYPE_NAMES


def package(template: dict) -> dict:
    """What `sam package` does before a deploy: local CodeUri/DefinitionUri become S3 URIs."""
    for resource in (template.get("Resources") or {}).values():
        props = resource.get("Properties") or {} if isinstance(resource, dict) else {}
        for key in ("CodeUri", "DefinitionUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = "s3://studio-artifacts/" + props[key].strip("/")
    return template


def translate(text: str) -> dict:
    """The template transformed by aws-sam-translator (raises its InvalidDocumentException on failure)."""
    import boto3
    from cfnlint.decode.decode import decode_str
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    template, errors = decode_str(text)
    assert not errors, errors
    plain = json.loads(json.dumps(template))
    # Offline: a fixed region for the pseudo parameters and an empty managed-policy map (no IAM lookup).
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name="us-east-1"))
    return translator.translate(package(plain), parameter_values={}, get_managed_policy_map=lambda: {})


def errors_and_warnings(result: dict) -> list[dict]:
    return [f for f in result["findings"] if f["severity"] in ("E", "W")]


# --- hypothesis: valid designs ---------------------------------------------------------------------------
_PATTERNS = [{"source": ["shop"]}, {"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">", 10]}]}}]
_FILTERS = [{"total": [{"numeric": [">=", 500]}]}, {"kind": ["a", "b"]}]


@st.composite
def designs(draw, max_nodes: int = 7):
    """A loadable design whose edges come from ALLOWED, made deployable (pipes get a source and a target,
    schedules a target, alarms something to watch, queues a visibility timeout above any function's)."""
    count = draw(st.integers(2, max_nodes))
    types = draw(st.lists(st.sampled_from(TYPE_NAMES), min_size=count, max_size=count))
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "orders", "orders_q",
                                         "Orders-Q", "x1", "confirm", "confirm_role"]),
                        min_size=count, max_size=count, unique=True))
    nodes = [{"id": i, "type": t, "props": {}} for i, t in zip(ids, types)]
    for node in nodes:
        if node["type"] == "sqs_queue":
            node["props"]["visibility_timeout_s"] = 900
        if node["type"] == "state_machine":
            node["props"]["type"] = draw(st.sampled_from(["STANDARD", "EXPRESS"]))
        if node["type"] == "lambda":
            node["props"]["timeout_s"] = draw(st.sampled_from([3, 30, 900]))
            node["props"]["idempotent"] = draw(st.booleans())
    edges, keys = [], set()
    for _ in range(draw(st.integers(1, 10))):
        s, t = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        kinds = ALLOWED.get((s["type"], t["type"]))
        if not kinds or f"{s['id']}->{t['id']}" in keys:
            continue
        kind = draw(st.sampled_from(kinds))
        edge = {"source": s["id"], "target": t["id"], "kind": kind, "props": _edge_props(draw, kind, s, nodes)}
        keys.add(f"{s['id']}->{t['id']}")
        edges.append(edge)
    _complete(nodes, edges, keys)
    return from_data({"name": "generated", "nodes": nodes, "edges": edges})


def _edge_props(draw, kind, source, nodes) -> dict:
    queues = [n["id"] for n in nodes if n["type"] == "sqs_queue"]
    props: dict = {}
    if kind == "subscription" and draw(st.booleans()):
        props["filter_policy"] = copy.deepcopy(draw(st.sampled_from(_FILTERS)))
        props["filter_policy_scope"] = draw(st.sampled_from(["MessageAttributes", "MessageBody"]))
    if kind == "rule_target":
        props["rule"] = draw(st.sampled_from(["r1", "r2"]))
        props["pattern"] = copy.deepcopy(draw(st.sampled_from(_PATTERNS)))
        if draw(st.booleans()):
            props["retry_attempts"] = draw(st.integers(0, 185))
        if queues and draw(st.booleans()):
            props["dead_letter"] = draw(st.sampled_from(queues))
    if kind in ("event_source", "stream") and draw(st.booleans()):
        props["batch_size"] = draw(st.integers(1, 10))
        props["report_batch_item_failures"] = draw(st.booleans())
    return props


def _complete(nodes, edges, keys) -> None:
    def add(node_id, ntype, props=None):
        if all(n["id"] != node_id for n in nodes):
            nodes.append({"id": node_id, "type": ntype, "props": props or {}})

    def connect(src, dst, kind):
        if f"{src}->{dst}" not in keys:
            keys.add(f"{src}->{dst}")
            edges.append({"source": src, "target": dst, "kind": kind})

    for node in list(nodes):
        nid, ntype = node["id"], node["type"]
        if ntype == "pipe":
            node["props"].pop("enrichment", None)
            sources = [e for e in edges if e["target"] == nid and e["kind"] in ("event_source", "stream")]
            for extra in sources[1:]:
                edges.remove(extra)
            if not sources:
                add(f"{nid}_src", "sqs_queue", {"visibility_timeout_s": 900})
                connect(f"{nid}_src", nid, "event_source")
            targets = [e for e in edges if e["source"] == nid and e["kind"] == "pipe_target"]
            for extra in targets[1:]:
                edges.remove(extra)
            if not targets:
                add(f"{nid}_dst", "lambda")
                connect(nid, f"{nid}_dst", "pipe_target")
            for e in [e for e in edges if e["source"] == nid and e["kind"] == "enrichment"]:
                enricher = next(n for n in nodes if n["id"] == e["target"])
                if enricher["type"] == "state_machine":
                    enricher["props"]["type"] = "EXPRESS"
        if ntype == "schedule" and not any(e["source"] == nid and e["kind"] == "schedule_target" for e in edges):
            add(f"{nid}_job", "lambda")
            connect(nid, f"{nid}_job", "schedule_target")
        if ntype == "alarm" and not any(e["target"] == nid and e["kind"] == "metric" for e in edges):
            add(f"{nid}_watched", "sqs_queue", {"visibility_timeout_s": 900})
            connect(f"{nid}_watched", nid, "metric")
    for node in nodes:
        if node["type"] == "sqs_queue":
            node["props"].pop("fifo", None)
        if node["type"] == "state_machine":
            node["props"]["definition"] = _definition(node["id"], nodes, edges)


def _definition(sm: str, nodes, edges) -> dict:
    """Valid ASL calling each task target: a Lambda task by `${id}`, anything else a Pass placeholder."""
    types = {n["id"]: n["type"] for n in nodes}
    targets = [e["target"] for e in edges if e["source"] == sm and e.get("kind", "task") == "task"]
    states = {}
    for i, target in enumerate(targets):
        state = {"Type": "Task", "Resource": "${%s}" % target} if types[target] == "lambda" else \
            {"Type": "Pass", "Comment": f"call {target}"}
        state.update({"Next": f"S{i + 1}"} if i + 1 < len(targets) else {"End": True})
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states or {"S0": {"Type": "Succeed"}}}
