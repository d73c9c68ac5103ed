"""Issue 12, item 8: malformed templates never crash the importer (`python -m importers sam`).

Each shape is kept verbatim with a note, or refused with a path; the only exception that may leave
`import_template` is `ImportError_`. Hypothesis generates template shapes around the keys the importer reads.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from design.loader import validate
from exporters.sam import template_text
from importers.sam import ImportError_, import_template

_TYPES = ["AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::SNS::Topic",
          "AWS::SNS::Subscription", "AWS::Events::Rule", "AWS::Events::EventBus", "AWS::Serverless::StateMachine",
          "AWS::StepFunctions::StateMachine", "AWS::Lambda::EventSourceMapping", "AWS::Pipes::Pipe",
          "AWS::Scheduler::Schedule", "AWS::CloudWatch::Alarm", "AWS::KinesisFirehose::DeliveryStream",
          "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Kinesis::Stream", "AWS::Serverless::Api",
          "AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api", "AWS::Lambda::Permission", "Custom::Thing"]
_KEYS = ["Type", "Properties", "Events", "Policies", "Target", "Targets", "Arn", "RedrivePolicy", "TopicArn",
         "Endpoint", "Protocol", "FilterPolicy", "EventPattern", "EventBusName", "Definition", "DefinitionString",
         "DefinitionSubstitutions", "DeadLetterQueue", "DeadLetterConfig", "TargetArn", "EventInvokeConfig",
         "DestinationConfig", "OnFailure", "Destination", "Queue", "Stream", "Bucket", "Topic", "BatchSize",
         "Source", "Enrichment", "Dimensions", "AlarmActions", "Value", "Timeout", "MemorySize",
         "StreamSpecification", "StreamViewType", "SourceParameters", "FilterCriteria", "Filters", "Pattern",
         "ScheduleExpression", "RetryPolicy", "MaximumRetryAttempts", "deadLetterTargetArn", "maxReceiveCount",
         "Ref", "Fn::GetAtt", "Fn::Sub", "Path", "RestApiId", "ApiId", "Function", "Q", "F", "T", "SQSSendMessagePolicy",
         "QueueName", "ExtendedS3DestinationConfiguration", "BucketARN", "FunctionName", "EventSourceArn",
         "ScalingConfig", "FunctionResponseTypes", "MaximumConcurrency", "FifoQueue", "TimeToLiveSpecification"]
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-3, 10 ** 6), st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from(["Q", "F", "T", "B", "SQS", "SNS", "sqs", "default", "ReportBatchItemFailures",
                                   '{"a": 1}', "[1]", "${F.Arn}", "rate(1 minute)", "STANDARD", "x"]),
                  st.sampled_from(_TYPES))
_KEY = st.one_of(st.sampled_from(_KEYS), st.integers(0, 3), st.booleans())


def _values(depth: int = 3):
    return st.recursive(_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(_KEY, inner, max_size=4)), max_leaves=12)


_RESOURCE = st.one_of(
    st.fixed_dictionaries({"Type": st.sampled_from(_TYPES)}, optional={"Properties": _values()}),
    st.fixed_dictionaries({"Type": _values(), "Properties": _values()}),
    _values())
_TEMPLATE = st.fixed_dictionaries(
    {"Resources": st.dictionaries(st.one_of(st.sampled_from(["Q", "F", "T", "B", "R", "S"]), st.integers(0, 3),
                                            st.booleans()), _RESOURCE, min_size=1, max_size=5)},
    optional={"Globals": _values(), "Parameters": _values(), "Outputs": _values(), "Metadata": _values(),
              "Conditions": _values(), "Description": _values(), "Transform": _values()})


@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(_TEMPLATE)
def test_no_exception_but_import_error_escapes(template):
    text = yaml.safe_dump(template, sort_keys=False)
    try:
        design = import_template(text, name="t.yaml")
    except ImportError_ as exc:
        assert exc.problems and all(isinstance(p, str) and "\n" not in p for p in exc.problems)
        return
    assert validate(design.to_dict()) == []
    template_text(design)   # what the Export page does with an imported design: no exception either


def _fn(props=None):
    return {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "a.h", "Runtime": "python3.12",
                                                                   **(props or {})}}


CASES = {
    "integer logical id": {"Resources": {1: {"Type": "AWS::SQS::Queue"}, "F": _fn()}},
    "boolean logical id": {"Resources": {True: {"Type": "AWS::SQS::Queue"}}},
    "Type as a list": {"Resources": {"Q": {"Type": ["AWS::SQS::Queue"]}, "F": _fn()}},
    "Properties as a list": {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": [1, 2]}, "F": _fn()}},
    "Globals.Function as a list": {"Globals": {"Function": [1]}, "Resources": {"F": _fn()}},
    "Globals as a list": {"Globals": [1], "Resources": {"F": _fn()}},
    "integer policy key": {"Resources": {"Q": {"Type": "AWS::SQS::Queue"},
                                         "F": _fn({"Policies": [{1: {"QueueName": {"Ref": "Q"}}}]})}},
    "Parameters as a list": {"Parameters": [1, 2], "Resources": {"F": _fn()}},
    "Target as a list": {"Resources": {"F": _fn(), "S": {"Type": "AWS::Scheduler::Schedule",
                                                           "Properties": {"ScheduleExpression": "rate(1 minute)",
                                                                          "Target": [1]}}}},
    "Events as a list": {"Resources": {"F": _fn({"Events": [1]})}},
    "event Properties as a list": {"Resources": {"Q": {"Type": "AWS::SQS::Queue"},
                                                 "F": _fn({"Events": {"E": {"Type": "SQS", "Properties": [1]}}})}},
    "deep JSON policy string": {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
        "RedrivePolicy": "[" * 5000 + "]" * 5000}}}},
    "Metadata design not a string": {"Metadata": {"ServerlessPatternStudio": {"design": [1]}},
                                     "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}},
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_reported_shape_imports_or_is_refused_with_a_path(name):
    text = yaml.safe_dump(CASES[name], sort_keys=False)
    try:
        design = import_template(text, name="t.yaml")
    except ImportError_ as exc:
        assert exc.problems[0].startswith("t.yaml")
        return
    assert validate(design.to_dict()) == []
    template_text(design)


@pytest.mark.parametrize("section", ["Parameters", "Globals", "Mappings", "Conditions", "Outputs", "Metadata"])
def test_a_template_section_that_must_be_a_mapping_is_refused_with_its_path(section):
    with pytest.raises(ImportError_) as info:
        import_template(yaml.safe_dump({section: [1, 2], "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}),
                        name="t.yaml")
    assert info.value.problems == [f"t.yaml: {section}: must be a mapping, not a list"]


def test_kept_verbatim_shapes_survive_re_export():
    template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": [1, 2]},
                              "X": {"Type": ["AWS::SQS::Queue"]}}}
    design = import_template(yaml.safe_dump(template, sort_keys=False))
    out = yaml.safe_load(template_text(design).replace("!", ""))
    assert out["Resources"]["Q"]["Properties"] == [1, 2] and out["Resources"]["X"]["Type"] == ["AWS::SQS::Queue"]


@pytest.mark.parametrize("name", ["integer logical id", "Type as a list", "Target as a list"])
def test_command_line_never_shows_a_traceback(tmp_path, name):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(CASES[name], sort_keys=False))
    done = subprocess.run([sys.executable, "-m", "importers", "sam", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1)
