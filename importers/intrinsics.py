"""Intrinsic functions resolved for the simulator; the template itself keeps them verbatim.

`Resolver(template).resolve(value)` evaluates `Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::If`, `Fn::Select`, `Fn::Join`,
`Fn::FindInMap`, `Fn::Split`, `Fn::Equals`/`And`/`Or`/`Not` and `Condition` as far as the template says:
Parameters give their `Default` (else a placeholder), pseudo parameters get placeholder values (PSEUDO), a
resource's `Ref` is its physical name when its Properties give one (`QueueName`, `TopicName`, `Name`, ...),
else its logical id; `GetAtt X.Arn` is a placeholder ARN built from that name. A condition that cannot be decided
is taken as true. What stays unknown is left as it was (the caller decides whether an unresolved value is usable).
Only data in, data out: nothing is executed, and recursion is bounded.
"""
from __future__ import annotations

import re

PSEUDO = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
          "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "imported-stack",
          "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/imported-stack/0",
          "AWS::NotificationARNs": []}
NO_VALUE = object()   # AWS::NoValue: the key or item disappears
_NAME_PROPS = ("QueueName", "TopicName", "Name", "FunctionName", "TableName", "BucketName", "StreamName",
               "StateMachineName", "DeliveryStreamName", "AlarmName")
_SERVICE = {"AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns", "AWS::Events::EventBus": "events",
            "AWS::Events::Rule": "events", "AWS::DynamoDB::Table": "dynamodb", "AWS::Serverless::SimpleTable": "dynamodb",
            "AWS::S3::Bucket": "s3", "AWS::Kinesis::Stream": "kinesis", "AWS::Serverless::Function": "lambda",
            "AWS::Lambda::Function": "lambda", "AWS::Serverless::StateMachine": "states",
            "AWS::StepFunctions::StateMachine": "states", "AWS::KinesisFirehose::DeliveryStream": "firehose"}
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")
_MAX_DEPTH = 60


class Unresolved(Exception):
    pass


