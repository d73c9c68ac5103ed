"""The state of one export: logical ids, the resources built so far, and how to refer to each node.

How CloudFormation names each service type's ARN, name and URL is the registry's `refs`; `grant`
is the one table of least-privilege permissions a connection needs (SAM policy templates where one
fits, a plain IAM statement otherwise).
"""
from __future__ import annotations

from design.adapters import Adapters
from design.model import Design, Node
from design.registry import BY_NAME, TYPES
from exporters.cfn_yaml import get_att, ref, sub
from exporters.sam.ids import LogicalIds

RUNTIME = "python3.13"        # cfn-lint 1.58 accepts it without deprecation warnings
ARCHITECTURE = "arm64"
EXAMPLE_ENDPOINT = "https://{}.example.com"   # an origin: AppSync HTTP data sources accept no path

# type → (ARN, name, URL-or-id): "Ref" or a GetAtt attribute; None where the type has none (the registry's refs).
REFS = {t.name: t.refs for t in TYPES if t.sam_type}
SAM_EXPANDED = tuple(t.name for t in TYPES if t.sam_expanded)
# The builder of each AWS resource type: `@sam_builder("sqs_queue", phase=...)` where it is defined.
# Phases, in the order build_template runs them: before_wiring (edges add to these resources), after_wiring
# (these read the wiring), workflows (state machines), functions (last: they collect every grant).
PHASES = ("before_wiring", "after_wiring", "workflows", "functions")
SAM_BUILDERS = Adapters("SAM builder", needed=lambda spec: spec.sam_type is not None)


def sam_builder(type_name: str, phase: str):
    if phase not in PHASES:
        raise ValueError(f"SAM builder for {type_name!r}: phase {phase!r} is not one of {', '.join(PHASES)}")
    return SAM_BUILDERS.register(type_name, phase=phase)


