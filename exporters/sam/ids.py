"""Logical ids: derived from node ids (never labels: renaming a label must not replace a deployed resource).

`order-q`, `order_q` and `Order Q!` all become `OrderQ`; collisions get a number (`OrderQ2`) in node
order, so ids are stable for the same design. Names SAM generates itself are avoided.
"""
from __future__ import annotations

import re

# Logical ids SAM creates on its own (implicit APIs, generated roles); a node must never take one.
SAM_RESERVED = {"ServerlessRestApi", "ServerlessHttpApi", "ServerlessDeploymentBucket"}
# Suffixes SAM appends to a function's, state machine's or API's logical id for what it generates.
SAM_SUFFIXES = ("Role", "EventInvokeConfig", "Aliaslive", "Version", "Deployment", "ProdStage", "Stage",
                "ApiGatewayDefaultStage", "ApiKey", "UsagePlan")
MAX_LEN = 200   # CloudFormation allows 255; leave room for suffixes such as `Role`, `Policy`


def camel(text: str) -> str:
    """`confirm_q` → `ConfirmQ`; only ASCII letters and digits survive; never starts with a digit."""
    words = re.split(r"[^A-Za-z0-9]+", text)
    out = "".join(w[:1].upper() + w[1:] for w in words if w)
    if not out or not out[0].isalpha():
        out = "N" + out
    return out[:MAX_LEN]


class LogicalIds:
    """Hands out unique logical ids: node ids first (fixed), then helper resources as they are named."""

    def __init__(self, node_ids: list[str], fixed: dict[str, str] | None = None, sam_nodes: set[str] = frozenset()):
        """`sam_nodes`: nodes that SAM expands into `<Id>Role`, `<Id>EventInvokeConfig`, ...: those names
        are kept free so a node called `confirm_role` never meets the role SAM makes for `confirm`."""
        self.taken: set[str] = set(SAM_RESERVED)
        self.by_node: dict[str, str] = {}
        fixed = fixed or {}
        for nid in node_ids:                    # ids kept from an imported template come first
            if nid in fixed and fixed[nid] not in self.taken and re.fullmatch(r"[A-Za-z0-9]{1,255}", fixed[nid]):
                self.by_node[nid] = self._take(fixed[nid])
        self.taken |= {self.by_node[n] + s for n in self.by_node if n in sam_nodes for s in SAM_SUFFIXES}
        for nid in sorted(node_ids, key=lambda n: n not in sam_nodes):   # SAM expanders first, stable
            if nid not in self.by_node:
                self.by_node[nid] = self.new(camel(nid), SAM_SUFFIXES if nid in sam_nodes else ())
                if nid in sam_nodes:
                    self.taken |= {self.by_node[nid] + s for s in SAM_SUFFIXES}

    def _take(self, name: str) -> str:
        self.taken.add(name)
        return name

    def new(self, base: str, suffixes: tuple = ()) -> str:
        """A free id from `base`; with `suffixes`, also `id + suffix` must be free (what SAM will add)."""
        base = camel(base) if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", base) else base[:MAX_LEN]
        name, n = base, 2
        while name in self.taken or any(name + s in self.taken for s in suffixes):
            name, n = f"{base}{n}", n + 1
        return self._take(name)

    def reserve(self, names) -> None:
        """Names already used by the template (kept resources, parameters): never hand these out."""
        self.taken.update(names)
