"""Export of an imported design: the original template, edited where the design was edited — never regenerated.

The importer keeps the template's text in `metadata["sam"]["original"]`. Export re-imports that text (import is
deterministic) to get the design as it was imported, builds a template from each of the two designs with the
regular generator (build.py), and takes the difference between those two generated templates as the edit: a
property changed, a resource added or removed, a list item added or removed. Those edits are made to the
original — as data, and as text (textpatch.py) so that comments, order and quoting outside the edit stay as they
were. With no edit the original text comes back byte for byte.

A resource removed takes with it the references the template can no longer satisfy (Outputs, policy statements,
environment variables, DependsOn, resources that exist only for it such as a QueuePolicy or a Permission), each
named in `notes`. Everything is linear in the template's size times the number of edits.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from exporters import cfn_yaml
from exporters.sam import textpatch

# A top-level property that is the reason a resource exists: if what it names is gone, so is the resource.
_DEFINING = {"Queues", "Topics", "TopicArn", "Endpoint", "FunctionName", "EventSourceArn", "Bucket", "RestApiId",
             "ApiId", "StateMachineArn", "Source", "Target", "SourceArn", "TargetArn", "DeliveryStreamName",
             "Roles", "Users", "Groups", "ResourceArn"}
_MAX_TEXT_EDITS = 400
# Parts of a policy or target that cannot be removed on their own: the whole that holds them goes.
_NOT_ALONE = {"Statement", "PolicyDocument", "Resource", "Action", "Effect", "Principal", "Arn", "Id"}


@dataclass
class RoundTrip:
    text: str
    template: dict
    original_text: str
    changes: list[str] = field(default_factory=list)   # one line per edit made to the original
    notes: list[str] = field(default_factory=list)     # references removed, text rewritten, ...
    files: dict[str, str] = field(default_factory=dict)   # a project's files the edits changed (path → text)

    @property
    def unchanged(self) -> bool:
        return not self.changes


def original_of(design) -> dict | None:
    sam = design.metadata.get("sam") if isinstance(design.metadata.get("sam"), dict) else {}
    original = sam.get("original")
    if isinstance(original, dict) and isinstance(original.get("text"), str):
        return original
    return None


def is_imported(design) -> bool:
    return original_of(design) is not None


def baseline(design):
    """The design exactly as the importer made it from the kept original."""
    from importers.sam import import_template
    original = original_of(design)
    return import_template(original["text"], name=original.get("name") or "template",
                           files=original.get("files") or None)


def _for_diff(design):
    """The design with what the generator needs for a comparison: every node generated (no resource kept
    verbatim in place of a node), so that an edit to any node shows in the generated template."""
    from design.model import Design
    sam = dict(design.metadata.get("sam") or {})
    node_lids = set((sam.get("logical_ids") or {}).values())
    sam.pop("original", None)
    sam.pop("verbatim", None)
    sam.pop("passive", None)   # edges drawn from kept resources: generated too, so edits to them show
    sam["resources"] = {lid: r for lid, r in (sam.get("resources") or {}).items() if lid not in node_lids}
    return Design(name=design.name, nodes=design.nodes, edges=design.edges, description=design.description,
                  scenario=design.scenario, metadata={**design.metadata, "sam": sam})


def _generated(design) -> dict:
    from exporters.sam.build import METADATA_KEY, build_template
    template = build_template(_for_diff(design))
    metadata = template.get("Metadata")
    if isinstance(metadata, dict):
        metadata.pop(METADATA_KEY, None)
    return template


def round_trip(design, before=None) -> RoundTrip:
    from importers.cfn_yaml import parse_template
    original = original_of(design)
    text = original["text"]
    data = parse_template(text, original.get("name") or "template")
    before = before if before is not None else baseline(design)
    g0, g1 = _generated(before), _generated(design)
    ops: list[tuple] = []
    _diff(g0, g1, (), ops)
    result = RoundTrip(text=text, template=data, original_text=text)
    if not ops:
        return result
    editor = _Editor(copy.deepcopy(data), g0, g1)
    stand_ins = set(_resources(g0)) - set(_resources(data))
    in_files = _definition_files(data, original)
    edited_machines: set[str] = set()
    for op in ops:
        path = op[1]
        if len(path) > 3 and path[0] == "Resources" and path[1] in in_files and path[2:4] == (
                "Properties", "Definition"):
            edited_machines.add(path[1])   # the definition lives in the project's file: edited there, below
            continue
        if len(path) > 2 and path[0] == "Resources" and path[1] in stand_ins:
            # The generator made this resource for the baseline too, but the template has its own in its place
            # (a role of its own name, say): a change inside it has nothing to edit, and writing the changed
            # part alone would add a resource without a Type.
            note = (f"Resources.{path[1]} is what the generator would write; the template has its own resources "
                    f"in its place, left as they were ({_where(path[2:])} not written).")
            if note not in result.notes:
                result.notes.append(note)
            continue
        editor.apply(op)
    editor.remove_dangling(set(_resources(data)) - set(_resources(editor.data)) |
                           (_implicit_apis(data) - _implicit_apis(editor.data)))
    for lid in sorted(edited_machines):
        _edit_definition_file(result, design, before, lid, in_files[lid], original)
    result.template, result.changes, result.notes = editor.data, result.changes + editor.changes, \
        result.notes + editor.notes
    if not editor.edits:
        return result
    result.text = _patched_text(text, editor, result.notes)
    return result


def _definition_files(data: dict, original: dict) -> dict[str, str]:
    """State machines whose definition is a file of the imported project (DefinitionUri, no inline Definition):
    logical id → the file's path in the project."""
    import posixpath
    files = original.get("files") or {}
    out = {}
    for lid, resource in _resources(data).items():
        props = resource.get("Properties") if isinstance(resource, dict) else None
        uri = props.get("DefinitionUri") if isinstance(props, dict) else None
        if not isinstance(uri, str) or props.get("Definition") is not None or \
                props.get("DefinitionString") is not None:
            continue
        path = posixpath.normpath(uri.replace("\\", "/")).lstrip("/")
        if path in files:
            out[lid] = path
    return out


