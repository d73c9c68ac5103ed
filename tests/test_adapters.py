"""Per-type code registers itself against a service type, and a type without it fails at import, named.

The expected tables below are the ones the code spelled out by hand before the registry held them (the
AWS names: SQS's queue URL is its Ref, an SNS topic's ARN is its Ref, and so on)."""
from dataclasses import replace

import pytest

from design.adapters import Adapters, MissingAdapter
from design.registry import BY_NAME, TYPES, registry_problems

FAKE = replace(BY_NAME["sqs_queue"], name="mq_broker", title="Amazon MQ broker", sam_type="AWS::AmazonMQ::Broker",
               imported_from=(("AWS::AmazonMQ::Broker", True),), not_priced=None)


def test_a_type_without_an_adapter_is_named():
    table = Adapters("simulator model", types=(BY_NAME["client"], FAKE))
    table.register("client")(object)
    with pytest.raises(MissingAdapter, match="service type 'mq_broker' has no simulator model registered"):
        table.check()


def test_every_real_table_is_complete():
    from exporters.sam.context import SAM_BUILDERS
    from importers.resources import READERS
    from simulator.cost.model import PRICERS
    from simulator.services import load_models
    for table in (load_models(), SAM_BUILDERS, PRICERS, READERS):
        assert table.problems() == []


@pytest.mark.parametrize("module, name, what", [
    ("simulator.services.base", "MODELS", "simulator model"),
    ("exporters.sam.context", "SAM_BUILDERS", "SAM builder"),
    ("simulator.cost.model", "PRICERS", "cost model"),
])
def test_a_new_registry_entry_is_missing_from_each_real_table(monkeypatch, module, name, what):
    import importlib
    table = getattr(importlib.import_module(module), name)
    monkeypatch.setattr(table, "_types", TYPES + (FAKE,))
    with pytest.raises(MissingAdapter) as caught:
        table.check()
    assert str(caught.value) == f"service type 'mq_broker' has no {what} registered"


def test_only_aws_resources_need_a_sam_builder_and_a_price():
    from exporters.sam.context import SAM_BUILDERS
    from simulator.cost.model import PRICERS
    outside = replace(BY_NAME["external"], name="legacy_mainframe")   # sam_type None: nothing to deploy or bill
    for table in (SAM_BUILDERS, PRICERS):
        assert table.needed(outside) is False
    assert PRICERS.needed(BY_NAME["firehose"]) is False   # says why it is not priced instead


def test_two_adapters_for_one_type_and_one_for_no_type_are_refused():
    table = Adapters("SAM builder", types=(BY_NAME["sqs_queue"],))
    table.register("sqs_queue")(len)
    with pytest.raises(ValueError, match="'sqs_queue' has two SAM builders registered: len and abs"):
        table.register("sqs_queue")(abs)
    table.register("sqs_qeue")(min)
    assert table.problems() == ["SAM builder min is registered for 'sqs_qeue', which is not a service type "
                                "in design.registry"]


def test_registry_entry_without_importer_mapping_is_named():
    broken = replace(FAKE, imported_from=())
    assert registry_problems((broken,)) == [
        "service type 'mq_broker' exports as AWS::AmazonMQ::Broker but lists no importer mapping for it "
        "(imported_from)"]
    assert registry_problems() == []


