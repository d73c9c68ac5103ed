"""A state machine's Amazon States Language document, as embedded in the SAM template, with every `${node}`
placeholder replaced by an example value of the right shape (an ARN, a queue URL, a name), so the result is
a complete definition that statelint or the Step Functions console accepts as is."""
from __future__ import annotations

import json
import re

from design.model import Design
from design.registry import TYPES

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_-]{0,63})\}")
# What `${node}` stands for in a definition, by node type (the SAM template substitutes the real value): the
# registry's arn_example; other types show the bare name.
EXAMPLES = {t.name: t.arn_example for t in TYPES if t.arn_example}


class AslError(ValueError):
    pass


def definition(design: Design, node_id: str, region: str = "us-east-1", account: str = "123456789012") -> dict:
    """The definition of state machine `node_id` with placeholders substituted."""
    from exporters.sam.build import build_template
    try:
        node = design.node(node_id)
    except KeyError:
        machines = [n.id for n in design.nodes if n.type == "state_machine"]
        raise AslError(f"no node {node_id!r}; state machines in this design: {', '.join(machines) or 'none'}") \
            from None
    if node.type != "state_machine":
        raise AslError(f"{node_id} is a {node.type}, not a state machine")
    template = build_template(design)
    lid = next(lid for lid, r in template["Resources"].items()
               if r.get("Type") == "AWS::Serverless::StateMachine" and lid == _lid(template, design, node_id))
    raw = template["Resources"][lid]["Properties"]["Definition"]
    nodes = design.node_map()

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in nodes:
            return match.group(0)
        pattern = EXAMPLES.get(nodes[name].type, "{name}")
        return pattern.format(region=region, account=account, name=name.replace("_", "-"))
    return _map_strings(raw, lambda s: _PLACEHOLDER.sub(value, s))


def _lid(template: dict, design: Design, node_id: str) -> str:
    from exporters.sam.context import Context
    return Context(design, design.metadata.get("sam") if isinstance(design.metadata.get("sam"), dict) else {}) \
        .lid(node_id)


def _map_strings(value, fn):
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return fn(value) if isinstance(value, str) else value


def asl_text(design: Design, node_id: str, **kwargs) -> str:
    return json.dumps(definition(design, node_id, **kwargs), indent=2, ensure_ascii=False) + "\n"
