"""Live classroom load test (in `make bench`, not in the suite), on loopback.

Two Streamlit replicas behind HAProxy sharing one PostgreSQL (ops.cluster, as `make serve-cluster`), one
teacher and STUDENTS students, each a headless Chromium context of its own (own cookies, so the balancer
spreads them over both replicas), through a 20-hop lesson with two questions. Reported:
- follow latency p50/p95: the teacher's click on "Next hop" → the student's canvas shows that hop (recorded
  in each student's page, `ops.live_drive.watch_hops`, same machine clock);
- answer-to-chart latency: the last student's "Send my answer" → the teacher's screen counts every answer and
  shows the chart;
- errors (page errors, Streamlit exceptions, students that never showed a hop), answers lost (sent minus stored);
- server RSS per replica (peak, sampled every 0.5 s).

`python -m benchmarks.live_load [--students N]`; the default is the number this 2-core machine holds (see
STUDENTS below: more pages than that starve the browsers themselves and the figures measure Chromium).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
# What this 2-core machine holds. Before the position route (following through Streamlit reruns, ~3 fragment
# reruns a second per student at ~25-55 ms CPU each) 12 students took 26 s each to join and p50 follow was
# 5.5 s; 5 (the smallest group that shows a chart) was the default. Now a student's canvas polls the position
# route (a cached read, no rerun) and the page reruns once a second; `--students` measures larger classes.
STUDENTS = 5
HOPS = 20
QUESTIONS_AT = (7, 14)


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


def cpu_s(cluster) -> float:
    """CPU seconds (user + system) the replicas have used so far, from /proc: unlike a latency, hardly changed
    by other work on the machine."""
    import os
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in cluster.procs:
        try:
            with open(f"/proc/{proc.pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError, AttributeError):
            pass
    return total


IDLE_S = 10.0     # a class following a paused teacher: what the servers spend per student just to follow


def run(students: int = STUDENTS) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import browser
    import sqlalchemy as sa

    from ops import live_drive as drive
    from ops.cluster import Cluster
    from store import live
    from store.db import Database
    from store.tables import live_answers

    errors: list[str] = []
    follow: list[float] = []
    by_step: dict[int, list[float]] = {}
    chart: list[float] = []
    peak = {"rss": []}
    with Cluster(replicas=2) as cluster, browser() as chromium:
        stop = threading.Event()

        def sample():
            top = [0.0] * cluster.n
            while not stop.is_set():
                top = [max(a, b) for a, b in zip(top, cluster.rss_mb())]
                peak["rss"] = top
                stop.wait(0.5)
        threading.Thread(target=sample, daemon=True).start()
        db = Database(cluster.db_url)
        t_ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
        teacher = t_ctx.new_page()
        teacher.on("pageerror", lambda e: errors.append(f"teacher: {e}"))
        drive.sign_up(teacher, cluster.url, "Bench teacher")
        code = drive.start_live(teacher, cluster.url, drive.demo_run_code())
        pages, contexts = [], [t_ctx]
        t_join = time.time()
        for i in range(students):
            ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
            page = ctx.new_page()
            page.on("pageerror", lambda e, i=i: errors.append(f"student {i}: {e}"))
            drive.join(page, cluster.url, code, f"Student {i + 1}")
            drive.watch_hops(page)
            pages.append(page)
            contexts.append(ctx)
        t_join = time.time() - t_join
        replicas = {}
        for ctx in contexts[1:]:
            name = next((c["value"] for c in ctx.cookies() if c["name"] == "SPS_REPLICA"), "?")
            replicas[name] = replicas.get(name, 0) + 1
        session = live.by_code(code, db=db)
        teacher.wait_for_timeout(3000)                 # joins settled
        c0, w0 = cpu_s(cluster), time.monotonic()
        time.sleep(IDLE_S)
        idle_cpu = (cpu_s(cluster) - c0) / (time.monotonic() - w0)
        lesson_cpu0, lesson_w0 = cpu_s(cluster), time.monotonic()
        sent_total = 0
        for step in range(1, HOPS + 1):
            k = drive.hop(teacher) + 1          # after a reveal the run has jumped to the answer's hop
            start = time.time()
            teacher.locator("[data-testid=step-forward]").click()
            deadline = start + 10
            pending = set(range(students))
            while pending and time.time() < deadline:
                for i in list(pending):
                    if k in drive.seen(pages[i]):
                        pending.discard(i)
                time.sleep(0.05)
            for i, page in enumerate(pages):
                at = drive.seen(page).get(k)
                if at is None:
                    errors.append(f"student {i} never showed hop {k}")
                else:
                    follow.append(at - start)
                    by_step.setdefault(step, []).append(at - start)
            if step in QUESTIONS_AT:
                drive.ask_about_this_hop(teacher)
                last = 0.0
                answered = 0
                for n, page in enumerate(pages):
                    try:           # the new question's choices (the last one's revealed answer may still show)
                        page.wait_for_selector("[data-testid=stRadio] [role=radiogroup]", timeout=15_000)
                        page.locator("[data-testid=stRadio] [role=radiogroup] label").nth(n % 3).click()
                        page.get_by_role("button", name="Send my answer").click()
                        page.wait_for_selector("text=Your answer is in", timeout=15_000)
                    except Exception as exc:  # noqa: BLE001
                        errors.append(f"student {n} could not answer: {type(exc).__name__}")
                        continue
                    last = time.time()
                    sent_total += 1
                    answered += 1
                try:
                    teacher.wait_for_selector(f"text={answered} of {students} answered", timeout=20_000)
                    if students >= 5:
                        teacher.wait_for_selector("[data-testid=stVegaLiteChart]", timeout=10_000)
                    chart.append(time.time() - last)
                except Exception as exc:  # noqa: BLE001 — a bench reports, it does not stop
                    errors.append(f"chart: {type(exc).__name__}")
                try:
                    teacher.get_by_role("button", name="Reveal the answer").first.click(timeout=30_000)
                except Exception as exc:  # noqa: BLE001 — reported with what the teacher's screen said
                    errors.append(f"reveal: {type(exc).__name__}")
                    ARTIFACTS.mkdir(exist_ok=True)
                    teacher.screenshot(path=str(ARTIFACTS / f"live-load-reveal-{step}.png"), full_page=True)
                    (ARTIFACTS / f"live-load-reveal-{step}.txt").write_text(
                        teacher.locator("[data-testid=stMain]").inner_text(), encoding="utf-8")
                teacher.wait_for_timeout(2500)          # the answer plays; students follow
                settled = time.time() + 20
                last_hop = drive.hop(teacher)
                while time.time() < settled:            # until the teacher's canvas stands still on a hop
                    teacher.wait_for_timeout(500)
                    now_hop = drive.hop(teacher)
                    if now_hop == last_hop and now_hop >= 0:
                        break
                    last_hop = now_hop
                else:
                    errors.append(f"after the reveal at step {step} the teacher's canvas did not settle")
        lesson_cpu = (cpu_s(cluster) - lesson_cpu0) / (time.monotonic() - lesson_w0)
        modes = {}
        for page in pages:
            mode = (drive.live_mode(page) if hasattr(drive, "live_mode") else "") or "?"
            modes[mode] = modes.get(mode, 0) + 1
        modes["teacher " + ((drive.live_mode(teacher) if hasattr(drive, "live_mode") else "") or "?")] = 1
        with db.read() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(live_answers)).scalar()
        for page in pages + [teacher]:
            if page.locator("[data-testid=stException]").count():
                errors.append("a Streamlit exception on a page")
        stop.set()
        db.dispose()
        for ctx in contexts:
            ctx.close()
    return {"students": students, "follow": follow, "chart": chart, "errors": errors, "sent": sent_total,
            "stored": stored, "rss": peak["rss"], "replicas": replicas, "join_s": t_join, "session": session.id,
            "modes": modes, "by_step": by_step, "idle_cpu": idle_cpu, "lesson_cpu": lesson_cpu}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.live_load")
    parser.add_argument("--students", type=int, default=STUDENTS)
    args = parser.parse_args(argv)
    r = run(args.students)
    f, c = r["follow"], r["chart"]
    print(f"live lesson: 1 teacher + {r['students']} students (headless Chromium contexts) on 2 replicas behind "
          f"HAProxy, one PostgreSQL; {HOPS} hops, {len(QUESTIONS_AT)} questions; students per replica "
          f"{dict(sorted(r['replicas'].items()))}; joining took {r['join_s']:.1f} s")
    print(f"  follow latency (teacher click → student canvas): p50 {pct(f, .5):.2f} s, p95 {pct(f, .95):.2f} s, "
          f"max {max(f) if f else float('nan'):.2f} s over {len(f)} student-hops   (goal p95 ≤ 1.5 s)")
    slow = sorted(r["by_step"].items(), key=lambda kv: -max(kv[1]))[:3]
    print("  slowest steps (step: max s): " + ", ".join(f"{k}: {max(v):.2f}" for k, v in slow))
    print(f"  position path at the end (data-live: direct = the position route, fallback = Streamlit): "
          f"{dict(sorted(r.get('modes', {}).items()))}")
    print(f"  answer-to-chart (last answer → teacher's chart): "
          + ", ".join(f"{x:.2f} s" for x in c) + (f"; mean {statistics.mean(c):.2f} s" if c else ""))
    print(f"  errors: {len(r['errors'])}" + (f" ({'; '.join(r['errors'][:5])})" if r["errors"] else "")
          + f"; answers sent {r['sent']}, stored {r['stored']}, lost {r['sent'] - r['stored']}")
    print(f"  server CPU (both replicas, user+system, from /proc): {r['idle_cpu'] * 100:.0f} % of a core while "
          f"the class follows a paused teacher ({r['idle_cpu'] * 100 / r['students']:.1f} % per student), "
          f"{r['lesson_cpu'] * 100:.0f} % over the lesson")
    print("  server RSS (peak): " + ", ".join(f"replica {i + 1} {mb:.0f} MB" for i, mb in enumerate(r["rss"])))
    import os
    print(f"  machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine inflates every latency above)")


if __name__ == "__main__":
    main()
