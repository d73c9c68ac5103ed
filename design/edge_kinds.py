"""The one table of edge kinds and their traits.

Every package that asks "what does an edge of this kind do?" reads it here: the loader (which kinds
exist), the connection table (design.connections), lint (what triggers a node, what is an asynchronous
invocation), the simulator (which deliveries are at least once, which invoke Lambda asynchronously),
the designer and the diagrams (the word on the edge, how it is drawn). A new kind is one row.

Traits:
- `words`: what the kind means, for the kind picker.
- `flows`: it carries data forward; a cycle through only these can loop forever.
- `triggers`: it makes the target run (an invocation, a delivery, a poll).
- `async_delivery`: the sender does not wait; a Lambda target is invoked through its internal queue
  (retries, destinations). A dead-letter edge is one too, but never points at a function.
- `at_least_once`: the service delivers at least once on its own (its natural duplicate rate applies).
- `polled`: the target polls the source (the consumer's configuration names the source).
- `side`: a side path (failure records, alarms, destinations), not the design's main flow.
- `failure_path`: where what the source gave up on goes.
- `label`: the word written on the edge in the canvas and the diagrams ("" for none).
- `style`: how it is drawn: flow, sync, async, failure, side or dotted (dash pattern, never colour alone).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EdgeKind:
    name: str
    words: str
    flows: bool = False
    triggers: bool = False
    async_delivery: bool = False
    at_least_once: bool = False
    polled: bool = False
    side: bool = False
    failure_path: bool = False
    label: str = ""
    style: str = "flow"

    def __str__(self) -> str:   # a kind shown to a person reads as its meaning
        return self.words


_ROWS = (
    EdgeKind("sync", "synchronous call: the caller waits for the answer", flows=True, triggers=True,
             label="sync", style="sync"),
    EdgeKind("async", "asynchronous invocation: Lambda's internal queue, retries, destinations", flows=True,
             triggers=True, async_delivery=True, at_least_once=True, label="async", style="async"),
    EdgeKind("event_source", "event source mapping: Lambda (or a pipe) polls a queue or stream", flows=True,
             triggers=True, at_least_once=True, polled=True),
    EdgeKind("subscription", "SNS subscription (optionally with a filter policy)", flows=True, triggers=True,
             async_delivery=True, at_least_once=True),
    EdgeKind("rule_target", "EventBridge rule target (the edge carries the rule's pattern)", flows=True,
             triggers=True, async_delivery=True, at_least_once=True),
    EdgeKind("integration", "API Gateway direct service integration, no function in between", flows=True,
             triggers=True),
    EdgeKind("notification", "S3 event notification", flows=True, triggers=True, async_delivery=True,
             at_least_once=True),
    EdgeKind("schedule_target", "EventBridge Scheduler target", flows=True, triggers=True, async_delivery=True,
             at_least_once=True),
    EdgeKind("pipe_target", "EventBridge Pipe target", flows=True, triggers=True),
    EdgeKind("enrichment", "EventBridge Pipe enrichment step", triggers=True, label="enrich"),
    EdgeKind("task", "Step Functions task calling this node", flows=True, triggers=True, label="task",
             style="sync"),
    EdgeKind("publish", "the function sends, publishes or writes to this service", flows=True, triggers=True),
    EdgeKind("stream", "change stream read by a consumer", flows=True, triggers=True, at_least_once=True,
             polled=True, label="stream"),
    EdgeKind("delivery", "Firehose delivery to storage", flows=True, label="delivers"),
    EdgeKind("metric", "an alarm watches this node", side=True, label="watches", style="dotted"),
    EdgeKind("notify", "an alarm notifies a target", triggers=True, async_delivery=True, side=True,
             label="notifies", style="dotted"),
    EdgeKind("dead_letter", "where messages go after the source gives up", async_delivery=True, side=True,
             failure_path=True, label="DLQ", style="failure"),
    EdgeKind("on_failure", "on-failure destination: an invocation record after retries run out", triggers=True,
             async_delivery=True, side=True, failure_path=True, label="on failure", style="failure"),
    EdgeKind("on_success", "on-success destination", triggers=True, async_delivery=True, side=True,
             label="on success", style="side"),
    EdgeKind("compensate", "the undo step for this step of a saga", label="undo", style="dotted"),
)

EDGE_KINDS: dict[str, EdgeKind] = {k.name: k for k in _ROWS}


def kinds_where(trait: str) -> frozenset[str]:
    """The names of the kinds that have `trait` (a boolean field of EdgeKind)."""
    return frozenset(k.name for k in _ROWS if getattr(k, trait))


# Read on hot or frequent paths as plain frozensets, derived once from the table above.
FLOW_KINDS = kinds_where("flows")
TRIGGER_KINDS = kinds_where("triggers")
DELIVERY_KINDS_ASYNC = kinds_where("async_delivery")
# Lambda is invoked asynchronously by these: the asynchronous kinds that make their target run (a dead-letter
# edge is asynchronous too, but delivers into a queue, never into a function).
ASYNC_INVOKE_KINDS = DELIVERY_KINDS_ASYNC & TRIGGER_KINDS
AT_LEAST_ONCE_KINDS = kinds_where("at_least_once")
POLLED_KINDS = kinds_where("polled")
SIDE_KINDS = kinds_where("side")
FAILURE_PATH_KINDS = kinds_where("failure_path")
