"""Conformance cases: documented AWS behaviour, its source page, and the engine's verdict on it.

A case is data (tests/conformance/<service>/<id>.yaml), like cfn-lint's snapshot templates; this
module loads every case, runs it, and compares. One runner test (tests/test_conformance.py) and
`python -m simulator conformance [--json]` both call `check_all`.

Case keys:
  id, title, service            a stable id (the file name), one line, the service group
  source: {url, quote}          the AWS page and the sentence or number the case rests on
  published: true|false         false when AWS publishes no figure: `expect` holds only the documented bound
  design: {nodes, edges}        a small design (DESIGN.md format)
  scenario: {...}               the scenario (DESIGN.md format); `seed` fixes every random choice
  expect:
    nodes: {ID: {counter: N | {min: A, max: B}}}   per-node counters (dropped_by_reason.X works too)
    totals: {counter: ...}
    clients: {ID: {"status": N}}                     answers a client got
    notes: [substring, ...]                           each must appear in some note
    findings: [SIM-ID, ...]                           each must be among the run's findings (by id)
    conservation: true                                 (default) the ledger closes
    hops:                                             trace assertions, each a filter and what it must show
      - {outcome: invoked, to: fn, [from:], [event: 1], [detail: substring],
         count: N, times: [0, 30, 60], tolerance_s: 0.5, attempts: [1, 2], events: [1, 2, 3],
         first_time: {min:, max:}, last_time: {min:, max:}}
    events:                                           end state of a named event (its last hop)
      - {event: 1, ends: dead_lettered, [at: q]}   (the last hop that is not in transit: enqueued, invoked, ...)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "conformance"
_CASE_KEYS = {"id", "title", "service", "source", "published", "design", "scenario", "expect", "note"}
_EXPECT_KEYS = {"nodes", "totals", "clients", "notes", "findings", "conservation", "hops", "events"}
_HOP_FILTERS = ("outcome", "to", "from", "event", "detail", "copy")
_HOP_CHECKS = {"count", "times", "tolerance_s", "attempts", "events", "first_time", "last_time", "min_count"}
SERVICES = ("sqs", "sqs-fifo", "esm-sqs", "esm-streams", "lambda-async", "lambda-sync", "concurrency",
            "api-gateway", "sns", "eventbridge", "pipes", "scheduler", "step-functions", "entry", "storage")


@dataclass
class Case:
    id: str
    title: str
    service: str
    url: str
    quote: str
    published: bool
    design: dict
    scenario: dict
    expect: dict
    path: str
    note: str = ""


@dataclass
class Verdict:
    case: Case
    ok: bool
    failures: list = field(default_factory=list)

    def as_dict(self) -> dict:
        c = self.case
        return {"id": c.id, "service": c.service, "title": c.title, "source": {"url": c.url, "quote": c.quote},
                "published": c.published, "verdict": "pass" if self.ok else "fail", "failures": self.failures}


class CaseError(ValueError):
    pass


def load_case(path: Path) -> Case:
    from design.documents import parse
    doc = parse(path.read_text(encoding="utf-8"), "yaml", name=str(path))
    if not isinstance(doc, dict):
        raise CaseError(f"{path}: a case is a mapping")
    unknown = set(doc) - _CASE_KEYS
    missing = {"id", "title", "service", "source", "design", "expect"} - set(doc)
    problems = [f"unknown key {k!r}" for k in sorted(unknown)] + [f"missing {k!r}" for k in sorted(missing)]
    if not problems:
        if doc["id"] != path.stem:
            problems.append(f"id {doc['id']!r} differs from the file name {path.stem!r}")
        if doc["service"] not in SERVICES:
            problems.append(f"service {doc['service']!r} is not one of {', '.join(SERVICES)}")
        src = doc["source"]
        if not (isinstance(src, dict) and str(src.get("url", "")).startswith("https://") and src.get("quote")):
            problems.append("source needs an https url and the quote the case rests on")
        if set(doc["expect"]) - _EXPECT_KEYS:
            problems.append(f"expect: unknown keys {sorted(set(doc['expect']) - _EXPECT_KEYS)}")
        for i, hop in enumerate(doc["expect"].get("hops", [])):
            bad = set(hop) - set(_HOP_FILTERS) - _HOP_CHECKS
            if bad:
                problems.append(f"expect.hops[{i}]: unknown keys {sorted(bad)}")
    if problems:
        raise CaseError(f"{path}: " + "; ".join(problems))
    return Case(doc["id"], doc["title"], doc["service"], doc["source"]["url"], str(doc["source"]["quote"]).strip(),
                bool(doc.get("published", True)), doc["design"], doc.get("scenario") or {}, doc["expect"],
                str(path), str(doc.get("note", "")))


def load_cases(root: Path = CASES_DIR) -> list[Case]:
    return [load_case(p) for p in sorted(root.rglob("*.yaml"))]


# Hops that only carry an event on its way; an event's end state is its last hop of another kind.
_TRANSIT = frozenset({"enqueued", "invoked", "sent", "visible_again", "stored"})


def _within(actual, expected) -> bool:
    if isinstance(expected, dict) and set(expected) <= {"min", "max"}:
        if actual is None:
            return False
        return ("min" not in expected or actual >= expected["min"]) and ("max" not in expected or
                                                                         actual <= expected["max"])
    return actual == expected


def _counter(node: dict, name: str):
    if name.startswith("dropped_by_reason."):
        return node.get("dropped_by_reason", {}).get(name.split(".", 1)[1], 0)
    return node.get(name)


def _rows(run) -> list[dict]:
    keys = ("time", "event", "trace", "from", "to", "attempt", "outcome", "detail", "copy")
    return [dict(zip(keys, row)) for row in (run.trace or [])]


def _select(rows: list[dict], spec: dict) -> list[dict]:
    out = rows
    for key in _HOP_FILTERS:
        if key not in spec:
            continue
        want = spec[key]
        if key == "detail":
            out = [r for r in out if str(want) in str(r["detail"])]
        else:
            out = [r for r in out if r[key] == want]
    return out


def check(case: Case) -> Verdict:
    from design import DesignError, from_data
    from simulator.run import ScenarioError, simulate
    fails: list[str] = []
    try:
        design = from_data({"name": case.id, **case.design})
        run = simulate(design, case.scenario, trace=True)
    except (DesignError, ScenarioError) as exc:
        return Verdict(case, False, [f"does not run: {exc}"])
    exp = case.expect
    for nid, counters in (exp.get("nodes") or {}).items():
        node = run.nodes.get(nid)
        if node is None:
            fails.append(f"nodes.{nid}: no such node")
            continue
        for name, want in counters.items():
            got = _counter(node, name)
            if not _within(got, want):
                fails.append(f"nodes.{nid}.{name}: expected {want}, got {got}")
    for name, want in (exp.get("totals") or {}).items():
        got = _counter(run.totals, name)
        if not _within(got, want):
            fails.append(f"totals.{name}: expected {want}, got {got}")
    for cid, answers in (exp.get("clients") or {}).items():
        got = (run.clients.get(cid) or {}).get("answers", {})
        for status, want in answers.items():
            if not _within(got.get(status, 0), want):
                fails.append(f"clients.{cid}.answers[{status!r}]: expected {want}, got {got.get(status, 0)} "
                             f"(all answers: {got})")
    notes = getattr(run, "notes", []) or []
    for text in exp.get("notes") or []:
        if not any(text in n for n in notes):
            fails.append(f"notes: none contains {text!r} (notes: {notes})")
    found = {f["id"] for f in run.findings}
    for fid in exp.get("findings") or []:
        if fid not in found:
            fails.append(f"findings: {fid} not raised (raised: {sorted(found)})")
    if exp.get("conservation", True) and not run.conservation["ok"]:
        fails.append(f"conservation: {run.conservation['problems'][:3]}")
    rows = _rows(run)
    if run.trace_truncated and (exp.get("hops") or exp.get("events")):
        fails.append("trace truncated: make the case smaller (it asserts on hops)")
    for i, spec in enumerate(exp.get("hops") or []):
        fails += _check_hops(i, spec, _select(rows, spec))
    for spec in exp.get("events") or []:
        mine = [r for r in rows if r["event"] == spec["event"] and not r["copy"] and r["outcome"] not in _TRANSIT]
        if not mine:
            fails.append(f"events[{spec['event']}]: never seen")
            continue
        last = mine[-1]
        if last["outcome"] != spec["ends"] or ("at" in spec and spec["at"] not in (last["to"], last["from"])):
            fails.append(f"events[{spec['event']}]: expected to end {spec['ends']}"
                         f"{' at ' + spec['at'] if 'at' in spec else ''}, last hop was {last['outcome']} "
                         f"{last['from']}→{last['to']} at {last['time']}")
    return Verdict(case, not fails, fails)


def _check_hops(i: int, spec: dict, picked: list[dict]) -> list[str]:
    where = "expect.hops[%d] (%s)" % (i, ", ".join(f"{k}={spec[k]}" for k in _HOP_FILTERS if k in spec))
    fails = []
    if "count" in spec and len(picked) != spec["count"]:
        fails.append(f"{where}: expected {spec['count']} hops, got {len(picked)}")
    if "min_count" in spec and len(picked) < spec["min_count"]:
        fails.append(f"{where}: expected at least {spec['min_count']} hops, got {len(picked)}")
    if "times" in spec:
        tol = float(spec.get("tolerance_s", 0))
        got = [r["time"] for r in picked]
        if len(got) != len(spec["times"]) or any(abs(a - b) > tol + 1e-9 for a, b in zip(got, spec["times"])):
            fails.append(f"{where}: expected times {spec['times']} (±{tol:g} s), got {got[:12]}")
    if "attempts" in spec and [r["attempt"] for r in picked] != spec["attempts"]:
        fails.append(f"{where}: expected attempts {spec['attempts']}, got {[r['attempt'] for r in picked][:12]}")
    if "events" in spec and [r["event"] for r in picked] != spec["events"]:
        fails.append(f"{where}: expected events in order {spec['events']}, got {[r['event'] for r in picked][:20]}")
    for key, pick in (("first_time", 0), ("last_time", -1)):
        if key in spec:
            got = picked[pick]["time"] if picked else None
            if not _within(got, spec[key]):
                fails.append(f"{where}: {key} expected {spec[key]}, got {got}")
    return fails


def check_all(root: Path = CASES_DIR) -> list[Verdict]:
    return [check(case) for case in load_cases(root)]
