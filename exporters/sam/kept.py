"""Put back what an imported template had and the design cannot model (see importers/sam.py).

`design.metadata["sam"]` holds: `template` (Parameters, Conditions, Mappings, Globals, Metadata, Rules,
Description, ...), `outputs`, `resources` (resources the design has no node for, verbatim), `properties`
(logical id → the original `Type`, unmodelled `Properties` and attributes such as `Condition`), `verbatim`
(logical ids written exactly as they were: types we do not generate), `events` (edge key → [function
logical id, event name, unmodelled event properties]), `targets` (edge key → unmodelled rule-target fields).
Precedence: what the design models > what the template had > our defaults.
"""
from __future__ import annotations

import copy

# Properties whose values are merged rather than replaced.
_MERGED_LISTS = ("Policies", "Layers", "Targets", "AlarmActions")


def apply(template: dict, kept: dict, defaults: dict[str, set]) -> None:
    if not kept:
        return
    resources = template["Resources"]
    verbatim = set(kept.get("verbatim") or [])
    for lid, entry in (kept.get("properties") or {}).items():
        if lid not in resources or not isinstance(entry, dict):
            continue
        original = copy.deepcopy(entry)
        if lid in verbatim or resources[lid].get("Type") != original.get("Type"):
            resources[lid] = original
            continue
        generated = resources[lid]
        props = generated.setdefault("Properties", {})
        for key in defaults.get(lid, ()):   # our defaults never overrule what the template had (or left out)
            props.pop(key, None)
        _merge_props(props, original.get("Properties") or {})
        if not props:
            generated.pop("Properties")
        for attr, value in original.items():
            if attr not in ("Type", "Properties"):
                generated[attr] = value if attr != "DependsOn" else _union(generated.get(attr), value)
    for lid, resource in (kept.get("resources") or {}).items():
        if lid not in resources:
            resources[lid] = copy.deepcopy(resource)


def _merge_props(props: dict, kept_props: dict) -> None:
    for key, value in kept_props.items():
        if key in _MERGED_LISTS and isinstance(props.get(key), list) and isinstance(value, list):
            props[key] = _union(value, props[key])
        elif key == "Environment" and isinstance(props.get(key), dict) and isinstance(value, dict):
            merged = dict(props[key].get("Variables") or {})
            merged.update((value.get("Variables") or {}) if isinstance(value.get("Variables"), dict) else {})
            props[key] = {**value, "Variables": merged} if merged else value
        elif key == "Events" and isinstance(props.get(key), dict) and isinstance(value, dict):
            for name, event in value.items():
                props[key].setdefault(name, event)
        else:
            props[key] = copy.deepcopy(value)


def _union(first, second) -> list:
    out: list = []
    for item in ([first] if isinstance(first, str) else list(first or [])) + \
            ([second] if isinstance(second, str) else list(second or [])):
        if item not in out:
            out.append(item)
    return out


def merge_event(props: dict, kept_event_props: dict | None) -> dict:
    for key, value in (kept_event_props or {}).items():   # only unmodelled keys were kept: they win
        props[key] = copy.deepcopy(value)
    return props