class Resolver:
    def __init__(self, template: dict):
        self.template = template if isinstance(template, dict) else {}
        self.parameters = self._section("Parameters")
        self.resources = self._section("Resources")
        self.mappings = self._section("Mappings")
        self.conditions = self._section("Conditions")
        self._deciding: set[str] = set()

    def _section(self, key: str) -> dict:
        value = self.template.get(key)
        return value if isinstance(value, dict) else {}

    # --- public -----------------------------------------------------------------------------------
    def resolve(self, value, default=None):
        """`value` with every intrinsic it holds evaluated; `default` when that is impossible."""
        try:
            out = self._eval(value, 0)
        except (Unresolved, RecursionError, TypeError, ValueError, IndexError, KeyError):
            return default
        return default if out is NO_VALUE else out

    def has_intrinsic(self, value, depth: int = 0) -> bool:
        if depth > _MAX_DEPTH:
            return False
        if isinstance(value, dict):
            if len(value) == 1 and _is_function(next(iter(value))):
                return True
            return any(self.has_intrinsic(v, depth + 1) for v in value.values())
        if isinstance(value, list):
            return any(self.has_intrinsic(v, depth + 1) for v in value)
        return False

    def condition(self, name) -> bool:
        """A named condition's value under the parameters' defaults (True when it cannot be decided)."""
        if not isinstance(name, str) or name not in self.conditions or name in self._deciding:
            return True
        self._deciding.add(name)
        try:
            result = self._eval(self.conditions[name], 0)
            return result if isinstance(result, bool) else True
        except (Unresolved, RecursionError, TypeError, ValueError, IndexError, KeyError):
            return True
        finally:
            self._deciding.discard(name)

    # --- evaluation ---------------------------------------------------------------------------------
    def _eval(self, value, depth: int):
        if depth > _MAX_DEPTH:
            raise Unresolved("too deep")
        if isinstance(value, list):
            items = [self._eval(v, depth + 1) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if _is_function(key):
                return self._function(key, arg, depth + 1)
        out = {}
        for k, v in value.items():
            resolved = self._eval(v, depth + 1)
            if resolved is not NO_VALUE:
                out[k] = resolved
        return out

    def _function(self, key: str, arg, depth: int):
        if key == "Ref":
            return self.ref(arg)
        if key == "Condition":
            return self.condition(arg)
        name = key[4:]
        if name == "GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if not isinstance(parts, list) or len(parts) != 2:
                raise Unresolved(key)
            attribute = self._eval(parts[1], depth)
            return self.get_att(str(parts[0]), str(attribute))
        if name == "Sub":
            return self._sub(arg, depth)
        if name == "If":
            if not isinstance(arg, list) or len(arg) != 3:
                raise Unresolved(key)
            return self._eval(arg[1] if self.condition(arg[0]) else arg[2], depth)
        if name == "Join":
            sep, items = arg
            items = self._eval(items, depth)
            if not isinstance(items, list):
                raise Unresolved(key)
            return str(self._eval(sep, depth)).join(_text(v) for v in items)
        if name == "Select":
            index, items = arg
            items = self._eval(items, depth)
            return items[int(self._eval(index, depth))]
        if name == "Split":
            sep, text = arg
            return str(self._eval(text, depth)).split(str(self._eval(sep, depth)))
        if name == "FindInMap":
            m, k1, k2 = (self._eval(a, depth) for a in arg[:3])
            return self._eval(self.mappings[m][k1][k2], depth)
        if name == "Equals":
            a, b = (self._eval(x, depth) for x in arg)
            return _text(a) == _text(b)
        if name == "Not":
            inner = self._eval(arg[0], depth)
            if not isinstance(inner, bool):
                raise Unresolved(key)
            return not inner
        if name in ("And", "Or"):
            values = [self._eval(x, depth) for x in arg]
            if not all(isinstance(v, bool) for v in values):
                raise Unresolved(key)
            return all(values) if name == "And" else any(values)
        if name == "GetAZs":
            return ["us-east-1a", "us-east-1b", "us-east-1c"]
        if name == "ToJsonString":
            import json
            return json.dumps(self._eval(arg, depth), separators=(",", ":"), sort_keys=False)
        raise Unresolved(key)

    def ref(self, name):
        if not isinstance(name, str):
            raise Unresolved("Ref")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            spec = self.parameters[name] if isinstance(self.parameters[name], dict) else {}
            if "Default" in spec:
                default = spec["Default"]
                if str(spec.get("Type", "")).startswith("List<") or spec.get("Type") == "CommaDelimitedList":
                    return [s.strip() for s in str(default).split(",")] if isinstance(default, str) else default
                return default
            return f"{name.lower()}-value"
        if name in self.resources:
            return self._physical_name(name)
        raise Unresolved(name)

    def _physical_name(self, lid: str) -> str:
        resource = self.resources.get(lid) if isinstance(self.resources.get(lid), dict) else {}
        props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
        key = next((k for k in _NAME_PROPS if k in props), None)
        marker = "resource:" + lid
        if key is None or marker in self._deciding:
            return lid
        self._deciding.add(marker)
        try:
            name = self.resolve(props[key])
        finally:
            self._deciding.discard(marker)
        return name if isinstance(name, str) and name else lid

    def get_att(self, lid: str, attribute: str):
        if lid not in self.resources:
            raise Unresolved(lid)
        resource = self.resources[lid] if isinstance(self.resources[lid], dict) else {}
        rtype = str(resource.get("Type", ""))
        service = _SERVICE.get(rtype, rtype.split("::")[1].lower() if rtype.count("::") == 2 else "service")
        name = self._physical_name(lid)
        region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
        if attribute in ("Arn", "TopicArn", "StreamArn", "QueueArn"):
            if service == "sqs":
                return f"arn:aws:sqs:{region}:{account}:{name}"
            if service == "sns":
                return f"arn:aws:sns:{region}:{account}:{name}"
            if service == "s3":
                return f"arn:aws:s3:::{name}"
            if service == "lambda":
                return f"arn:aws:lambda:{region}:{account}:function:{name}"
            if service == "states":
                return f"arn:aws:states:{region}:{account}:stateMachine:{name}"
            if service == "dynamodb":
                arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
                return arn + "/stream/2024-01-01T00:00:00.000" if attribute == "StreamArn" else arn
            if service == "events" and rtype == "AWS::Events::EventBus":
                return f"arn:aws:events:{region}:{account}:event-bus/{name}"
            if service == "events":
                return f"arn:aws:events:{region}:{account}:rule/{name}"
            if service == "kinesis":
                return f"arn:aws:kinesis:{region}:{account}:stream/{name}"
            if service == "firehose":
                return f"arn:aws:firehose:{region}:{account}:deliverystream/{name}"
            return f"arn:aws:{service}:{region}:{account}:{name}"
        if attribute in ("QueueName", "TopicName", "Name"):
            return name
        if attribute == "QueueUrl":
            return f"https://sqs.{region}.amazonaws.com/{account}/{name}"
        return f"{name}.{attribute}"

    def _sub(self, arg, depth: int) -> str:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], {k: self._eval(v, depth) for k, v in arg[1].items()}
        elif isinstance(arg, str):
            text, variables = arg, {}
        else:
            raise Unresolved("Sub")
        if not isinstance(text, str):
            raise Unresolved("Sub")

        def one(match):
            name = match.group(1).strip()
            if name in variables:
                return _text(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                lid, attribute = name.split(".", 1)
                return _text(self.get_att(lid, attribute))
            return _text(self.ref(name))
        out = _SUB.sub(one, text)
        return out.replace("${!", "${")


def _is_function(key) -> bool:
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if value is NO_VALUE or isinstance(value, dict):
        raise Unresolved("text")
    return str(value)
