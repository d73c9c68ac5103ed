"""Input transformers: a target's `input_transform` mapping is the template of what the target receives.

EventBridge Pipes (eb-pipes-input-transformation) and EventBridge rule targets
(eb-transform-target-input) both deliver the template, not the event: a string that is exactly
`<$.path>` becomes the value at that JSON path (null when absent †), `<$.path>` inside a longer string
is replaced by the value's text, and reserved variables (`<aws.events.rule-name>`,
`<aws.pipes.pipe-name>`, ...) are given by the caller. A rule writes its paths in `InputPathsMap`
and names them in `InputTemplate`; a design writes the path in place, and the SAM exporter splits it.
"""
from __future__ import annotations

import json
import re

_WHOLE = re.compile(r"^<([^<>]+)>$")
_INLINE = re.compile(r"<([^<>]+)>")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
MISSING = object()


def json_path(event, path: str):
    """The JSON path subset input transformers accept: `$`, dot notation, array indices."""
    if path == "$":
        return event
    if not path.startswith("$."):
        return MISSING
    value = event
    for name, index in _PATH_PART.findall(path[2:]):
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                return MISSING
            value = value[int(index)]
        else:
            if not isinstance(value, dict) or name not in value:
                return MISSING
            value = value[name]
    return value


def render(template, event, variables: dict):
    """The delivered payload: `template` with its `<...>` placeholders filled from `event` and `variables`."""
    if isinstance(template, dict):
        return {k: render(v, event, variables) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, event, variables) for v in template]
    if not isinstance(template, str):
        return template
    whole = _WHOLE.match(template)
    if whole:
        value = _variable(whole.group(1), event, variables)
        return None if value is MISSING else value
    if "<" not in template:
        return template

    def text(match):
        value = _variable(match.group(1), event, variables)
        if value is MISSING or value is None:
            return ""
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return _INLINE.sub(text, template)


def _variable(name: str, event, variables: dict):
    name = name.strip()
    if name.startswith("$"):
        return json_path(event, name)
    return variables.get(name, MISSING)
