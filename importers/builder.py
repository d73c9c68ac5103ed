"""The design being built from a template: nodes named after logical ids, edges checked against the
connection table, and the `metadata["sam"]` record of everything kept for re-export (see exporters/sam/kept.py)."""
from __future__ import annotations

import re

from design.connections import EDGE_PROPS, allowed_kinds
from design.registry import BY_NAME


def target_of(value) -> str | None:
    """The logical id an intrinsic points at: `!Ref X`, `!GetAtt X.Arn`, `!Sub "${X.Arn}"` → X."""
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if key == "Ref" and isinstance(inner, str):
            return inner
        if key == "Fn::GetAtt":
            if isinstance(inner, list) and inner and isinstance(inner[0], str):
                return inner[0]
            if isinstance(inner, str):
                return inner.split(".")[0]
        if key == "Fn::Sub" and isinstance(inner, str):
            found = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}", inner.strip())
            return found.group(1) if found else None
    return None


class Builder:
    def __init__(self, resources: dict, resolver=None):
        self.resources = resources
        self.resolver = resolver
        self.files: dict[str, str] = {}   # a project's files by relative path (DefinitionUri)
        self.nodes: list[dict] = []
        self.node_of: dict[str, str] = {}      # logical id → node id
        self.types: dict[str, str] = {}        # node id → node type
        self.edges: list[dict] = []
        self.edge_keys: set[str] = set()
        self.kept: dict = {"logical_ids": {}, "properties": {}, "resources": {}, "verbatim": [], "implicit": {},
                           "edge_ids": {}, "events": {}, "targets": {}, "passive": []}
        self.skipped: list[str] = []

    def resolve(self, value):
        """`value` with its intrinsics evaluated for the simulator (see importers/intrinsics.py); the template
        keeps them as written. None when they cannot be evaluated."""
        if self.resolver is None:
            return value
        return self.resolver.resolve(value)

    # --- nodes --------------------------------------------------------------------------------
    def add_node(self, lid: str, ntype: str, props: dict | None = None, implicit: str | None = None) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]", "_", lid)[:64]
        if not base or not base[0].isalpha():
            base = ("n" + base)[:64]
        nid, n = base, 2
        while nid in self.types:
            suffix = f"_{n}"
            nid, n = base[:64 - len(suffix)] + suffix, n + 1
        spec = BY_NAME[ntype].prop_index
        clean = {k: v for k, v in (props or {}).items() if k in spec and v is not None and spec[k].check(v) is None}
        self.nodes.append({"id": nid, "type": ntype, **({"props": clean} if clean else {})})
        self.types[nid] = ntype
        self.node_of[lid] = nid
        if implicit:
            self.kept["implicit"][nid] = implicit
        else:
            self.kept["logical_ids"][nid] = lid
        return nid

    def node_for(self, value, *types: str) -> str | None:
        lid = target_of(value) if not isinstance(value, str) else value
        nid = self.node_of.get(lid) if lid else None
        if nid and (not types or self.types[nid] in types):
            return nid
        return None

    def implicit_node(self, name: str, ntype: str, kind: str) -> str:
        if name in self.node_of:
            return self.node_of[name]
        return self.add_node(name, ntype, implicit=kind)

    # --- edges --------------------------------------------------------------------------------
    def add_edge(self, src: str | None, dst: str | None, kind: str, props: dict | None = None,
                 passive: bool = True) -> str | None:
        """An edge if the connection table allows it (else None); passive edges are drawn, not regenerated."""
        if not src or not dst:
            return None
        kinds = allowed_kinds(self.types[src], self.types[dst])
        if kind not in kinds:
            if not passive or not kinds:
                self.skipped.append(f"{src}->{dst} ({kind})")
                return None
            kind = kinds[0]
        key = f"{src}->{dst}"
        edge: dict = {"source": src, "target": dst}
        if key in self.edge_keys:
            n = 2
            while f"{key}#{n}" in self.edge_keys:
                n += 1
            key = f"{key}#{n}"
            edge["id"] = key
        edge["kind"] = kind
        clean = {}
        for name, value in (props or {}).items():
            spec = EDGE_PROPS.get(name)
            if spec and value is not None and spec.check(value) is None and \
                    (spec.kind != "node_ref" or value in self.types):
                clean[name] = value
        if clean:
            edge["props"] = clean
        self.edges.append(edge)
        self.edge_keys.add(key)
        if passive:
            self.kept["passive"].append(key)
        return key

    # --- what is kept -------------------------------------------------------------------------
    def note(self, text: str) -> None:
        """A sentence about something kept as written rather than read (a malformed shape); shown by the CLI."""
        self.kept.setdefault("notes", [])
        if text not in self.kept["notes"]:
            self.kept["notes"].append(text)

    def keep_resource(self, lid: str) -> None:
        self.kept["resources"][lid] = self.resources[lid]

    def keep_verbatim(self, lid: str, nid: str) -> None:
        self.keep_resource(lid)
        self.kept["verbatim"].append(nid)

    def keep_rest(self, lid: str, modelled: set) -> None:
        """A regenerated resource: keep its type, attributes and every property the design did not model."""
        resource = self.resources[lid]
        props = resource.get("Properties") or {}
        entry = {k: v for k, v in resource.items() if k != "Properties"}
        entry["Properties"] = {k: v for k, v in props.items() if k not in modelled}
        self.kept["properties"][lid] = entry

    def document(self, name: str, description: str, head: dict, outputs) -> dict:
        kept = {k: v for k, v in self.kept.items() if v}
        if head:
            kept["template"] = head
        if outputs:
            kept["outputs"] = outputs
        if self.skipped:
            kept["unmodelled_connections"] = self.skipped
        doc = {"name": name, "nodes": self.nodes, "edges": self.edges, "metadata": {"sam": kept}}
        if description:
            doc["description"] = description
        return doc
