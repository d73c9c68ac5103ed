"""A plain-text summary of a run for the terminal."""
from __future__ import annotations

COLUMNS = ("received", "processed", "failed", "retried", "duplicates_delivered", "duplicate_side_effects",
           "dead_lettered", "dropped", "filtered", "parked", "in_flight")
HEADS = ("recv", "proc", "fail", "retry", "dup in", "dup fx", "DLQ'd", "drop", "filt", "parked", "flight")


def text_report(run) -> str:
    width = max([len(n) for n in run.nodes] + [5])
    lines = [f"seed {run.seed} · {run.until_s:g} simulated s · stopped by {run.stopped_by} · {run.hops:,} hops",
             f"{'node':<{width}}  " + " ".join(f"{h:>7}" for h in HEADS)]
    for nid, stats in run.nodes.items():
        lines.append(f"{nid:<{width}}  " + " ".join(f"{stats[c]:>7}" for c in COLUMNS))
    lines.append(f"{'total':<{width}}  " + " ".join(f"{run.totals[c]:>7}" for c in COLUMNS))
    for nid, info in run.clients.items():
        lines.append(f"{nid} was answered: " + ", ".join(f"{k} × {v}" for k, v in info["answers"].items()))
    for note in run.notes:
        lines.append(f"note: {note}")
    for f in run.findings:
        lines.append(f"finding {f['id']} at {f['path']}: {f['message']}")
    c = run.conservation
    lines.append("conservation: ok" if c["ok"] else "conservation: BROKEN\n  " + "\n  ".join(c["problems"]))
    return "\n".join(lines)
