"""EventBridge Pipes: source → filter → enrichment → target, point to point (semantics.md §4).

The pipe polls its source like an event source mapping. Records its filter does not match are
removed from the source and counted as filtered. The enrichment is called synchronously and its
answer replaces the record; then the target gets it. A failure anywhere returns the batch to the
source, whose own retry and DLQ settings apply. The filter sees the record as Pipes presents it:
`{"body": ...}` for SQS, `{"data": ...}` for Kinesis, `{"dynamodb": {"NewImage": ...}}` for streams.
"""
from __future__ import annotations

from simulator.eventpattern import PatternError, compile_pattern
from simulator.services.base import Model


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
        self.targets = self.links("pipe_target")
        self.running: set = set()
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

    def invoke(self, msgs, done, mode, link=None, ctx=None) -> None:
        s = self.stats
        s.received += len(msgs)
        passed = []
        for m in msgs:
            if m.attempt > 1:
                s.retried += 1
            if self.matcher is False or (self.matcher is not None and not self.matcher.matches(self._view(m.core.body))):
                s.filtered += 1
                self.rt.record(m, m.hop_from, self.id, "filtered", "pipe filter")
            else:
                passed.append(m)
        if not passed:
            done(ctx, [], None, None)
            return
        error = self.fault_error(passed[0])
        if error:
            self._fail(passed, error, done, ctx)
            return
        job = {"msgs": passed, "done": done, "ctx": ctx, "left": 0, "error": None}
        self.running.add(id(job))
        self._jobs[id(job)] = job
        if self.enrichment is not None:
            job["left"] = len(passed)
            for m in passed:
                self.rt.deliver(self.enrichment, m.fresh(),
                                lambda ok, err, out, m=m, job=job: self._enriched(job, m, ok, err, out))
        else:
            self._to_targets(job)

    def _enriched(self, job, m, ok, err, output) -> None:
        job["left"] -= 1
        if not ok:
            job["error"] = job["error"] or err
        elif output is not None:
            job.setdefault("enriched", {})[id(m)] = output   # the enrichment's answer replaces the record
        if job["left"] == 0:
            if job["error"]:
                self._finish(job, job["error"])
            else:
                self._to_targets(job)

    def _to_targets(self, job) -> None:
        job["left"] = len(job["msgs"]) * len(self.targets)
        if not job["left"]:
            self._finish(job, None)
            return
        enriched = job.get("enriched", {})
        for m in job["msgs"]:
            body = enriched.get(id(m), m.core.body)
            for target in self.targets:
                if target.target.node.type in ("lambda", "state_machine"):
                    # Function and workflow targets get the batch as a JSON array (here, one record per
                    # array so each record keeps its own fate); a new payload is a new event, same trace.
                    out = self.rt.derive(m, [body])
                elif body is not m.core.body:
                    out = self.rt.derive(m, body)
                else:
                    out = m.fresh()
                self.rt.deliver(target, out, lambda ok, err, o, job=job: self._delivered(job, ok, err))

    def _delivered(self, job, ok, err) -> None:
        job["left"] -= 1
        if not ok:
            job["error"] = job["error"] or err
        if job["left"] == 0:
            self._finish(job, job["error"])

    def _finish(self, job, error) -> None:
        self.running.discard(id(job))
        self._jobs.pop(id(job), None)
        if error:
            self._fail(job["msgs"], error, job["done"], job["ctx"])
            return
        s = self.stats
        for m in job["msgs"]:
            s.processed += 1
            self.rt.record(m, m.hop_from, self.id, "processed")
        job["done"](job["ctx"], [], None, None)

    def _fail(self, msgs, error, done, ctx) -> None:
        s = self.stats
        s.failed += len(msgs)
        s.returned += len(msgs)
        for m in msgs:
            self.rt.record(m, m.hop_from, self.id, "failed", error)
        done(ctx, msgs, error, None)

    def in_flight(self) -> int:
        return sum(len(job["msgs"]) for job in self._jobs.values())
