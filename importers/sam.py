"""A SAM / CloudFormation template → a design.

Resources become nodes (importers/resources.py); function events, subscriptions, rules, redrive policies,
destinations, dead-letter queues, DefinitionSubstitutions, policies, pipes, schedules and alarms become edges.
What the design cannot model (Parameters, Conditions, Mappings, Globals, Outputs, unknown resources, unmodelled
properties) is kept in `metadata["sam"]`, so re-exporting writes it back. A template this studio exported
carries its design in `Metadata`; if its resources are still what that design exports, the design is taken
as is (a lossless round trip).
"""
from __future__ import annotations

from design import DesignError, from_data, load_text
from design.documents import DocumentError
from design.model import Design
from importers import links
from importers.builder import Builder, target_of
from importers.cfn_yaml import parse_template
from importers.intrinsics import Resolver
from importers.resources import NODE_TYPES, as_json, node_props, number

STUDIO_KEY = "ServerlessPatternStudio"
_HEAD = ("AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters", "Mappings",
         "Conditions", "Rules", "Globals", "Hooks")
_STREAM_EVENTS = {"SQS": ("sqs_queue", "Queue", "event_source"),
                  "Kinesis": ("kinesis_stream", "Stream", "event_source"),
                  "DynamoDB": ("dynamodb_table", "Stream", "stream"), "SNS": ("sns_topic", "Topic", "subscription"),
                  "S3": ("s3_bucket", "Bucket", "notification")}
# SAM event properties the design models, per event type → edge prop (and how to read it).
_EVENT_PROPS = {"BatchSize": "batch_size", "MaximumBatchingWindowInSeconds": "batching_window_s",
                "BisectBatchOnFunctionError": "bisect_on_error", "MaximumRetryAttempts": "retry_attempts",
                "MaximumRecordAgeInSeconds": "max_event_age_s", "ParallelizationFactor": "parallelization_factor",
                "FilterPolicy": "filter_policy", "FilterPolicyScope": "filter_policy_scope"}
_MAPPINGS = ("Parameters", "Mappings", "Conditions", "Rules", "Globals", "Outputs", "Metadata", "Hooks")


def _kind(value) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


