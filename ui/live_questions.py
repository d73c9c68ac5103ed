"""Questions for a live lesson, generated from the run being played (pure: no streamlit).

"What happens to event N next?" at the teacher's hop: the right answer is the next thing the trace records
for that event (skipping bookkeeping records), the wrong ones are the other fates a delivery can have at that
service; `answer_hop` is the position at which the run shows the answer, so revealing it can play it. The
quiz engine's own run-derived items (quizzes.generate_runs: where a poison event 3 ends up, how many times it
is invoked) are offered as they are.
"""
from __future__ import annotations

import random

KIND_NAMES = ("move", "dlq", "answer", "ok", "fail", "retry", "throttle", "drop", "filter", "dedup", "info")


def _kind(payload: dict, hop: list) -> str:
    kinds = payload.get("kinds") or list(KIND_NAMES)
    return kinds[hop[4]] if 0 <= hop[4] < len(kinds) else "info"


def _fate(kind: str, src: str, dst: str) -> str:
    return {
        "move": f"It is delivered on to {dst}",
        "dlq": f"It is moved to the dead-letter queue {dst}",
        "answer": f"An answer goes back to {dst}",
        "ok": f"{dst} processes it successfully",
        "fail": f"It fails at {dst}",
        "retry": f"It becomes visible again in {dst} for another attempt",
        "throttle": f"It is throttled at {dst}",
        "drop": "It is dropped, with nowhere left to go",
        "filter": "It is filtered out: no rule or subscription asks for it",
        "dedup": f"{dst} recognises it as a repeat and skips the side effect",
        "none": "Nothing more happens to it in this run",
    }[kind]


def next_for_event(design, payload: dict, hop: int) -> dict | None:
    """The question at position `hop` (hops played so far, ≥ 1): None before the first hop."""
    hops = payload.get("hops") or []
    if hop < 1 or hop > len(hops):
        return None
    titles = [n.title for n in design.nodes]
    name = lambda i: titles[i] if 0 <= i < len(titles) else "outside the design"   # noqa: E731
    current = hops[hop - 1]
    event = current[7]
    now_line = (payload.get("narration") or [""] * len(hops))[hop - 1]
    following = None
    for i in range(hop, len(hops)):
        h = hops[i]
        if h[7] == event and _kind(payload, h) != "info":
            following = (i, h)
            break
    here = name(current[3] if current[3] >= 0 else current[2])
    if following is None:
        right_kind, right_text, answer_hop = "none", _fate("none", here, here), None
    else:
        i, h = following
        right_kind = _kind(payload, h)
        right_text = _fate(right_kind, name(h[2]), name(h[3] if h[3] >= 0 else h[2]))
        answer_hop = i + 1
    dlqs = [name(h[3]) for h in hops if _kind(payload, h) == "dlq" and h[3] >= 0]
    dlq_title = dlqs[0] if dlqs else next((n.title for n in design.nodes if "dlq" in n.id.lower()), None)
    wrong = []
    for kind in ("fail", "ok", "retry", "dlq", "drop", "move", "none", "throttle"):
        if kind == right_kind:
            continue
        if kind == "dlq" and not dlq_title:
            continue
        text = _fate(kind, here, dlq_title if kind == "dlq" else here)
        if text != right_text and text not in wrong:
            wrong.append(text)
    rng = random.Random(f"{payload.get('id', '')}-{hop}")
    texts = [right_text] + wrong[:3]
    rng.shuffle(texts)
    options = [{"id": chr(ord("a") + n), "text": t} for n, t in enumerate(texts)]
    answer = next(o["id"] for o in options if o["text"] == right_text)
    why = ("The run shows it at hop " + f"{answer_hop:,}" if answer_hop else "The run records nothing more for it")
    return {"stem": f"At hop {hop:,} ({now_line}): what happens to event {event} next?",
            "options": options, "answer": answer, "answer_hop": answer_hop, "source": "run",
            "explanation": f"{why}: {right_text.lower()}."}


def from_quiz_item(item) -> dict:
    """A quiz-engine item (single choice) as a live question."""
    return {"stem": item.stem, "options": [{"id": o.id, "text": o.text} for o in item.options],
            "answer": item.answer[0] if item.answer else None, "answer_hop": None, "source": "quiz",
            "explanation": next((o.explanation for o in item.options if item.answer and o.id == item.answer[0]),
                                item.explanation)}


def quiz_items(design) -> list:
    """The quiz engine's run-derived single-choice items for this design (may take a few seeded runs)."""
    from quizzes.generate_runs import consumers_reached, fate_items
    out = []
    for consumer in consumers_reached(design)[:2]:
        out.extend(i for i in fate_items(design, consumer) if i.type == "single")
    return out
