"""EventBridge Pipes: source → filter → enrichment → target, point to point (semantics.md §4).

The pipe polls its source like an event source mapping. Records its filter does not match are
removed from the source and counted as filtered. The filter sees the record as Pipes presents it:
`{"body": ...}` for SQS, `{"data": ...}` for Kinesis, `{"dynamodb": {"NewImage": ...}}` for streams.

Batching (eb-pipes-batching-concurrency): the pipe works on batches of up to its `batch_size` records.
"If the enrichment or target doesn't have a batch API but receives full JSON payloads, such as Lambda
and Step Functions, the entire JSON array is sent in one request" — one invocation per batch; targets
with a batch API (SQS, SNS, a bus, a stream, Firehose) get one message per record. The enrichment is
called once per batch and its answer replaces the records; then the target gets them. A failure
anywhere fails the whole batch, which returns to the source, whose own retry and DLQ settings apply
(an SQS source: the queue's maxReceiveCount; a stream: the mapping's retries, age, and the pipe's
dead-letter edge).

Input transformation (eb-pipes-input-transformation): the `input_transform` mapping on the target
edge is the InputTemplate written as a mapping. "Input transformers are applied separately on each
individual JSON record in the array, not the array as a whole." The delivered record is the template,
with `<$.path>` values read from the record (the enrichment's answer when there is one) and the
reserved variables `<aws.pipes.pipe-name>`, `<aws.pipes.event.ingestion-time>` and `<aws.pipes.event>`.
"""
from __future__ import annotations

from matching import PatternError, compile_pattern
from simulator.services.base import Model, model_for
from simulator.services.transform import render

# Targets whose service has no batch API: the pipe delivers the batch as one JSON array.
_ARRAY_TARGETS = ("lambda", "state_machine")


