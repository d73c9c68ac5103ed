"""Amazon EventBridge: a bus with rules (event patterns, ≤ 5 targets each), per-target retry
policy and DLQ, archive and replay; and EventBridge Scheduler.

Numbers (semantics.md §4): target retry policy 185 attempts / 24 h by default (0–185, 60–86,400 s),
exponential backoff with jitter; without a DLQ the event is dropped when retries run out; at most
5 targets per rule; no ordering; replay works in one-minute slices and does not keep the order.
"""
from __future__ import annotations


from simulator.eventpattern import PatternError, compile_pattern
from simulator.messages import Message
from simulator.services.routers import Router

MAX_TARGETS_PER_RULE = 5
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_MAX_AGE_S = 86_400.0
BACKOFF_CAP_S = 300.0   # the backoff curve is not published: doubling from 1 s with full jitter, capped †


def _eventbridge_delays(rng, attempts: int):
    for n in range(attempts):
        yield rng.random() * min(BACKOFF_CAP_S, 2.0 ** n)


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
            if len(links) > MAX_TARGETS_PER_RULE:
                self.rt.finding("SIM-RULE-TARGETS", f"nodes[{self.id}]", f"rule {name!r} has {len(links)} targets; "
                                f"EventBridge accepts at most {MAX_TARGETS_PER_RULE}: the rest get nothing here")
            self.rules.append((name, matcher, targets))
        p = self.node.prop
        self.archive_on = bool(p("archive"))
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
        attempts = link.props.get("retry_attempts")
        return _eventbridge_delays(self.rt.rng, DEFAULT_RETRY_ATTEMPTS if attempts is None else int(attempts))

    def max_age(self, link) -> float:
        age = link.props.get("max_event_age_s")
        return DEFAULT_MAX_AGE_S if age is None else float(age)

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
        routed = 0
        for _name, matcher, targets in self.rules:
            if matcher is None or not matcher.matches(event):
                for link, _dl in targets:
                    link.filtered += 1
                continue
            for link, dead_letter in targets:
                routed += 1
                self.send_copy(link, msg.fresh(), dead_letter)
        if routed:
            self.stats.processed += 1
            self.rt.record(msg, msg.hop_from, self.id, "routed", f"{routed} target(s)")
        else:
            self.stats.filtered += 1
            self.rt.record(msg, msg.hop_from, self.id, "filtered", "no rule matched")

    def replay(self, spec: dict) -> None:
        """Re-send archived events from [from_s, to_s] to the rules, slice by one-minute slice, shuffled
        within each slice (replay does not guarantee the original order)."""
        start, end = float(spec.get("from_s", 0)), float(spec.get("to_s", self.env.now))
        chosen = [core for t, core in self.archive if start <= t <= end]
        slices: dict[int, list] = {}
        for core in chosen:
            slices.setdefault(int(core.created // 60), []).append(core)
        for key in sorted(slices):
            batch = slices[key]
            self.rt.rng.shuffle(batch)
            for core in batch:
                msg = Message(core)
                msg.hop_from = self.id
                self.stats.received += 1
                self.rt.record(msg, self.id, self.id, "replayed", f"replay of {start:g}–{end:g} s")
                self.route(msg)




class ScheduleModel(Router):
    """EventBridge Scheduler: fires on its expression, delivers with its retry policy, DLQ or drop."""

    def setup(self) -> None:
        super().setup()
        self.targets = self.links("schedule_target")
        self.dead_letter = self.link("dead_letter")

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
        return _eventbridge_delays(self.rt.rng, int(self.node.prop("retry_attempts")))

    def max_age(self, link) -> float:
        return float(self.node.prop("max_event_age_s"))

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        if reply:
            reply(True, None, None)
        self.stats.processed += 1
        self.rt.record(msg, msg.hop_from or self.id, self.id, "fired")
        for target in self.targets:
            self.send_copy(target, msg.fresh(), self.dead_letter)
