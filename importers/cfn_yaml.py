"""Reading CloudFormation templates safely: YAML short-form tags (`!Ref`, `!GetAtt`, `!Sub`, `!If`, ...) become
their long form (`{"Ref": x}`, `{"Fn::GetAtt": [a, b]}`), and nothing is ever constructed but plain data.

The loader is a SafeLoader subclass that knows the CloudFormation tags; any other tag (`!!python/object`, a
custom `!Foo`) is refused. The guards of design/documents.py apply: the 10 MiB cap, the alias-bomb expansion
count, the nesting depth, UTF-8 only. Dates stay strings (`AWSTemplateFormatVersion: 2010-09-09`).
"""
from __future__ import annotations

import yaml

from design import documents

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FUNCTIONS = ("And", "Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "If", "ImportValue", "Join", "Length",
              "Not", "Or", "Select", "Split", "Sub", "ToJsonString", "Transform", "ForEach")


class TemplateLoader(_Base):
    """SafeLoader + CloudFormation's short-form tags, each turned into its long-form one-key mapping."""


def _value(loader, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _long_form(key: str):
    def construct(loader, node):
        return {key: _value(loader, node)}
    return construct


def _get_att(loader, node):
    value = _value(loader, node)
    if isinstance(value, str):          # `!GetAtt Queue.Arn` → ["Queue", "Arn"] (split at the first dot)
        resource, _dot, attribute = value.partition(".")
        value = [resource, attribute]
    return {"Fn::GetAtt": value}


def _plain_string(loader, node):   # timestamps and dates stay as written
    return loader.construct_scalar(node)


TemplateLoader.add_constructor("!Ref", _long_form("Ref"))
TemplateLoader.add_constructor("!Condition", _long_form("Condition"))
TemplateLoader.add_constructor("!GetAtt", _get_att)
for _name in _FUNCTIONS:
    TemplateLoader.add_constructor(f"!{_name}", _long_form(f"Fn::{_name}"))
TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _plain_string)


def parse_template(text: str | bytes, name: str = "template"):
    """Plain data from a template's YAML or JSON text; DocumentError (one line) when it cannot be read.
    The shared reader's guards (size, depth, alias bombs) apply; only the loader and its tags differ."""
    return documents.parse(text, name=name, loader=TemplateLoader, accepted="only CloudFormation's tags are accepted",
                           encoding="utf-8-sig", json_prefixes=("{",))
