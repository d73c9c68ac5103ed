"""Amazon EventBridge: a bus with rules (event patterns, ≤ 5 targets each), per-target retry
policy and DLQ, archive and replay; and EventBridge Scheduler.

Numbers (semantics.md §4; eb-rule-retry-policy.html, API_RetryPolicy.html): "By default, EventBridge
retries sending the event for 24 hours and up to 185 times with an exponential back off and jitter";
MaximumRetryAttempts 0–185, MaximumEventAgeInSeconds 60–86,400, retries continue until either limit is
reached; without a DLQ the event is dropped when retries run out; at most 5 targets per rule; no
ordering. Archive (eb-archive.html, API_CreateArchive): retention in days, indefinite by default;
replayed events are not archived again. Replay (API_StartReplay.html) works through one-minute slices
of event time, first minute first, and does not guarantee the original order.
"""
from __future__ import annotations

from matching import PatternError, compile_pattern
from simulator.messages import EventCore, Message
from simulator.services.base import model_for
from simulator.services.router import Router
from simulator.services.transform import render

MAX_TARGETS_PER_RULE = 5
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_MAX_AGE_S = 86_400.0
RETRY_ATTEMPTS_RANGE = (0, 185)
MAX_AGE_RANGE_S = (60.0, 86_400.0)
DAY_S = 86_400.0
# The backoff curve is not published †. Chosen: exponential from 1 s, doubling, capped at 640 s, with
# "equal jitter" (half the step fixed, half random). 185 retries then take 23.5 h on average (between
# 15.7 h and 31.4 h at the extremes, ±20 min in practice), so with the defaults a target that never
# recovers gives up after about a day: usually after its 185th retry, sometimes by age at 24 h.
BACKOFF_CAP_S = 640.0


def _eventbridge_delays(rng, attempts: int):
    for n in range(attempts):
        step = min(BACKOFF_CAP_S, 2.0 ** n)
        yield step * (0.5 + 0.5 * rng.random())


def retry_policy(rt, where: str, attempts, age) -> tuple[int, float]:
    """A RetryPolicy's two limits, defaulted, and clamped to AWS's ranges with a finding when outside."""
    attempts = DEFAULT_RETRY_ATTEMPTS if attempts is None else int(attempts)
    age = DEFAULT_MAX_AGE_S if age is None else float(age)
    lo, hi = RETRY_ATTEMPTS_RANGE
    if not lo <= attempts <= hi:
        rt.finding("SIM-RETRY-POLICY", f"{where}.retry_attempts", f"MaximumRetryAttempts must be {lo}–{hi} "
                   f"(got {attempts}); AWS would refuse it, the run uses {min(hi, max(lo, attempts))}")
        attempts = min(hi, max(lo, attempts))
    lo_s, hi_s = MAX_AGE_RANGE_S
    if not lo_s <= age <= hi_s:
        rt.finding("SIM-RETRY-POLICY", f"{where}.max_event_age_s", f"MaximumEventAgeInSeconds must be "
                   f"{lo_s:g}–{hi_s:g} (got {age:g}); AWS would refuse it, the run uses {min(hi_s, max(lo_s, age)):g}")
        age = min(hi_s, max(lo_s, age))
    return attempts, age


def envelope(body, now: float, event_id: int) -> dict:
    """The EventBridge event for a put: the body as sent if it is already an event, else wrapped."""
    if isinstance(body, dict) and "detail" in body:
        event = dict(body)
    else:
        detail = body if isinstance(body, dict) else {"value": body}
        event = {"detail": detail}
        if isinstance(body, dict):
            event["source"] = body.get("source", "custom.app")
            event["detail-type"] = body.get("detail-type", "Event")
            event["detail"] = {k: v for k, v in body.items() if k not in ("source", "detail-type")}
    event.setdefault("version", "0")
    event.setdefault("source", "custom.app")
    event.setdefault("detail-type", "Event")
    event.setdefault("account", "123456789012")
    event.setdefault("region", "us-east-1")
    event.setdefault("resources", [])
    event["id"] = f"e{event_id}"
    event.setdefault("time", f"2026-01-01T{int(now // 3600) % 24:02d}:{int(now % 3600 // 60):02d}:"
                             f"{int(now % 60):02d}Z")
    return event