def _edit_definition_file(result: RoundTrip, design, before, lid: str, path: str, original: dict) -> None:
    """The edit of a state machine whose definition is a project file, made to that file: the difference between
    the definition as imported and as edited, applied to the file's document, with the design's `${node}`
    placeholders written back as the template's DefinitionSubstitutions keys (`${OrderFnArn}`). The template
    keeps its DefinitionUri; the file is in `result.files`."""
    import json
    from design import documents
    from importers.builder import target_of
    nid = next((n for n, l in ((design.metadata.get("sam") or {}).get("logical_ids") or {}).items() if l == lid),
               None)
    if nid is None or nid not in {n.id for n in design.nodes} or nid not in {n.id for n in before.nodes}:
        return
    old_def, new_def = before.node(nid).prop("definition"), design.node(nid).prop("definition")
    text = original["files"][path]
    try:
        document = documents.parse(text, "json" if path.endswith(".json") else "yaml", name=path)
    except ValueError:
        return
    props = result.template["Resources"][lid].get("Properties") or {}
    subs = props.get("DefinitionSubstitutions") if isinstance(props.get("DefinitionSubstitutions"), dict) else {}
    logical = (design.metadata.get("sam") or {}).get("logical_ids") or {}
    key_of = {}
    for key, value in subs.items():
        node = next((n for n, l in logical.items() if l == target_of(value)), None)
        if node:
            key_of[node] = key

    def back(value):
        if isinstance(value, dict):
            return {k: back(v) for k, v in value.items()}
        if isinstance(value, list):
            return [back(v) for v in value]
        if isinstance(value, str) and "${" in value:
            for node, key in key_of.items():
                value = value.replace("${" + node + "}", "${" + key + "}")
        return value

    ops: list[tuple] = []
    _diff(old_def, new_def, (), ops)
    for op in ops:
        kind, where = op[0], op[1]
        value = back(op[3] if kind == "list" else op[2]) if kind != "del" else None
        if not where:
            document = value
            continue
        parent = document
        for step in where[:-1]:
            if isinstance(parent, dict):
                parent = parent.setdefault(step, {})
            elif isinstance(parent, list) and isinstance(step, int) and step < len(parent):
                parent = parent[step]
        if kind == "del":
            if isinstance(parent, dict):
                parent.pop(where[-1], None)
        elif isinstance(parent, dict):
            parent[where[-1]] = value
        elif isinstance(parent, list) and isinstance(where[-1], int) and where[-1] < len(parent):
            parent[where[-1]] = value
    if path.endswith(".json"):
        stripped = text.lstrip("\ufeff")
        indent = None if "\n" not in stripped.strip() else len(stripped.split("\n")[1]) - len(
            stripped.split("\n")[1].lstrip(" ")) or 2
        new_text = json.dumps(document, indent=indent, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")
    else:
        new_text = cfn_yaml.dump(document)
    result.files[path] = new_text
    result.changes.append(f"changed {path} (the definition of {lid}; the template keeps its DefinitionUri)")


def _implicit_apis(data) -> set:
    """The APIs SAM makes on its own for functions' Api / HttpApi events that name no API of their own."""
    out = set()
    for resource in _resources(data).values():
        props = resource.get("Properties") if isinstance(resource, dict) else None
        events = props.get("Events") if isinstance(props, dict) else None
        for event in (events.values() if isinstance(events, dict) else ()):
            if not isinstance(event, dict) or not isinstance(event.get("Properties", {}), dict):
                continue
            eprops = event.get("Properties") or {}
            if event.get("Type") == "Api" and "RestApiId" not in eprops:
                out |= {"ServerlessRestApi", "ServerlessRestApiProdStage", "ServerlessRestApiDeployment"}
            elif event.get("Type") == "HttpApi" and "ApiId" not in eprops:
                out |= {"ServerlessHttpApi", "ServerlessHttpApiApiGatewayDefaultStage"}
    return out


def _resources(data) -> dict:
    return data.get("Resources") if isinstance(data.get("Resources"), dict) else {}


def _patched_text(text: str, editor: "_Editor", notes: list[str]) -> str:
    from importers.cfn_yaml import parse_template
    if text.lstrip().startswith("{"):   # a JSON template stays JSON
        import json
        return json.dumps(editor.data, indent=2, ensure_ascii=False) + "\n"
    patched = text
    try:
        if len(editor.edits) > _MAX_TEXT_EDITS:
            raise textpatch.Unpatchable("too many edits")
        for op, after in editor.edits:
            patched = textpatch.apply(patched, op, after)
        if parse_template(patched) == editor.data:
            return patched
    except (textpatch.Unpatchable, ValueError, KeyError, IndexError):
        pass
    notes.append("The edits could not be spliced into the original text, so the template is written out whole "
                 "(same data; comments and formatting not kept).")
    return cfn_yaml.dump(editor.data)


# --- the difference between two generated templates ------------------------------------------------------
def _intrinsic(value) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(next(iter(value)), str) and (
        next(iter(value)) in ("Ref", "Condition") or next(iter(value)).startswith("Fn::"))


def _diff(a, b, path: tuple, out: list) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict) and not _intrinsic(a) and not _intrinsic(b):
        for k in a:
            if k not in b:
                out.append(("del", path + (k,)))
        for k in b:
            if k not in a:
                out.append(("set", path + (k,), b[k]))
            else:
                _diff(a[k], b[k], path + (k,), out)
    elif isinstance(a, list) and isinstance(b, list):
        out.append(("list", path, a, b))
    else:
        out.append(("set", path, b))