class Context:
    def __init__(self, design: Design, kept: dict | None = None):
        self.design = design
        self.nodes: dict[str, Node] = design.node_map()
        self.kept = kept or {}
        fixed = {nid: k.get("logical_id") for nid, k in (self.kept.get("nodes") or {}).items()
                 if isinstance(k, dict) and isinstance(k.get("logical_id"), str)}
        fixed.update({nid: lid for nid, lid in (self.kept.get("logical_ids") or {}).items()
                      if isinstance(nid, str) and isinstance(lid, str)})   # what importers/builder.py keeps
        self.ids = LogicalIds([n.id for n in design.nodes], fixed,
                              {n.id for n in design.nodes if n.type in SAM_EXPANDED})
        self.ids.reserve((self.kept.get("resources") or {}).keys())
        self.ids.reserve(v for v in (self.kept.get("edge_ids") or {}).values() if isinstance(v, str))
        for section in ("Parameters", "Conditions", "Mappings"):
            self.ids.reserve(((self.kept.get("template") or {}).get(section) or {}).keys())
        self.parameters: dict = {}
        self.resources: dict = {}
        self.outputs: dict = {}
        self.notes: list[str] = []
        self.policies: dict[str, list] = {}      # function / state machine id → SAM Policies entries
        self.env: dict[str, dict] = {}           # function id → environment variables
        self.events: dict[str, dict] = {}        # function id → SAM Events
        self.queue_statements: dict[str, list] = {}
        self.topic_statements: dict[str, list] = {}
        self.depends: dict[str, list] = {}       # logical id → DependsOn additions
        self.endpoints: dict[str, dict] = {}     # external node id → endpoint parameter Ref
        self.destinations: dict[str, str] = {}  # external node id → API destination logical id
        self.edge_events: dict[str, tuple] = {}  # edge key → (function id, SAM event name)
        self.edge_resources: dict[str, str] = {} # edge key → logical id of the resource it became
        self.policy_ids: dict[str, str] = {}
        self.defaults: dict[str, set] = {}       # logical id → properties that are only our defaults
        self.rest_apis: set[str] = set()         # HTTP-kind APIs written as REST (integrations HTTP APIs lack)
        self.memo: dict[str, dict] = {}          # per-export answers asked once per node, not once per edge
        self.idempotency_id = self.new_id("IdempotencyTable") if any(
            n.type == "lambda" and n.prop("idempotent") for n in design.nodes) else ""

    # --- naming -------------------------------------------------------------------------------
    def lid(self, node_id: str) -> str:
        return self.ids.by_node[node_id]

    def new_id(self, base: str) -> str:
        return self.ids.new(base)

    def type_of(self, node_id: str) -> str:
        return self.nodes[node_id].type

    def implicit(self, node_id: str) -> str | None:
        """'default_bus' or 'implicit_api' for nodes an imported template never declared as resources."""
        return (self.kept.get("implicit") or {}).get(node_id)

    def ref(self, node_id: str):
        """`!Ref` of a node's resource (what SAM policy templates and most properties take)."""
        if self.implicit(node_id) == "default_bus":
            return "default"
        return ref(self.lid(node_id)) if not self.implicit(node_id) else ref("ServerlessRestApi")

    def _attr(self, node_id: str, which: int):
        if self.implicit(node_id) == "default_bus":
            return sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default") \
                if which == 0 else "default"
        if self.implicit(node_id) == "implicit_api":
            return ref("ServerlessRestApi")
        spec = REFS[self.type_of(node_id)][which]
        if spec is None:
            raise KeyError(f"{self.type_of(node_id)} has no such attribute")
        lid = self.lid(node_id)
        return ref(lid) if spec == "Ref" else get_att(lid, spec)

    def arn(self, node_id: str):
        if self.type_of(node_id) == "s3_bucket" and self.bucket_name(node_id):
            return sub("arn:${AWS::Partition}:s3:::" + self.bucket_name(node_id))
        return self._attr(node_id, 0)

    def name(self, node_id: str):
        if self.type_of(node_id) == "s3_bucket" and self.bucket_name(node_id):
            return sub(self.bucket_name(node_id))
        return self._attr(node_id, 1)

    def url(self, node_id: str):
        return self._attr(node_id, 2)

    def bucket_name(self, node_id: str) -> str | None:
        """Buckets that notify get a fixed name, so policies can name them without a circular reference."""
        if node_id in (self.kept.get("logical_ids") or {}):
            return None   # an imported bucket keeps whatever name it had
        if any(self.design.kind_of(e) == "notification" for e in self.design.out_edges(node_id)):
            stem = "".join(c if c.isalnum() else "-" for c in node_id.lower()).strip("-")[:30] or "bucket"
            return f"{stem}-${{AWS::AccountId}}-${{AWS::Region}}"
        return None

    def endpoint(self, node_id: str):
        """An external system's URL: a template parameter with an example default."""
        if node_id not in self.endpoints:
            pid = self.new_id(self.lid(node_id) + "Endpoint")
            host = node_id.replace("_", "-").lower()
            self.parameters[pid] = {"Type": "String", "Default": EXAMPLE_ENDPOINT.format(host),
                                    "Description": f"HTTPS endpoint of {self.nodes[node_id].title}",
                                    "AllowedPattern": "^https?://.+"}
            self.endpoints[node_id] = ref(pid)
        return self.endpoints[node_id]

    def edge_lid(self, edge, base: str) -> str:
        """The logical id of the resource an edge becomes: the imported template's, else a new one."""
        kept = (self.kept.get("edge_ids") or {}).get(edge.key)
        if isinstance(kept, str) and kept not in self.resources:
            return kept
        return self.new_id(base)

    def policy_id(self, node_id: str) -> str:
        """The logical id of a queue's or topic's resource policy (named on first use)."""
        if node_id not in self.policy_ids:
            self.policy_ids[node_id] = self.new_id(self.lid(node_id) + "Policy")
        return self.policy_ids[node_id]

    # --- building -----------------------------------------------------------------------------
    def add(self, logical_id: str, rtype: str, props: dict | None = None, **attrs) -> dict:
        resource = {"Type": rtype}
        resource.update(attrs)
        if props is not None:
            resource["Properties"] = props
        self.resources[logical_id] = resource
        return resource

    def grant(self, principal: str, target: str, kind: str = "publish") -> None:
        """Least privilege for `principal` (a function or state machine) to reach `target`."""
        entry = policy_for(self, target, kind)
        if entry is not None and entry not in self.policies.setdefault(principal, []):
            self.policies[principal].append(entry)

    def allow_service(self, target: str, service: str, action: str, source_arn) -> None:
        """A resource policy statement letting an AWS service send to a queue or topic."""
        statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": action,
                     "Resource": self.arn(target) if self.type_of(target) == "sqs_queue" else self.ref(target),
                     "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}
        book = self.queue_statements if self.type_of(target) == "sqs_queue" else self.topic_statements
        if statement not in book.setdefault(target, []):
            book[target].append(statement)

    def service_role(self, base: str, service: str, statements: list) -> str:
        """An IAM role a service (events, scheduler, pipes, firehose, ...) assumes, with inline statements."""
        lid = self.new_id(base)
        self.add(lid, "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements}}]})
        return lid


def statement(actions, resource) -> dict:
    return {"Effect": "Allow", "Action": actions if len(actions) > 1 else actions[0], "Resource": resource}


def send_actions(ctx: Context, target: str) -> list[str]:
    """What a service needs to deliver to `target` (EventBridge, Scheduler, Pipes, API Gateway roles)."""
    actions = BY_NAME[ctx.type_of(target)].send_actions
    if not actions:
        raise KeyError(f"nothing can deliver to a {ctx.type_of(target)}: the registry gives no send_actions")
    return list(actions)


def resource_arns(ctx: Context, target: str):
    t = ctx.type_of(target)
    if t == "s3_bucket":
        return sub(f"${{{ctx.lid(target)}.Arn}}/*") if not ctx.bucket_name(target) else \
            sub("arn:${AWS::Partition}:s3:::" + ctx.bucket_name(target) + "/*")
    if t == "api_gateway":
        return sub(f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{ctx.lid(target)}}}/*")
    if t == "appsync_api":
        return sub(f"${{{ctx.lid(target)}.Arn}}/*")
    return ctx.arn(target)


def policy_for(ctx: Context, target: str, kind: str):
    """A SAM policy template (or a plain statement) for a function or state machine reaching `target`."""
    spec = BY_NAME[ctx.type_of(target)]
    if spec.sam_type is None:   # an external system: no AWS permission reaches it
        return None
    if spec.sam_policy is not None:
        template, parameter, getter = spec.sam_policy
        return {template: {parameter: ctx.ref(target) if getter == "ref" else ctx.name(target)}}
    return {"Version": "2012-10-17", "Statement": [statement(send_actions(ctx, target), resource_arns(ctx, target))]}