@model_for("event_bus")
class BusModel(Router):
    def setup(self) -> None:
        super().setup()
        self.rules: list[tuple[str, object, list]] = []
        grouped: dict[str, list] = {}
        for link in self.links("rule_target"):
            grouped.setdefault(link.props.get("rule") or link.key, []).append(link)
        for name, links in grouped.items():
            matcher = self._compile(name, links)
            targets = []
            for link in links[:MAX_TARGETS_PER_RULE]:
                dl_id = link.props.get("dead_letter")
                targets.append((link, self.rt.dead_letter_link(self, dl_id) if dl_id else None))
                link.extra["retry_policy"] = retry_policy(self.rt, f"edges[{link.key}].props",
                                                          link.props.get("retry_attempts"),
                                                          link.props.get("max_event_age_s"))
            if len(links) > MAX_TARGETS_PER_RULE:
                self.rt.finding("SIM-RULE-TARGETS", f"nodes[{self.id}]", f"rule {name!r} has {len(links)} targets; "
                                f"EventBridge accepts at most {MAX_TARGETS_PER_RULE}: the rest get nothing here")
            self.rules.append((name, matcher, targets))
        p = self.node.prop
        self.archive_on = bool(p("archive"))
        days = p("archive_retention_days")
        self.retention_s = float(days) * DAY_S if days else None     # unset (or 0 in AWS): indefinitely
        self.replays = 0
        self.archive: list[tuple[float, object]] = []
        self.archive_matcher = None
        if self.archive_on and p("archive_pattern"):
            self.archive_matcher = self._compile_one("archive", p("archive_pattern"))

    def _compile(self, name: str, links: list):
        patterns = [link.props.get("pattern") for link in links if link.props.get("pattern") is not None]
        if not patterns:
            self.rt.finding("SIM-RULE-NO-PATTERN", f"edges[{links[0].key}]", f"rule {name!r} has no event pattern; "
                            "EventBridge needs one, so it matches nothing here")
            return None
        if any(p != patterns[0] for p in patterns):
            self.rt.finding("SIM-RULE-PATTERNS", f"edges[{links[0].key}]", f"targets of rule {name!r} carry "
                            "different patterns; the first one is used")
        return self._compile_one(name, patterns[0])

    def _compile_one(self, name: str, pattern):
        try:
            return compile_pattern(pattern)
        except PatternError as exc:
            self.rt.finding("SIM-BAD-PATTERN", f"nodes[{self.id}]", f"rule {name!r}: invalid event pattern "
                            f"({'; '.join(exc.problems)[:200]}); it matches nothing (fails closed)")
            return None

    def retry_schedule(self, link):
        return _eventbridge_delays(self.rt.rng, link.extra["retry_policy"][0])

    def max_age(self, link) -> float:
        return link.extra["retry_policy"][1]

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        if reply:
            reply(True, None, None)
        core = msg.core
        if not (isinstance(core.body, dict) and "detail" in core.body and "id" in core.body):
            core.body = envelope(core.body, self.env.now, core.id)
        if self.archive_on and (self.archive_matcher is None or self.archive_matcher.matches(core.body)):
            self.archive.append((self.env.now, core))
        self.route(msg)

    def route(self, msg: Message) -> None:
        event = msg.core.body
        chosen = []
        for name, matcher, targets in self.rules:
            if matcher is None or not matcher.matches(event):
                for link, _dl in targets:
                    link.filtered += 1
                continue
            chosen += [(link, dl, name) for link, dl in targets]
        # The bus's own hop is recorded before its copies travel, so a copy's fate follows it in the trace.
        if chosen:
            self.stats.processed += 1
            self.rt.record(msg, msg.hop_from, self.id, "routed", f"{len(chosen)} target(s)")
        else:
            self.stats.filtered += 1
            self.rt.record(msg, msg.hop_from, self.id, "filtered", "no rule matched")
        for link, dead_letter, rule in chosen:
            template = link.props.get("input_transform")
            if template is None:
                self.send_copy(link, msg.fresh(), dead_letter)
                continue
            # An input transformer delivers its template, not the event: a new payload, so a new event (same
            # trace); the original event id reaches the target only if the template carries <$.id>.
            body = render(template, event, {"aws.events.rule-name": rule, "aws.events.event": event,
                                            "aws.events.event.json": event,
                                            "aws.events.event.ingestion-time": round(self.env.now, 3)})
            self.send_copy(link, self.rt.derive(msg, body), dead_letter)

    def replay(self, spec: dict) -> None:
        """StartReplay of archived events whose time is in [from_s, to_s], slice by one-minute slice of event
        time (first minute first), shuffled within each slice (no order guarantee). Only events still within
        the archive's retention at the replay's start are found (a day is 86,400 simulated seconds; AWS's
        background deletion time is not published, so an event is gone the moment it is older †). Each
        replayed event is the archived one (same id) with a `replay-name` field added; replayed events go to
        the rules only and are not archived again."""
        now = self.env.now
        self.replays += 1
        name = str(spec.get("name") or f"{self.id}-replay-{self.replays}")
        start, end = float(spec.get("from_s", 0)), float(spec.get("to_s", now))
        kept = self.retention_s
        if kept is not None:
            self.archive = [(t, core) for t, core in self.archive if now - t <= kept]
        chosen = [(t, core) for t, core in self.archive if start <= t <= end]
        slices: dict[int, list] = {}
        for t, core in chosen:
            slices.setdefault(int(t // 60), []).append(core)
        for key in sorted(slices):
            batch = slices[key]
            self.rt.rng.shuffle(batch)
            for core in batch:
                msg = Message(_replayed(core, name))
                msg.hop_from = self.id
                self.stats.received += 1
                self.rt.record(msg, self.id, self.id, "replayed", f"{name}: replay of {start:g}–{end:g} s")
                self.route(msg)


def _replayed(core: EventCore, name: str) -> EventCore:
    """The archived event as a replay delivers it: same id and trace, `replay-name` added to the event.
    Side effects already done for the id stay known, so idempotent consumers recognise the repeat."""
    body = dict(core.body) if isinstance(core.body, dict) else {"detail": core.body}
    body["replay-name"] = name
    twin = EventCore(core.id, core.trace, body, core.attributes, core.created, core.group, core.seq)
    twin.done = core.done
    twin.done_at = dict(core.done_at) if core.done_at else None
    return twin


@model_for("schedule")
class ScheduleModel(Router):
    """EventBridge Scheduler: fires on its expression, invokes its targets, retries with its retry policy,
    then its DLQ (a standard SQS queue) or a drop.

    When (schedule-types.html): rate() starts invoking at once when no StartDate is given (simulated time
    0 is the schedule's creation); "All schedule types ... invoke their targets with 60 second precision"
    (between 1:00:00 and 1:00:59), so without a flexible window each invocation happens at a uniformly
    random moment † in the 60 s after its scheduled time; with `flexible_window_min` N
    (managing-schedule-flexible-time-windows.html, API_FlexibleTimeWindow: 1–1,440 min) it "invokes the
    target within" N minutes after the scheduled time, uniformly at random †. Retry policy
    (API_RetryPolicy.html): 0–185 attempts, 60–86,400 s, exponential backoff (same curve † as the bus);
    the event's age counts from the invocation. Draws use the run's seeded generator."""

    def setup(self) -> None:
        super().setup()
        self.targets = self.links("schedule_target")
        self.dead_letter = self.link("dead_letter")
        window = self.node.prop("flexible_window_min")
        self.window_s = float(window) * 60.0 if window else None
        self.policy = retry_policy(self.rt, f"nodes[{self.id}].props", self.node.prop("retry_attempts"),
                                   self.node.prop("max_event_age_s"))
        if self.dead_letter is not None and self.dead_letter.target.node.prop("fifo"):
            self.rt.finding("SIM-SCHEDULE-DLQ", f"nodes[{self.id}]", "EventBridge Scheduler does not support a "
                            "FIFO queue as a schedule's dead-letter queue")
        for link in self.targets:
            t = link.target.node
            if t.type == "sqs_queue" and t.prop("fifo") and not t.prop("content_based_dedup"):
                self.rt.finding("SIM-SCHEDULE-FIFO", f"edges[{link.key}]", f"{t.title} is a FIFO queue: a "
                                "Scheduler target queue needs content-based deduplication")

    def start(self) -> None:
        if self.rt.has_workload(self.id):
            return   # a workload entry drives it explicitly
        from simulator.services.schedules import fire_times
        times, problem = fire_times(self.node.prop("expression"), self.rt.until)
        if problem:
            self.rt.finding("SIM-SCHEDULE", f"nodes[{self.id}].props.expression", problem)
        for t in times:
            self.env.at(t, self._fire)

    def _fire(self, _arg=None) -> None:
        msg = self.rt.new_event({"schedule": self.id, "time": self.env.now})
        self.receive(None, msg, None)

    def retry_schedule(self, link):
        return _eventbridge_delays(self.rt.rng, self.policy[0])

    def max_age(self, link) -> float:
        return self.policy[1]

    def receive(self, link, msg: Message, reply) -> None:
        """The scheduled time: the invocation follows within the precision or the flexible window."""
        if self.refuse(link, msg, reply):
            return
        if reply:
            reply(True, None, None)
        self.stats.processed += 1
        window = self.window_s if self.window_s is not None else 60.0
        delay = window * self.rt.rng.random()
        self.rt.record(msg, msg.hop_from or self.id, self.id, "scheduled",
                       f"invokes within {window / 60:g} min: at {self.env.now + delay:.3f} s")
        self.copies += len(self.targets)
        self.pending_copies += len(self.targets)
        self.env.schedule(delay, self._invoke, msg)

    def _invoke(self, msg: Message) -> None:
        self.rt.record(msg, self.id, self.id, "fired")
        for target in self.targets:
            self.copies -= 1            # send_copy counts it again
            self.pending_copies -= 1
            template = target.props.get("input_transform")
            if template is None:
                self.send_copy(target, msg.fresh(), self.dead_letter)
                continue
            # A templated target's Input, with Scheduler's context attributes (managing-schedule-context-attributes).
            body = render(template, msg.core.body, {"aws.scheduler.schedule-arn": self.id,
                                                    "aws.scheduler.scheduled-time": msg.core.body.get("time"),
                                                    "aws.scheduler.execution-id": f"{self.id}-{msg.core.id}",
                                                    "aws.scheduler.attempt-number": 1})
            self.send_copy(target, self.rt.derive(msg, body), self.dead_letter)