def test_tables_read_from_the_registry_say_what_they_said_by_hand():
    from designer.compare import STATE_KINDS
    from exporters.sam.build import ENTRY_OUTPUTS
    from exporters.sam.compute import DESTINATION_TYPES
    from exporters.sam.context import REFS, SAM_EXPANDED
    from importers.resources import NODE_TYPES
    from lint.view import CARRIERS
    from simulator.run import _ENTRY_TYPES, _NOT_AN_ENTRY, MODELS
    from simulator.services.stepfn import SERVICE_PREFIX
    assert REFS["sqs_queue"] == ("Arn", "QueueName", "Ref") and REFS["sns_topic"] == ("Ref", "TopicName", None)
    assert REFS["api_gateway"] == (None, None, "Ref") and "client" not in REFS and "external" not in REFS
    assert SAM_EXPANDED == ("api_gateway", "lambda", "state_machine")
    assert DESTINATION_TYPES == {"sqs_queue": "SQS", "sns_topic": "SNS", "event_bus": "EventBridge",
                                 "lambda": "Lambda", "s3_bucket": "S3Bucket"}
    assert SERVICE_PREFIX == {"dynamodb_table": "DynamoDB", "sqs_queue": "SQS", "sns_topic": "SNS",
                              "event_bus": "EventBridge", "kinesis_stream": "Kinesis", "s3_bucket": "S3",
                              "firehose": "Firehose"}
    assert ENTRY_OUTPUTS["sqs_queue"] == ("Url", "url", "queue URL") and len(ENTRY_OUTPUTS) == 9
    assert CARRIERS == {"sqs_queue", "sns_topic", "pipe", "kinesis_stream", "api_gateway"}
    # type → the boolean prop that must be on (None: always); a table is an entry point while it has a stream
    assert _ENTRY_TYPES == {"api_gateway": None, "appsync_api": None, "s3_bucket": None, "sqs_queue": None,
                            "sns_topic": None, "event_bus": None, "kinesis_stream": None, "state_machine": None,
                            "dynamodb_table": "stream"}
    assert _NOT_AN_ENTRY == {"alarm", "pipe"}
    assert set(STATE_KINDS) == {"state_machine", "dynamodb_table", "sqs_queue", "kinesis_stream", "s3_bucket",
                                "firehose"}
    assert len(NODE_TYPES) == 21 and NODE_TYPES["AWS::Serverless::SimpleTable"] == ("dynamodb_table", False)
    assert MODELS["sqs_queue"].__name__ == "QueueModel"
    from exporters.asl import EXAMPLES
    from exporters.sam.compute import _TASKS
    assert _TASKS["sqs_queue"] == ("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "${%s}", "MessageBody.$": "$"})
    assert set(_TASKS) == {"sqs_queue", "sns_topic", "event_bus", "dynamodb_table", "state_machine",
                           "kinesis_stream", "firehose", "s3_bucket"}   # lambda is a plain "${fn}" Resource
    assert EXAMPLES["lambda"] == "arn:aws:lambda:{region}:{account}:function:{name}" and len(EXAMPLES) == 7


def test_an_importer_for_a_type_nothing_imports_is_named():
    from importers.resources import NODE_TYPES, READERS
    table = Adapters("importer", needed=lambda spec: False, types=READERS.types(), key=READERS.key)
    table.register("AWS::SQS::Queeu")(min)
    assert "AWS::SQS::Queue" in NODE_TYPES
    assert table.problems() == ["importer min is registered for 'AWS::SQS::Queeu', which is not a CloudFormation "
                                "type that an entry's imported_from names in design.registry"]


def test_the_importer_reads_the_policies_the_registry_names():
    from importers.links import _policy_target
    assert _policy_target("SQSSendMessagePolicy") == "sqs_queue"
    assert _policy_target("KinesisCrudPolicy") == "kinesis_stream"
    assert _policy_target("DynamoDBReadPolicy") == "dynamodb_table"    # every DynamoDB* template
    assert _policy_target("S3ReadPolicy") == "s3_bucket"
    assert _policy_target("CloudWatchPutMetricPolicy") is None


def test_the_registry_declares_every_billing_dimension_of_every_price_file():
    # One place per billing dimension: each entry of a price file belongs to exactly one service type.
    import yaml

    from simulator.cost.prices import PRICES_DIR
    declared = [key for t in TYPES for key in t.price_keys]
    assert len(declared) == len(set(declared))
    for path in sorted(PRICES_DIR.glob("*.yaml")):
        assert set(yaml.safe_load(path.read_text())["prices"]) == set(declared), path.name
    assert BY_NAME["sqs_queue"].price_keys == ("sqs.standard_requests", "sqs.fifo_requests")
    assert not BY_NAME["firehose"].price_keys   # not priced yet: it says why instead


def test_a_pricer_billing_an_undeclared_dimension_is_refused(monkeypatch):
    from simulator.cost import model
    monkeypatch.setitem(model.PRICERS.by_type, "sqs_queue",
                        lambda ctx, node: ([model.Usage("x", 1, "lambda.requests", "")], []))
    node = type("N", (), {"type": "sqs_queue", "id": "q"})()
    with pytest.raises(KeyError, match="cost model for 'sqs_queue' bills 'lambda.requests'"):
        model.usage_of(None, node)
