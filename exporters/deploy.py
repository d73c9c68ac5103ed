"""Deploy an exported template through a CloudFormation change set: create it, show it, execute on confirmation.

Only for a site running on the user's own machine: `deploy_enabled` needs the loopback server address AND the
explicit opt-in `STUDIO_ENABLE_DEPLOY=1`; a shared site never offers it. Credentials come only from boto3's
standard chain (environment, ~/.aws, SSO, instance role): this module never reads, stores, prints or logs them.
"""
from __future__ import annotations

import hashlib
import ipaddress
import os
import time

OPT_IN = "STUDIO_ENABLE_DEPLOY"
MAX_TEMPLATE_BODY = 51_200   # CloudFormation's limit for a template passed inline (TemplateBody)
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


class DeployError(RuntimeError):
    pass


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").split("%")[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def deploy_enabled(server_host: str | None, env=None) -> tuple[bool, str]:
    """(enabled, why not). Both conditions, always: a loopback address and the explicit opt-in."""
    env = os.environ if env is None else env
    if env.get(OPT_IN) != "1":
        return False, f"Deploying is off. On your own machine, start the site with {OPT_IN}=1 to turn it on."
    if not is_loopback(server_host):
        return False, "Deploying is only offered when the site runs on your own machine (a loopback address)."
    return True, ""


def client(region: str, endpoint_url: str | None = None):
    """A CloudFormation client from boto3's standard credential chain; the endpoint is configurable."""
    if endpoint_url:
        from urllib.parse import urlsplit
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not is_loopback(parts.hostname):
            raise DeployError(f"endpoint {endpoint_url!r} is not on this machine: only a loopback endpoint (a local "
                              "emulator such as moto's server) may replace AWS's own")
    import boto3
    session = boto3.session.Session(region_name=region)
    return session.client("cloudformation", endpoint_url=endpoint_url or None)


def _stack_exists(cfn, stack: str) -> bool:
    from botocore.exceptions import ClientError
    try:
        stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return False
        raise
    return bool(stacks) and stacks[0].get("StackStatus") != "REVIEW_IN_PROGRESS"


def create_change_set(cfn, stack: str, template: str, parameters: dict | None = None,
                      timeout_s: float = 120.0) -> dict:
    """Create a change set and wait for it; returns {name, type, status, reason, changes: [...]}."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError
    if len(template.encode("utf-8")) > MAX_TEMPLATE_BODY:
        raise DeployError(f"the template is {len(template.encode()):,} bytes; CloudFormation takes at most "
                          f"{MAX_TEMPLATE_BODY:,} inline. Deploy the starter project with `sam deploy` instead.")
    name = "studio-" + hashlib.sha256(template.encode("utf-8")).hexdigest()[:12] + f"-{int(time.time())}"
    try:
        kind = "UPDATE" if _stack_exists(cfn, stack) else "CREATE"
        cfn.create_change_set(StackName=stack, ChangeSetName=name, ChangeSetType=kind, TemplateBody=template,
                              Capabilities=CAPABILITIES,
                              Parameters=[{"ParameterKey": k, "ParameterValue": str(v)}
                                          for k, v in sorted((parameters or {}).items())])
        deadline = time.monotonic() + timeout_s
        while True:
            described = cfn.describe_change_set(StackName=stack, ChangeSetName=name)
            if described["Status"] in ("CREATE_COMPLETE", "FAILED") or time.monotonic() > deadline:
                break
            time.sleep(1.0)
    except (BotoCoreError, ClientError, ResponseParserError) as exc:
        raise DeployError(_safe(exc)) from None
    changes = [{"action": c["ResourceChange"].get("Action"), "logical_id": c["ResourceChange"].get("LogicalResourceId"),
                "type": c["ResourceChange"].get("ResourceType"), "replacement": c["ResourceChange"].get("Replacement")}
               for c in described.get("Changes", []) if c.get("Type") == "Resource"]
    return {"name": name, "type": kind, "status": described["Status"],
            "reason": described.get("StatusReason", ""), "changes": changes}


def execute(cfn, stack: str, change_set: str, timeout_s: float = 600.0) -> str:
    """Execute a change set the user confirmed; returns the stack status it settles in."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError
    try:
        cfn.execute_change_set(StackName=stack, ChangeSetName=change_set)
        deadline = time.monotonic() + timeout_s
        while True:
            status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
            if not status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
                return status
            time.sleep(2.0)
    except (BotoCoreError, ClientError, ResponseParserError) as exc:
        raise DeployError(_safe(exc)) from None


def _safe(exc: Exception) -> str:
    """An AWS error in one line. botocore messages carry no secrets; they are never logged here anyway."""
    return " ".join(str(exc).split())[:300]
