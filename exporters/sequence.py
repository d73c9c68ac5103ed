"""A Mermaid sequence diagram of a simulation run: who talked to whom, in order (from `Run.trace`, capped)."""
from __future__ import annotations

import re

DEFAULT_LIMIT = 200
from simulator.outcomes import OUTCOMES

# The outcome table's arrows in Mermaid; a reply is drawn from the target back to the source.
_MERMAID = {"call": "->>", "reply": "-->>", "fail": "--x", "async": "-)"}


def _pid(node_id: str) -> str:
    return "p_" + re.sub(r"[^A-Za-z0-9_]", "_", str(node_id))


def _text(value: str) -> str:
    # Mermaid reads ; # : and newlines in message text; entity codes show them as text.
    return (str(value).replace("#", "#35;").replace(";", "#59;").replace(":", "#58;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))[:120]


def to_sequence(trace, titles: dict[str, str] | None = None, limit: int = DEFAULT_LIMIT) -> str:
    """`trace` rows are (time, event_id, trace_id, from, to, attempt, outcome, detail, is_copy)."""
    titles = titles or {}
    rows = list(trace or [])
    shown = rows[:limit]
    lines = ["sequenceDiagram", "    autonumber"]
    seen: list[str] = []
    for row in shown:
        for node in (row[3], row[4]):
            if node is not None and node not in seen:
                seen.append(node)
    for node in seen:
        lines.append(f"    participant {_pid(node)} as {_text(titles.get(node, node))}")
    for time, event_id, _trace_id, src, dst, attempt, outcome, detail, is_copy in shown:
        label = f"t={time:g}s e{event_id} {outcome}"
        if attempt and attempt > 1:
            label += f" (attempt {attempt})"
        if is_copy:
            label += " (duplicate copy)"
        if detail:
            label += f" · {detail}"
        src = src if src is not None else dst
        kind = OUTCOMES[outcome].arrow if outcome in OUTCOMES else "call"
        if kind == "note":
            lines.append(f"    Note over {_pid(dst if dst is not None else src)}: {_text(label)}")
            continue
        a, b = (dst, src) if kind == "reply" else (src, dst)
        arrow = _MERMAID[kind]
        lines.append(f"    {_pid(a)}{arrow}{_pid(b)}: {_text(label)}")
    if len(rows) > len(shown) and seen:
        lines.append(f"    Note over {_pid(seen[0])}: … and {len(rows) - len(shown):,} more hops not shown")
    return "\n".join(lines) + "\n"
