"""Which node a Task (or a Map's ItemReader) names: `"${x}"` placeholders, as SAM's DefinitionSubstitutions
write them, or a plain Lambda ARN; and which integration pattern its Resource asks for."""
from __future__ import annotations

import re
from typing import Any

_INTEGRATION = "arn:aws:states:::"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def _first_placeholder(value: Any) -> str | None:
    if isinstance(value, str):
        m = _PLACEHOLDER.search(value)
        return m.group(1) if m else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for item in items if (found := _first_placeholder(item))), None)


def resolve_target(resource: str, template: Any, payload: Any, substitutions: dict) -> tuple[str, str | None]:
    """(integration, target node) of a Task: "${x}" placeholders name nodes, through `substitutions`."""
    name, integration = None, "request_response"
    if resource.startswith(_INTEGRATION):
        service = resource[len(_INTEGRATION):]
        if re.search(r"\.sync(:\d+)?$", service):
            integration = "sync"
        elif service.endswith(".waitForTaskToken"):
            integration = "wait_for_task_token"
        if service.split(".")[0] == "lambda:invoke":
            function = template.get("FunctionName") if isinstance(template, dict) else None
            if not _first_placeholder(function):   # dynamic: use the value the payload ended up with
                function = payload.get("FunctionName") if isinstance(payload, dict) else None
            if isinstance(function, str):
                name = _first_placeholder(function) or function
        name = name or _first_placeholder(template)
    else:
        name = _first_placeholder(resource)
        if name is None and resource.startswith("arn:aws:lambda:") and resource.count(":") >= 6:
            name = resource.split(":")[6]
    return integration, None if name is None else substitutions.get(name, name)