_MISSING = object()


def _get(data, path):
    for step in path:
        if isinstance(data, dict) and not _intrinsic(data) and step in data:
            data = data[step]
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return _MISSING
    return data


def _where(path) -> str:
    return ".".join(str(p) for p in path)


class _Editor:
    """The original template as data, edited op by op; `edits` are the concrete edits for the text patcher
    (each with the whole template after it), `changes` say them in words."""

    def __init__(self, data: dict, g0: dict, g1: dict):
        self.data, self.g0, self.g1 = data, g0, g1
        self.edits: list[tuple] = []
        self.changes: list[str] = []
        self.notes: list[str] = []

    # concrete edits ----------------------------------------------------------------------------------
    def _record(self, op) -> None:
        self.edits.append((op, copy.deepcopy(self.data)))

    def set(self, path, value, why: str | None = None) -> None:
        parent = _get(self.data, path[:-1])
        old = parent.get(path[-1], _MISSING) if isinstance(parent, dict) else _MISSING
        if old == value:
            return
        parent[path[-1]] = copy.deepcopy(value)
        self._record(("set", path, value))
        self.changes.append(why or (f"changed {_where(path)}" if old is not _MISSING else f"added {_where(path)}"))

    def delete(self, path, why: str | None = None) -> None:
        parent = _get(self.data, path[:-1])
        if isinstance(parent, dict) and path[-1] in parent:
            del parent[path[-1]]
        elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
            del parent[path[-1]]
        else:
            return
        self._record(("del", path))
        self.changes.append(why or f"removed {_where(path)}")

    def append(self, path, value) -> None:
        target = _get(self.data, path)
        target.append(copy.deepcopy(value))
        self._record(("append", path, value))
        self.changes.append(f"added an item to {_where(path)}")

    # abstract ops (from the generated diff) -------------------------------------------------------------
    def apply(self, op) -> None:
        kind, path = op[0], op[1]
        if kind == "set":
            self._set_deep(path, op[2])
        elif kind == "del":
            if _get(self.data, path) is not _MISSING:
                self._delete_and_prune(path)
        else:
            self._list(path, op[2], op[3])

    def _set_deep(self, path, value) -> None:
        for depth in range(len(path)):
            prefix = path[:depth]
            here = _get(self.data, prefix)
            step = path[depth]
            if isinstance(here, dict) and not _intrinsic(here):
                if step in here:
                    continue
                nested = value
                for inner in reversed(path[depth + 1:]):
                    nested = {inner: nested}
                self.set(path[:depth + 1], nested)
                return
            if isinstance(here, list) and isinstance(step, int) and 0 <= step < len(here):
                continue
            # the original has something else here (an intrinsic, a scalar): take the edited whole
            whole = _get(self.g1, prefix)
            if whole is not _MISSING and prefix:
                self.set(prefix, whole)
            return
        self.set(path, value)

    def _delete_and_prune(self, path, why: str | None = None) -> None:
        self.delete(path, why)
        # a mapping left empty goes too (never a resource, nor a top-level section's own entries)
        parent_path = path[:-1]
        while len(parent_path) > 2:
            parent = _get(self.data, parent_path)
            if isinstance(parent, (dict, list)) and not parent:
                self.delete(parent_path)
                parent_path = parent_path[:-1]
            else:
                break
        if len(path) == 1:
            return
        section = _get(self.data, path[:1])
        if isinstance(section, dict) and not section and path[0] != "Resources":
            self.delete(path[:1])

    def _list(self, path, old: list, new: list) -> None:
        here = _get(self.data, path)
        if here is _MISSING:
            if new:
                self._set_deep(path, new)
            return
        if not isinstance(here, list):
            self._set_deep(path, new)
            return
        removed = [x for x in old if x not in new]
        added = [x for x in new if x not in old]
        if len(old) == len(new) and len(here) == len(old) and len(removed) == 1 == len(added) \
                and isinstance(removed[0], dict) and isinstance(added[0], dict):
            index = old.index(removed[0])   # one item edited in place: edit the same item of the original
            sub: list = []
            _diff(removed[0], added[0], path + (index,), sub)
            for op in sub:
                self.apply(op)
            return
        if any(x not in here for x in removed):
            self.set(path, new)   # the original's list is not the one generated: take the edited list
            return
        for x in removed:
            self.delete(path + (_get(self.data, path).index(x),))
        for x in added:
            if x not in _get(self.data, path):
                self.append(path, x)
        if not _get(self.data, path):
            self._delete_and_prune(path)

    # references to what is gone -----------------------------------------------------------------------
    def remove_dangling(self, removed: set) -> None:
        while removed:
            found = []
            for section in ("Resources", "Outputs"):
                body = self.data.get(section)
                if isinstance(body, dict):
                    _references(body, (section,), removed, found)
            if not found:
                return
            path, lid = found[0]
            gone = self._remove_reference(path, lid)
            if gone:
                removed = removed | {gone}

    def _remove_reference(self, path, lid: str) -> str | None:
        """Remove the smallest thing that holds a reference to `lid`; a resource's id when the whole resource
        had to go."""
        if path[0] == "Outputs":
            self._delete_and_prune(path[:2], f"removed Outputs.{path[1]}: it referred to {lid}, which is gone")
            self.notes.append(f"Outputs.{path[1]} removed: it referred to {lid}, which was deleted.")
            return None
        resource = path[1]
        if len(path) >= 3 and path[2] == "DependsOn":
            self._delete_and_prune(path[:4] if len(path) >= 4 else path[:3])
            self.notes.append(f"Resources.{resource}.DependsOn no longer names {lid}, which was deleted.")
            return None
        if len(path) < 4 or path[2] != "Properties" or path[3] in _DEFINING:
            self.delete(("Resources", resource), f"removed Resources.{resource}: it existed for {lid}, which is gone")
            self.notes.append(f"Resources.{resource} removed: it referred to {lid}, which was deleted.")
            return resource
        for i, step in enumerate(path):   # inside `!If`, `!Join`, ...: the whole function value holds it
            if isinstance(step, str) and step.startswith("Fn::"):
                path = path[:i]
                break
        cut = path
        for i in range(len(path) - 1, 3, -1):   # the innermost list item: a policy, statement, target, ARN
            if isinstance(path[i], int):
                cut = path[:i + 1]
                break
        while len(cut) > 4:
            container = _get(self.data, cut[:-1])
            statement = isinstance(container, dict) and "Effect" in container
            if statement or cut[-1] in _NOT_ALONE or (isinstance(container, (list, dict)) and len(container) == 1):
                cut = cut[:-1]
            else:
                break
        # A resource whose defining property, or a part it cannot stand without (a policy's whole document),
        # referred to the deleted node exists only for it: it goes too.
        if len(cut) <= 4 and (path[3] in _DEFINING or cut[-1] in _NOT_ALONE):
            self.delete(("Resources", resource), f"removed Resources.{resource}: it existed for {lid}, which is gone")
            self.notes.append(f"Resources.{resource} removed: it referred to {lid}, which was deleted.")
            return resource
        self._delete_and_prune(cut[:4] if len(cut) < 4 else cut,
                               f"removed {_where(cut)}: it referred to {lid}, which is gone")
        self.notes.append(f"{_where(cut)} removed: it referred to {lid}, which was deleted.")
        return None


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def _references(value, path: tuple, removed: set, found: list) -> None:
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            name = None
            if key == "Ref" and isinstance(inner, str):
                name = inner
            elif key == "Fn::GetAtt":
                name = inner[0] if isinstance(inner, list) and inner else inner.split(".")[0] \
                    if isinstance(inner, str) else None
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                names = set(_SUB_NAME.findall(text)) if isinstance(text, str) else set()
                local = set(inner[1]) if isinstance(inner, list) and len(inner) > 1 and \
                    isinstance(inner[1], dict) else set()
                hit = (names - local) & removed
                name = next(iter(sorted(hit)), None)
            if name in removed:
                found.append((path, name))
                return
        for k, v in value.items():
            if len(path) == 2 and path[0] == "Resources" and k == "DependsOn":
                items = [v] if isinstance(v, str) else v if isinstance(v, list) else []
                for i, item in enumerate(items):
                    if item in removed:
                        found.append(((*path, k) if isinstance(v, str) else (*path, k, i), item))
                continue
            _references(v, path + (k,), removed, found)
            if found:
                return
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _references(v, path + (i,), removed, found)
            if found:
                return
