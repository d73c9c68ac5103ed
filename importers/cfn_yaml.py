"""Reading CloudFormation templates safely: YAML short-form tags (`!Ref`, `!GetAtt`, `!Sub`, `!If`, ...) become
their long form (`{"Ref": x}`, `{"Fn::GetAtt": [a, b]}`), and nothing is ever constructed but plain data.

The loader is a SafeLoader subclass that knows the CloudFormation tags; any other tag (`!!python/object`, a
custom `!Foo`) is refused. The guards of design/documents.py apply: the 10 MiB cap, the alias-bomb expansion
count, the nesting depth, UTF-8 only. Dates stay strings (`AWSTemplateFormatVersion: 2010-09-09`).
"""
from __future__ import annotations

import yaml

from design import documents
from design.documents import DocumentError

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
    """Plain data from a template's YAML or JSON text; DocumentError (one line) when it cannot be read."""
    if isinstance(text, bytes):
        if len(text) > documents.MAX_BYTES:
            raise DocumentError(f"{name}: {len(text) / 1048576:.1f} MiB; the limit is 10 MiB")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DocumentError(f"{name}: not UTF-8 text") from None
    if len(text.encode("utf-8", "surrogatepass")) > documents.MAX_BYTES:
        raise DocumentError(f"{name}: over 10 MiB; the limit is 10 MiB")
    if text.lstrip().startswith("{"):
        return documents.parse(text, "json", name=name)
    loader = TemplateLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        documents._check_expansion(node, name)   # alias bombs and depth, before anything is built
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        problem = " ".join(str(getattr(exc, "problem", "") or exc).split())[:200]
        raise DocumentError(f"{name}: refused YAML tag ({problem}); only CloudFormation's tags are accepted") \
            from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise DocumentError(f"{name}: invalid YAML{where}: {' '.join(str(exc.problem or exc).split())[:200]}") \
            from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{name}: invalid YAML: {' '.join(str(exc).split())[:200]}") from None
    except RecursionError:
        raise DocumentError(f"{name}: nested too deeply (limit {documents.MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
