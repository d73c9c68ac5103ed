"""CloudFormation YAML out: intrinsic functions written as short tags (`!Ref`, `!GetAtt`, `!Sub`, ...).

Exporters build templates from plain dicts, lists and the helpers `ref`, `get_att`, `sub`; intrinsics
read from an imported template arrive as one-key dicts (`{"Ref": x}`, `{"Fn::GetAtt": [a, b]}`) and are
written back the same way. Only canonical shapes become short tags, so text → data → text is lossless.
Output is deterministic: keys keep insertion order, no anchors or aliases.
"""
from __future__ import annotations

import yaml

# Long form → short tag. `Fn::GetAtt` and `Ref` have their own rules below.
SHORT_TAGS = {"Fn::Sub": "!Sub", "Fn::Join": "!Join", "Fn::If": "!If", "Fn::Equals": "!Equals",
              "Fn::Not": "!Not", "Fn::And": "!And", "Fn::Or": "!Or", "Fn::Select": "!Select",
              "Fn::Split": "!Split", "Fn::FindInMap": "!FindInMap", "Fn::GetAZs": "!GetAZs",
              "Fn::ImportValue": "!ImportValue", "Fn::Base64": "!Base64", "Fn::Cidr": "!Cidr",
              "Fn::ToJsonString": "!ToJsonString", "Fn::Length": "!Length", "Condition": "!Condition"}


def ref(logical_id: str) -> dict:
    return {"Ref": logical_id}


def get_att(logical_id: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [logical_id, attribute]}


def sub(text: str, variables: dict | None = None) -> dict:
    return {"Fn::Sub": [text, variables] if variables else text}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):   # never write anchors: every value is spelled out
        return True

    def choose_scalar_style(self):
        """`!Ref Orders`, not `!Ref 'Orders'`: PyYAML quotes every explicitly tagged scalar unless told."""
        style = super().choose_scalar_style()
        event = self.event
        if style == "'" and not event.style and event.tag and event.tag.startswith("!"):
            analysis = self.analysis or self.analyze_scalar(event.value)
            plain_ok = analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain
            if plain_ok and not analysis.empty and not analysis.multiline:
                return ""
        return style


def _scalar_or_seq(dumper, tag: str, value):
    if isinstance(value, str):
        return dumper.represent_scalar(tag, value)
    if isinstance(value, list):
        return dumper.represent_sequence(tag, value, flow_style=_flow(value))
    return dumper.represent_mapping(tag, value)


def _flow(value) -> bool:
    """Short lists of short plain scalars read best inline: `!If [IsProd, a, b]`."""
    return len(value) <= 4 and all(isinstance(v, (int, float, bool)) or
                                   (isinstance(v, str) and len(v) < 40 and "\n" not in v) for v in value)


def _represent_dict(dumper, data: dict):
    if len(data) == 1:
        (key, value), = data.items()
        if key == "Ref" and isinstance(value, str):
            return dumper.represent_scalar("!Ref", value)
        if key == "Fn::GetAtt" and isinstance(value, list) and len(value) == 2 and \
                all(isinstance(v, str) for v in value) and "." not in value[0]:
            return dumper.represent_scalar("!GetAtt", f"{value[0]}.{value[1]}")
        if key in SHORT_TAGS and isinstance(value, (str, list)) and not (key == "Condition" and not
                                                                        isinstance(value, str)):
            return _scalar_or_seq(dumper, SHORT_TAGS[key], value)
    return dumper.represent_dict(data)


def _represent_str(dumper, data: str):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_str(data)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def dump(template: dict) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=110)
