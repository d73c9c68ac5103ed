"""A design → a SAM template (a dict), resource by resource; `template_text` writes it as YAML."""
from __future__ import annotations

from design.loader import to_yaml
from design.model import Design
from design.registry import TYPES
from exporters import cfn_yaml
from exporters.sam import apis, compute, kept, pipes, routing, storage  # noqa: F401  (apis, pipes: builders)
from exporters.sam.context import SAM_BUILDERS, Context
from exporters.sam.cycles import break_cycles
from exporters.sam.indexed import IndexedDesign

METADATA_KEY = "ServerlessPatternStudio"
FORMAT_VERSION = 1
TRANSFORM = "AWS::Serverless-2016-10-31"

SAM_BUILDERS.check()   # every AWS resource type in the registry has a builder (apis, compute, pipes, storage)
# Entry points (a client or outside system sends to them): (output suffix, value getter, description).
ENTRY_OUTPUTS = {t.name: t.entry_output for t in TYPES if t.entry_output}


def build_template(design) -> dict:
    saved = design.metadata.get("sam") if isinstance(design.metadata.get("sam"), dict) else {}
    full = design
    if saved.get("passive"):   # edges an imported template implements in resources kept as they were
        passive = set(saved["passive"])
        design = Design(name=design.name, nodes=design.nodes, edges=[e for e in design.edges if e.key not in passive],
                        description=design.description, scenario=design.scenario, metadata=design.metadata)
    design = IndexedDesign.of(design)   # O(1) lookups: export stays near-linear in the design's size
    ctx = Context(design, saved)
    for edge in design.edges:   # API Gateway as an EventBridge or Pipes target must be a REST API
        if ctx.type_of(edge.target) == "api_gateway" and design.kind_of(edge) in ("rule_target", "pipe_target",
                                                                                  "enrichment"):
            ctx.rest_apis.add(ctx.lid(edge.target))
    compute.idempotency_table(ctx)
    implicit = {n.id for n in design.nodes if ctx.implicit(n.id)} | set(saved.get("verbatim") or [])
    _build_phase(ctx, "before_wiring", implicit)
    routing.wire(ctx)
    _build_phase(ctx, "after_wiring", implicit)
    if not saved:
        storage.dlq_alarms(ctx)
    compute.callback_grants(ctx)
    _build_phase(ctx, "workflows", implicit)
    _build_phase(ctx, "functions", implicit)
    _resource_policies(ctx, saved)
    _entry_outputs(ctx)
    break_cycles(ctx)
    return _assemble(ctx, full, saved)


def _build_phase(ctx: Context, phase: str, implicit: set) -> None:
    """Each node whose type's builder runs in `phase`, in the design's order (the template's order)."""
    for node in ctx.design.nodes:
        builder = SAM_BUILDERS.get(node.type)
        if builder is not None and node.id not in implicit and SAM_BUILDERS.options_of(node.type)["phase"] == phase:
            builder(ctx, node)


def _resource_policies(ctx: Context, saved: dict) -> None:
    existing = set()
    for resource in (saved.get("resources") or {}).values():   # policies the imported template already has
        props = resource.get("Properties") if isinstance(resource, dict) else None
        if isinstance(props, dict):   # a resource kept verbatim may hold anything there
            for key in ("Queues", "Topics"):
                existing.update(str(ref) for ref in props.get(key) or [] if isinstance(props.get(key), list))
    for book, rtype, key in ((ctx.queue_statements, "AWS::SQS::QueuePolicy", "Queues"),
                             (ctx.topic_statements, "AWS::SNS::TopicPolicy", "Topics")):
        for node_id, statements in book.items():
            target = ctx.ref(node_id)
            if str(target) in existing and node_id not in ctx.policy_ids:
                continue
            ctx.add(ctx.policy_id(node_id), rtype, {key: [target], "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements}})


def _entry_outputs(ctx: Context) -> None:
    design = ctx.design
    for node in design.nodes:
        if node.type not in ENTRY_OUTPUTS or ctx.implicit(node.id):
            continue
        callers = [e.source for e in design.in_edges(node.id) if ctx.type_of(e.source) in ("client", "external")]
        if not callers:
            continue
        suffix, getter, what = ENTRY_OUTPUTS[node.type]
        value = getattr(ctx, getter)(node.id)
        ctx.outputs[ctx.lid(node.id) + suffix] = {"Description": f"{node.title}: {what}"[:1024], "Value": value}


def _assemble(ctx: Context, design, saved: dict) -> dict:
    head = dict(saved.get("template") or {})
    template: dict = {"AWSTemplateFormatVersion": head.pop("AWSTemplateFormatVersion", "2010-09-09"),
                      "Transform": head.pop("Transform", TRANSFORM)}
    description = head.pop("Description", None) or (design.description or design.name)
    template["Description"] = " ".join(str(description).split())[:1024]
    metadata = dict(head.pop("Metadata", None) or {})
    # The design as YAML text (Metadata allows no floats or nulls; text round-trips exactly), with every `${`
    # written `${!` (CloudFormation's literal form) so no linter mistakes it for a substitution.
    studio: dict = {"version": FORMAT_VERSION, "design": encode_design(to_yaml(design))}
    if ctx.notes:
        studio["notes"] = list(dict.fromkeys(ctx.notes))
    metadata[METADATA_KEY] = studio
    template["Metadata"] = metadata
    parameters = dict(head.pop("Parameters", None) or {})
    parameters.update(ctx.parameters)
    if parameters:
        template["Parameters"] = parameters
    for section in ("Mappings", "Conditions", "Rules", "Globals"):
        if head.get(section):
            template[section] = head.pop(section)
    for section, value in head.items():
        if value is not None:
            template[section] = value
    template["Resources"] = ctx.resources
    kept.apply(template, saved, ctx.defaults)
    if saved and "Transform" not in (saved.get("template") or {}) and not any(
            str(r.get("Type", "")).startswith("AWS::Serverless::") for r in ctx.resources.values()):
        del template["Transform"]   # a plain CloudFormation template stays plain
    outputs = dict(ctx.outputs)
    outputs.update(saved.get("outputs") or {})
    if outputs:
        template["Outputs"] = outputs
    return template


def encode_design(text: str) -> str:
    return text.replace("${", "${!")


def decode_design(text: str) -> str:
    """Inverse of encode_design: each `${` there was followed by the one `!` it added."""
    return text.replace("${!", "${")


def template_text(design) -> str:
    return cfn_yaml.dump(build_template(design))