class ImportError_(ValueError):
    """A file that is not a template we can import; `problems` lists why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def import_template(text: str | bytes, name: str = "template", files: dict[str, str] | None = None) -> Design:
    """A design from a template's text; `files` are a SAM project's other files by path relative to the
    template (`statemachine/order.asl.json`), read for DefinitionUri."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass   # the reader below says so, in its own words
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = parse_template(text, name)
    except DocumentError as exc:
        raise ImportError_([str(exc)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict) or not data["Resources"]:
        raise ImportError_([f"{name}: not a CloudFormation or SAM template (no Resources section)"])
    bad = [f"{name}: Resources.{lid!r}: a logical id must be a string of letters and digits"
           for lid in data["Resources"] if not isinstance(lid, str)]
    bad += [f"{name}: {key}: must be a mapping, not {_kind(data[key])}" for key in _MAPPINGS
            if data.get(key) is not None and not isinstance(data[key], dict)]
    if bad:   # CloudFormation refuses these too; keeping them would only fail later, on export
        raise ImportError_(bad[:20])
    stored = _stored_design(data, name)
    if stored is not None:
        return stored
    try:
        doc = _build(data, files or {})
        doc["metadata"]["sam"]["original"] = {"text": text, "name": str(name), **(
            {"files": dict(sorted(files.items()))} if files else {})}
        return from_data(doc)
    except DesignError as exc:   # a bug here, not the user's: say what and where, never a traceback
        raise ImportError_([f"{name}: could not be turned into a valid design:"] + exc.problems[:20]) from None


def _stored_design(data: dict, name: str) -> Design | None:
    studio = (data.get("Metadata") or {}).get(STUDIO_KEY) if isinstance(data.get("Metadata"), dict) else None
    if not isinstance(studio, dict) or not isinstance(studio.get("design"), str):
        return None
    from exporters.sam.build import build_template, decode_design
    try:
        design = load_text(decode_design(studio["design"]), "yaml", name=f"{name} Metadata")
    except DesignError:
        return None
    try:
        rebuilt = build_template(design)
    except Exception:   # noqa: BLE001 - an unexportable stored design: fall back to reading the resources
        return None
    return design if rebuilt["Resources"] == data["Resources"] else None


def _type(resource: dict):
    """A resource's Type when it is a string (a list or mapping there is kept verbatim, never looked up)."""
    return resource.get("Type") if isinstance(resource.get("Type"), str) else None


def _build(data: dict, files: dict[str, str]) -> dict:
    resources = {k: v for k, v in data["Resources"].items() if isinstance(v, dict)}
    resolver = Resolver(data)
    b = Builder(resources, resolver)
    b.files = files
    globals_ = data.get("Globals") if isinstance(data.get("Globals"), dict) else {}
    if "Function" in globals_ and not isinstance(globals_["Function"], dict):
        b.note("Globals.Function is not a mapping: no function defaults read from it (kept as written)")
    for lid in data["Resources"]:
        if lid not in resources:
            b.note(f"Resources.{lid} is not a mapping: kept as written")
    regenerated = {}
    for lid, resource in resources.items():
        rtype = _type(resource)
        if rtype is None:
            b.note(f"Resources.{lid}.Type is not a string: the resource is kept as written")
        if rtype not in NODE_TYPES:
            continue
        ntype, regen = NODE_TYPES[rtype]
        raw = resource.get("Properties")
        readable = resolver.resolve(raw) if isinstance(raw, dict) else {}
        props, modelled = node_props(rtype, readable if isinstance(readable, dict) else {},
                                     resolver.resolve(globals_) or {})
        nid = b.add_node(lid, ntype, props)
        if regen and isinstance(raw, (dict, type(None))):
            regenerated[lid] = modelled
        else:   # Properties that are not a mapping: drawn as a node, the resource kept exactly as written
            b.keep_verbatim(lid, nid)
            if not isinstance(raw, (dict, type(None))):
                b.note(f"Resources.{lid}.Properties is not a mapping: the resource is kept as written")
    for lid, resource in resources.items():
        rtype, props = _type(resource), resource.get("Properties") or {}
        if not isinstance(props, dict):
            props = {}
        if rtype == "AWS::Serverless::Function" and lid in regenerated:
            _function_events(b, lid, props, regenerated[lid])
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            links.function_links(b, lid, props)
        elif rtype == "AWS::SQS::Queue":
            links.redrive(b, lid, props, regenerated.get(lid, set()))
        elif rtype == "AWS::SNS::Subscription":
            links.subscription(b, lid, props)
        elif rtype == "AWS::Events::Rule":
            links.rule(b, lid, props)
        elif rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            links.state_machine(b, lid, props)
            if rtype == "AWS::Serverless::StateMachine":
                _state_machine_events(b, lid, props)
        elif rtype == "AWS::Lambda::EventSourceMapping":
            src = b.node_for(props.get("EventSourceArn"))
            dst = b.node_for(props.get("FunctionName"), "lambda")
            b.add_edge(src, dst, "event_source", {"batch_size": number(props.get("BatchSize"))})
            b.keep_resource(lid)
        elif rtype in NODE_TYPES:
            links.other_links(b, lid, rtype, props)
        else:
            b.keep_resource(lid)
    for lid, modelled in regenerated.items():
        b.keep_rest(lid, modelled)
    head = {k: data[k] for k in _HEAD if k in data and data[k] is not None}
    if isinstance(head.get("Metadata"), dict) and STUDIO_KEY in head["Metadata"]:
        head["Metadata"] = {k: v for k, v in head["Metadata"].items() if k != STUDIO_KEY} or None
        if head["Metadata"] is None:
            del head["Metadata"]
    description = data.get("Description") if isinstance(data.get("Description"), str) else ""
    name = " ".join(description.split())[:80] or "Imported template"
    until = _until_every_schedule_fired(b)   # before the document: its note goes in with the others
    doc = b.document(name, description, head, data.get("Outputs"))
    if until is not None:
        doc["scenario"] = {"until_s": until}
    return doc


_SCHEDULE_HORIZON_S = 8 * 86_400    # a weekly cron fires within 8 days of simulated time 0
_AFTER_FIRE_S = 300                 # time for the target to work after the last first fire


def _until_every_schedule_fired(b: Builder) -> float | None:
    """The run length (until_s) for the design's scenario when a schedule first fires after the default hour (a
    daily cron at 14:24): long enough for each schedule to fire once (its first time, plus 5 minutes for the
    target), at most 8 days; None when the default hour already holds every first fire. Noted."""
    from design.scenario import DEFAULT_UNTIL_S
    from simulator.services.schedules import fire_times
    firsts = {}
    for node in b.nodes:
        expression = (node.get("props") or {}).get("expression")
        if node["type"] == "schedule" and isinstance(expression, str):
            times, _problem = fire_times(expression, _SCHEDULE_HORIZON_S)
            if times:
                firsts[node["id"]] = times[0]
    late = {nid: t for nid, t in firsts.items() if t + _AFTER_FIRE_S > DEFAULT_UNTIL_S}
    if not late:
        return None
    until = max(firsts.values()) + _AFTER_FIRE_S
    b.note("The design's scenario runs for " + f"{until:,.0f} s so that every schedule fires once (first at "
           + ", ".join(f"{nid} {t:,.0f} s" for nid, t in sorted(late.items())) + "; simulated time 0 is "
           "2026-01-01T00:00:00Z)")
    return until


def _state_machine_events(b: Builder, lid: str, props: dict) -> None:
    """A state machine's ScheduleV2 events (the rest of its Events are kept as written, not drawn)."""
    events = props.get("Events") if isinstance(props.get("Events"), dict) else {}
    for name, event in events.items():
        if isinstance(event, dict) and event.get("Type") == "ScheduleV2" and isinstance(event.get("Properties"), dict):
            schedule_event(b, b.node_of[lid], name, event["Properties"])


def _function_events(b: Builder, lid: str, props: dict, modelled: set) -> None:
    """SQS, Kinesis, DynamoDB, SNS and S3 events from resources of this template become regenerated edges;
    every other event is kept as written (and drawn when its source is a node)."""
    events = props.get("Events") if isinstance(props.get("Events"), dict) else {}
    fn = b.node_of[lid]
    kept_events = {}
    for name, event in events.items():
        etype = event.get("Type") if isinstance(event, dict) and isinstance(event.get("Type"), str) else None
        eprops = event.get("Properties") if isinstance(event, dict) and isinstance(event.get("Properties"), dict) \
            else {}
        if etype in _STREAM_EVENTS:
            ntype, field, kind = _STREAM_EVENTS[etype]
            src = b.node_for(eprops.get(field), ntype)
            if src and b.node_of.get(target_of(eprops.get(field))) == src and src not in b.kept["verbatim"]:
                edge_props, rest = _event_props(b, eprops, field)
                key = b.add_edge(src, fn, kind, edge_props, passive=False)
                if key:
                    b.kept["events"][key] = [lid, name, rest]
                    continue
        kept_events[name] = event
        _draw_event(b, fn, etype, eprops, name)
    modelled.add("Events")
    if kept_events:
        props_copy = dict(props)
        props_copy["Events"] = kept_events
        b.resources[lid] = {**b.resources[lid], "Properties": props_copy}
        modelled.discard("Events")


def _event_props(b: Builder, eprops: dict, field: str) -> tuple[dict, dict]:
    edge, rest = {}, {}
    for key, written in eprops.items():
        if key == field:
            continue
        value = b.resolve(written) if key in _EVENT_PROPS else written
        if key == "FilterPolicy":
            value = as_json(value)
        if key in _EVENT_PROPS and (number(value) is not None or isinstance(value, (bool, dict, str))):
            edge[_EVENT_PROPS[key]] = value
        elif key == "FunctionResponseTypes" and value == ["ReportBatchItemFailures"]:
            edge["report_batch_item_failures"] = True
        elif key == "ScalingConfig" and isinstance(value, dict) and set(value) == {"MaximumConcurrency"} \
                and number(value["MaximumConcurrency"]) is not None:
            edge["maximum_concurrency"] = value["MaximumConcurrency"]
        else:
            rest[key] = written
    if edge.get("filter_policy") is not None and not isinstance(edge["filter_policy"], dict):
        rest["FilterPolicy"] = edge.pop("filter_policy")
    return edge, rest


def _draw_event(b: Builder, fn: str, etype, eprops: dict, name: str = "") -> None:
    if etype in ("Api", "HttpApi"):
        api_ref = eprops.get("RestApiId" if etype == "Api" else "ApiId")
        api = b.node_for(api_ref, "api_gateway") if api_ref else \
            b.implicit_node("ServerlessRestApi" if etype == "Api" else "ServerlessHttpApi", "api_gateway",
                            "implicit_api")
        b.add_edge(api, fn, "sync", {"route": eprops.get("Path") if isinstance(eprops.get("Path"), str) else None})
    elif etype in ("EventBridgeRule", "CloudWatchEvent"):
        bus = b.node_for(eprops.get("EventBusName"), "event_bus") if eprops.get("EventBusName") not in (
            None, "default") else b.implicit_node("default", "event_bus", "default_bus")
        pattern = as_json(b.resolve(eprops.get("Pattern")))
        b.add_edge(bus, fn, "rule_target", {"pattern": pattern if isinstance(pattern, dict) else None})
    elif etype in _STREAM_EVENTS:
        ntype, field, kind = _STREAM_EVENTS[etype]
        b.add_edge(b.node_for(eprops.get(field), ntype), fn, kind)
    elif etype == "ScheduleV2":
        schedule_event(b, fn, name, eprops)


def schedule_event(b: Builder, target: str, name: str, eprops: dict) -> None:
    """A SAM `ScheduleV2` event on a function or state machine: SAM makes an AWS::Scheduler::Schedule for it
    (sam-property-function-schedulev2.html), named after the resource and the event. Drawn as a schedule node
    of its own (implicit: the event stays in the template as written, so an edit of that node is not exported)
    that fires into its target, so a run shows it."""
    lid = b.kept["logical_ids"].get(target, target)
    expression = b.resolve(eprops.get("ScheduleExpression"))
    nid = b.implicit_node(f"{lid}{name}", "schedule", "sam_schedule_event")
    if isinstance(expression, str):
        node = next(n for n in b.nodes if n["id"] == nid)
        node.setdefault("props", {})["expression"] = expression
    b.add_edge(nid, target, "schedule_target")
    b.note(f"Resources.{lid}.Events.{name} (ScheduleV2) is drawn as the schedule {nid} and kept as written: edit "
           "it in the template")
