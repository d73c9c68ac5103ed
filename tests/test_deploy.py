"""Deploy through a CloudFormation change set against moto's server on 127.0.0.1, and the local-only guard."""
from __future__ import annotations

import logging

import boto3
import pytest
from moto.server import ThreadedMotoServer

from exporters import deploy
from exporters.sam import export
from patterns.catalog import load_catalog

FAKE_SECRET = "moto-test-secret-never-printed"


@pytest.fixture()
def moto_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_change_set_is_created_shown_and_executed(moto_endpoint, caplog, capsys):
    caplog.set_level(logging.DEBUG, logger="exporters")
    template = export(load_catalog()["fan-out-sns"].design)
    cfn = deploy.client("us-east-1", moto_endpoint)
    change_set = deploy.create_change_set(cfn, "studio-demo", template)
    assert change_set["type"] == "CREATE" and change_set["status"] == "CREATE_COMPLETE"
    added = {c["logical_id"] for c in change_set["changes"] if c["action"] == "Add"}
    assert {"Orders", "ConfirmQ", "ConfirmDlq"} <= added
    assert deploy.execute(cfn, "studio-demo", change_set["name"]) == "CREATE_COMPLETE"
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto_endpoint)
    assert any("ConfirmQ" in url for url in sqs.list_queues()["QueueUrls"])
    again = deploy.create_change_set(cfn, "studio-demo", template)
    assert again["type"] == "UPDATE"
    out = capsys.readouterr()
    assert FAKE_SECRET not in out.out + out.err + caplog.text + repr(change_set)


def test_errors_are_one_clear_line(moto_endpoint):
    cfn = deploy.client("us-east-1", moto_endpoint)
    with pytest.raises(deploy.DeployError) as err:
        deploy.execute(cfn, "no-such-stack", "no-such-change-set")
    assert "\n" not in str(err.value)
    with pytest.raises(deploy.DeployError, match="sam deploy"):
        deploy.create_change_set(cfn, "big", "x" * (deploy.MAX_TEMPLATE_BODY + 1))


@pytest.mark.parametrize("host, env, enabled", [
    ("127.0.0.1", {"STUDIO_ENABLE_DEPLOY": "1"}, True),
    ("localhost", {"STUDIO_ENABLE_DEPLOY": "1"}, True),
    ("::1", {"STUDIO_ENABLE_DEPLOY": "1"}, True),
    ("127.0.0.1", {}, False),                                  # no opt-in
    ("10.0.0.5", {"STUDIO_ENABLE_DEPLOY": "1"}, False),        # a shared site
    ("studio.example.com", {"STUDIO_ENABLE_DEPLOY": "1"}, False),
    (None, {"STUDIO_ENABLE_DEPLOY": "1"}, False),
    ("127.0.0.1", {"STUDIO_ENABLE_DEPLOY": "yes"}, False),
])
def test_deploy_is_offered_only_locally_and_only_when_asked(host, env, enabled):
    ok, why = deploy.deploy_enabled(host, env)
    assert ok is enabled
    assert bool(why) is not enabled
