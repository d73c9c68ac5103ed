"""A starter project as a zip: template.yaml, a handler stub and unit tests per function, samconfig.toml, README.

Deterministic: entries sorted, every timestamp 1980-01-01, fixed permissions, so the same design gives the
same bytes.
"""
from __future__ import annotations

import io
import re
import zipfile

from exporters import starter_files as F
from exporters.sam import edited_files, export
from exporters.sam.build import build_template

_EPOCH = (1980, 1, 1, 0, 0, 0)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "studio-design"


def _invocation(design, fid: str) -> tuple[str, object, str]:
    """(kind, edge, source title): how the function is mainly invoked."""
    nodes = design.node_map()
    for edge in design.in_edges(fid):
        kind = design.kind_of(edge)
        if kind in ("event_source", "stream"):
            return "batch", edge, nodes[edge.source].title
    for edge in design.in_edges(fid):
        if design.kind_of(edge) == "sync" and nodes[edge.source].type == "api_gateway":
            return "api", edge, nodes[edge.source].title
    sources = [nodes[e.source].title for e in design.in_edges(fid)]
    return "event", None, ", ".join(sources) or "its callers"


def handler_source(design, node) -> str:
    kind, edge, source = _invocation(design, node.id)
    src_type = design.node(edge.source).type if edge is not None else None
    key = F.SOURCES.get(src_type, (None, "id"))[1] if kind == "batch" else "id"
    if kind == "api":
        key = "body"
    idem = node.prop("idempotent")
    partial = bool(edge is not None and edge.props.get("report_batch_item_failures"))
    extra = (", made idempotent with Powertools" if idem else "") + \
        (" and partial batch responses" if partial else "")
    text = F.HEADER.format(title=node.title, summary=f"invoked by {source}", extra=extra)
    if idem:
        text += F.IDEMPOTENCY.replace("{key}", key)
    text += F.PROCESS.format(decorator="@idempotent\n" if idem else "")
    register = ('    if hasattr(process, "config"):\n        process.config.register_lambda_context(context)\n'
                if idem else "")
    if kind == "batch":
        contract, on_failure, result = F.PARTIAL if partial else F.WHOLE
        if partial:
            on_failure = on_failure % F.SOURCES[src_type][0]
        text += F.BATCH_HANDLER.format(source=source, contract=contract, register=register, on_failure=on_failure,
                                       result=result)
    elif kind == "api":
        text += F.API_HANDLER.format(source=source, register=register)
    else:
        contract = "Asynchronous sources retry a failure, then use the on-failure destination or DLQ." \
            if any(design.kind_of(e) in ("async", "rule_target", "schedule_target", "notification", "subscription")
                   for e in design.in_edges(node.id)) else "Return the result the caller expects."
        text += F.EVENT_HANDLER.format(source=source, contract=contract, register=register)
    return text


def test_source(design, node) -> str:
    kind, edge, _source = _invocation(design, node.id)
    text = F.TEST_HEADER.format(fid=node.id)
    if kind == "batch":
        src_type = design.node(edge.source).type
        sample = F.SAMPLE_RECORDS[src_type]
        r1, r2 = sample % (1, 1), sample % (2, 2)
        if edge.props.get("report_batch_item_failures"):
            text += F.TEST_BATCH_PARTIAL.format(r1=r1, r2=r2, ident=F.SOURCES[src_type][0])
        else:
            text += F.TEST_BATCH_WHOLE.format(r1=r1, r2=r2)
    elif kind == "api":
        text += F.TEST_API
    else:
        text += F.TEST_EVENT
    if node.prop("idempotent"):
        text += F.TEST_IDEMPOTENT
    return text


def readme(design, template: dict, stack: str) -> str:
    functions = [n for n in design.nodes if n.type == "lambda"]
    notes = template["Metadata"]["ServerlessPatternStudio"].get("notes") or []
    lines = [f"# {design.name}", "", design.description or "A serverless design exported by Serverless Pattern "
             "Studio.", "", "## What is here", "",
             "- `template.yaml` — the AWS SAM template (the design itself is kept in its `Metadata`).",
             "- `samconfig.toml` — defaults for `sam build` and `sam deploy`.",
             "- `src/<function>/app.py` — one handler stub per function; put your logic in `process`.",
             "- `tests/` — unit tests for the stubs (`pip install pytest && pytest`).", "",
             "## Build, test and deploy", "", "```sh", "pytest                 # unit tests, no AWS account needed",
             "sam validate --lint    # cfn-lint through the SAM CLI", "sam build",
             "sam deploy --guided    # first time: confirms the stack name, region and IAM capability",
             "sam deploy             # after that: uses samconfig.toml", "```", "",
             f"The stack is called `{stack}` in `samconfig.toml`. `sam delete` removes it.", ""]
    if functions:
        lines += ["## Functions", ""] + [f"- `{n.id}` — {n.title}" + (" (idempotent: Powertools, keyed by the "
                                                                      "event id)" if n.prop("idempotent") else "")
                                         for n in functions] + [""]
    if notes:
        lines += ["## Notes from the export", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def samconfig(stack: str) -> str:
    return (f'version = 0.1\n\n[default.global.parameters]\nstack_name = "{stack}"\n\n'
            '[default.build.parameters]\ncached = true\nparallel = true\n\n'
            '[default.validate.parameters]\nlint = true\n\n'
            '[default.deploy.parameters]\ncapabilities = "CAPABILITY_IAM"\nconfirm_changeset = true\n'
            'resolve_s3 = true\n\n[default.sync.parameters]\nwatch = true\n')


def project_files(design) -> dict[str, str]:
    text = export(design)   # refuses deploy-time errors first
    template = build_template(design)
    stack = slug(design.name)
    files = {"template.yaml": text, "samconfig.toml": samconfig(stack), "README.md": readme(design, template, stack),
             ".gitignore": ".aws-sam/\n__pycache__/\n.pytest_cache/\n",
             "tests/requirements.txt": "pytest\n"}
    files.update(edited_files(design))   # an imported project's state machine files, edited where the design was
    for node in design.nodes:
        if node.type != "lambda":
            continue
        files[f"src/{node.id}/app.py"] = handler_source(design, node)
        files[f"src/{node.id}/requirements.txt"] = "aws-lambda-powertools>=3,<4\n" if node.prop("idempotent") else ""
        files[f"tests/test_{node.id.replace('-', '_')}.py"] = test_source(design, node)
    return files


def starter_zip(design) -> bytes:
    buffer = io.BytesIO()
    root = slug(design.name)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in sorted(project_files(design).items()):
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"), compresslevel=9)
    return buffer.getvalue()
