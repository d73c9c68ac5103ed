"""Questions about the learner's own design, with answers derived from its structure and from runs.

Three generators, each returning Items graded like bank items:
- `classify_item`: choreography or orchestration, by this rule (stated to learners in the explanation):
    orchestration — a state machine calls two or more distinct nodes through `task` edges (one coordinator
      owns the sequence);
    choreography — a function publishes to an event bus or SNS topic and that bus or topic delivers, directly
      or through a queue, to a different function (services react to each other's events);
    a design with both, or neither, gets no classify question.
- `fate_items`: "event 3 fails every time consumer B handles it (a poison message): where does it end up, and
  how many times is B invoked for it?" — answered from a seeded run with that fault injected.
- `duplicate_item`: "every delivery into B is duplicated: how many side effects does B perform for 3 events?"
  — answered by a run (processed − deduplicated at B).
"""
from __future__ import annotations

import hashlib
import json

from design.model import Design
from quizzes.items import Item, Option

FUNCTIONS = ("lambda",)
RELAYS = ("event_bus", "sns_topic")
def _gid(design: Design, kind: str, extra: str = "") -> str:
    digest = hashlib.sha256(json.dumps(design.to_dict(), sort_keys=True).encode()).hexdigest()[:10]
    return f"gen-{kind}-{digest}{'-' + extra if extra else ''}"


def _title(design: Design, node_id: str) -> str:
    return design.node(node_id).title


# --- choreography or orchestration ------------------------------------------------------------------------
def structure(design: Design) -> dict:
    """The evidence for each style: {"orchestration": [...], "choreography": [...]} in words."""
    types = {n.id: n.type for n in design.nodes}
    orch = []
    for n in design.nodes:
        if n.type == "state_machine":
            tasks = sorted({e.target for e in design.out_edges(n.id) if design.kind_of(e) == "task"})
            if len(tasks) >= 2:
                orch.append(f"the state machine {n.title} calls {', '.join(_title(design, t) for t in tasks)} "
                            "as Task states")
    choreo = []
    for e in design.edges:
        if types.get(e.source) in FUNCTIONS and types.get(e.target) in RELAYS and design.kind_of(e) == "publish":
            for reached in _delivered_functions(design, e.target):
                if reached != e.source:
                    choreo.append(f"{_title(design, e.source)} publishes to {_title(design, e.target)}, "
                                  f"and {_title(design, reached)} reacts to what arrives there")
    return {"orchestration": orch, "choreography": sorted(set(choreo))}


def _delivered_functions(design: Design, relay: str) -> list[str]:
    types = {n.id: n.type for n in design.nodes}
    out = []
    for e in design.out_edges(relay):
        if design.kind_of(e) in ("dead_letter", "metric"):
            continue
        if types[e.target] in FUNCTIONS:
            out.append(e.target)
        elif types[e.target] == "sqs_queue":
            out += [q.target for q in design.out_edges(e.target)
                    if types[q.target] in FUNCTIONS and design.kind_of(q) == "event_source"]
    return out


def classify(design: Design) -> str | None:
    found = structure(design)
    if bool(found["orchestration"]) == bool(found["choreography"]):
        return None
    return "orchestration" if found["orchestration"] else "choreography"


def classify_item(design: Design) -> Item | None:
    label = classify(design)
    if label is None:
        return None
    evidence = structure(design)[label][0]
    other = "choreography" if label == "orchestration" else "orchestration"
    rule = ("Rule used: orchestration when one state machine calls two or more steps through Task edges; "
            "choreography when a function publishes to a bus or topic and another function reacts to it.")
    options = (Option(label, label.capitalize(), f"Right: {evidence}. {rule}", True),
               Option(other, other.capitalize(), f"Not here: {rule} This design has no "
                      + ("function-to-function events through a bus or topic." if label == "orchestration"
                         else "state machine sequencing the steps."), False))
    reasons = (
        Option("coordinator", "One component owns the sequence and calls each step in turn",
               "This is what orchestration looks like." + (f" Here: {evidence}." if label == "orchestration"
                                                          else " Nothing in this design sequences the steps."),
               label == "orchestration"),
        Option("reactions", "Each service reacts to events published by another; no one owns the whole flow",
               "This is what choreography looks like." + (f" Here: {evidence}." if label == "choreography"
                                                         else " Here the steps do not publish events to each other."),
               label == "choreography"),
        Option("queues", "It uses queues, so it must be choreography",
               "Queues buffer work in both styles; what decides is who knows the flow, not which services appear.",
               False),
        Option("sync", "Its steps call each other synchronously",
               "Synchronous chains are neither style done well; the question is whether a coordinator or event "
               "reactions drive the process.", False),
    )
    return Item(id=_gid(design, "classify"), type="classify",
                topics=("choreography-vs-orchestration", label),
                difficulty="intermediate",
                stem=f"Look at your design “{design.name}”. Is its process choreographed or orchestrated, and why?",
                options=options, answer=(label,), reasons=reasons,
                answer_reason="coordinator" if label == "orchestration" else "reactions",
                explanation=rule, design=design, bank="generated",
                sources=("https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/"
                         "saga-orchestration.html",
                         "https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/"
                         "saga-choreography.html"),
                facts={"rule": rule, **structure(design)})


def items_for_design(design: Design, seed: int = 0, limit: int = 4) -> list[Item]:
    """Questions about `design`: classify it (when the rule applies), then the fate of a poisoned event 3 and
    the effect of duplicates at one consumer it reaches (chosen with `seed`)."""
    import random

    from quizzes.generate_runs import consumers_reached, duplicate_item, fate_items
    from quizzes.predict import PredictError
    from simulator.run import ScenarioError
    out: list[Item] = []
    item = classify_item(design)
    if item is not None:
        out.append(item)
    try:
        consumers = consumers_reached(design)
        if consumers:
            consumer = random.Random(f"consumer/{seed}").choice(consumers)
            out += fate_items(design, consumer)
            dup = duplicate_item(design, consumer)
            if dup is not None:
                out.append(dup)
    except (ScenarioError, PredictError):
        pass    # a design whose scenario cannot run gets only the structural question
    return out[:limit]