@model_for("pipe")
class PipeModel(Model):
    duration = 0.0

    def setup(self) -> None:
        p = self.node.prop
        self.matcher = None
        if p("filter"):
            try:
                self.matcher = compile_pattern(p("filter"))
            except PatternError as exc:
                self.rt.finding("SIM-BAD-PATTERN", f"nodes[{self.id}].props.filter",
                                f"invalid filter ({'; '.join(exc.problems)[:200]}); it matches nothing")
                self.matcher = False
        enrich_id = p("enrichment")
        self.enrichment = next((l for l in self.links("enrichment") if l.target.id == enrich_id), None) \
            if enrich_id else None
        if enrich_id and self.enrichment is None:
            self.rt.finding("SIM-PIPE-ENRICH", f"nodes[{self.id}].props.enrichment",
                            f"enrichment {enrich_id!r} has no enrichment edge from the pipe; it is skipped")
        self.batch_size = int(p("batch_size") or 1)
        self.targets = self.links("pipe_target")
        self.transforms = {id(t): t.props.get("input_transform") for t in self.targets}
        # A stream source's discarded records go to the pipe's dead-letter queue (DeadLetterConfig);
        # the stream reader looks for this attribute. An SQS source uses the queue's own redrive policy.
        self.on_failure = self.link("dead_letter")
        self._jobs: dict = {}
        self.source_type = self.inbound[0].source.node.type if self.inbound else "sqs_queue"

    def _view(self, body):
        if self.source_type == "sqs_queue":
            return {"body": body}
        if self.source_type == "kinesis_stream":
            return {"data": body}
        if isinstance(body, dict) and "dynamodb" in body:
            return body
        return {"dynamodb": {"NewImage": body}}

    # polled by the source -------------------------------------------------------------------
    def invoke(self, msgs, done, mode, link=None, ctx=None) -> None:
        s = self.stats
        s.received += len(msgs)
        passed = []
        for m in msgs:
            if m.attempt > 1:
                s.retried += 1
            elif m.copy:
                s.duplicates_delivered += 1
            if self.matcher is False or (self.matcher is not None and not self.matcher.matches(self._view(m.core.body))):
                s.filtered += 1
                self.rt.record(m, m.hop_from, self.id, "filtered", "pipe filter")
            else:
                passed.append(m)
        if not passed:
            done(ctx, [], None, None)
            return
        size = self.batch_size
        chunks = [passed[i:i + size] for i in range(0, len(passed), size)]
        job = {"done": done, "ctx": ctx, "left": len(chunks), "failed": [], "error": None, "pending": len(passed)}
        self._jobs[id(job)] = job
        for chunk in chunks:
            self._start(job, chunk)

    def _start(self, job, chunk: list) -> None:
        batch = {"job": job, "msgs": chunk, "left": 0, "error": None}
        error = self.fault_error(chunk[0])
        if error:
            self._batch_done(batch, error)
            return
        if self.enrichment is None:
            self._to_targets(batch, [m.core.body for m in chunk])
            return
        if len(chunk) == 1:
            # AWS sends a one-element array; the simulator sends the record itself so a function's `emits`
            # (merged over a mapping) still enriches it. Same number of invocations †.
            request = chunk[0].fresh()
        else:
            request = self.rt.derive(chunk[0], [m.core.body for m in chunk])
        self.rt.deliver(self.enrichment, request, lambda ok, err, out, b=batch: self._enriched(b, ok, err, out))

    def _enriched(self, batch, ok, err, output) -> None:
        if not ok:
            self._batch_done(batch, err or "EnrichmentFailed")
            return
        chunk = batch["msgs"]
        if output is None:
            records = [m.core.body for m in chunk]
        elif isinstance(output, list) and len(chunk) > 1:
            records = output          # the answer replaces the batch (it may be shorter or longer)
        else:
            records = [output]
        self._to_targets(batch, records, enriched=True)

    def _to_targets(self, batch, records: list, enriched: bool = False) -> None:
        chunk = batch["msgs"]
        if not records or not self.targets:
            self._batch_done(batch, None)
            return
        rt = self.rt
        deliveries = []
        for target in self.targets:
            template = self.transforms[id(target)]
            bodies = records
            if template is not None:
                view = (lambda r: r) if enriched else self._view
                bodies = [self._render(template, view(r)) for r in records]
            if target.target.node.type in _ARRAY_TARGETS:
                # One request carrying the batch as a JSON array: a new payload is a new event, same trace.
                deliveries.append((target, rt.derive(chunk[0], list(bodies))))
                continue
            for i, body in enumerate(bodies):
                parent = chunk[min(i, len(chunk) - 1)]
                # An untouched record travels on as the same event (same id); a reshaped one is a new event.
                same = template is None and i < len(chunk) and body is chunk[i].core.body
                deliveries.append((target, parent.fresh() if same else rt.derive(parent, body)))
        batch["left"] = len(deliveries)
        for target, out in deliveries:
            rt.deliver(target, out, lambda ok, err, _o, b=batch: self._delivered(b, ok, err))

    def _delivered(self, batch, ok, err) -> None:
        batch["left"] -= 1
        if not ok:
            batch["error"] = batch["error"] or err or "TargetFailed"
        if batch["left"] == 0:
            self._batch_done(batch, batch["error"])

    def _batch_done(self, batch, error) -> None:
        job = batch["job"]
        job["pending"] -= len(batch["msgs"])
        s = self.stats
        if error:
            s.failed += len(batch["msgs"])
            s.returned += len(batch["msgs"])
            for m in batch["msgs"]:
                self.rt.record(m, m.hop_from, self.id, "failed", error)
            job["failed"].extend(batch["msgs"])
            job["error"] = job["error"] or error
        else:
            for m in batch["msgs"]:
                s.processed += 1
                self.rt.record(m, m.hop_from, self.id, "processed")
        job["left"] -= 1
        if job["left"] == 0:
            self._jobs.pop(id(job), None)
            job["done"](job["ctx"], job["failed"], job["error"], None)

    # input transformation ---------------------------------------------------------------------
    def _render(self, template, event):
        return render(template, event, {"aws.pipes.pipe-name": self.id,
                                        "aws.pipes.event.ingestion-time": round(self.env.now, 3),
                                        "aws.pipes.event": event, "aws.pipes.event.json": event})

    def in_flight(self) -> int:
        return sum(job["pending"] for job in self._jobs.values())
