"""Show a simulation run: per-node metrics, what callers saw, findings, charts, narration."""
from __future__ import annotations

import json

import streamlit as st

from simulator.narrate import narrate
from ui.limits import cap_notice
from ui.style import md_escape

METRIC_COLUMNS = [("received", "received"), ("processed", "processed"), ("failed", "failed"),
                  ("retried", "retried"), ("duplicates_delivered", "duplicate copies in"),
                  ("duplicate_side_effects", "side effects done twice"), ("dead_lettered", "dead-lettered"),
                  ("dropped", "dropped (lost)"), ("filtered", "filtered"), ("parked", "parked in a DLQ"),
                  ("in_flight", "still in flight")]


def metrics_rows(run, titles: dict[str, str]) -> list[dict]:
    rows = []
    for node_id, stats in run.nodes.items():
        row = {"node": titles.get(node_id, node_id)}
        row.update({label: stats[key] for key, label in METRIC_COLUMNS})
        if stats["dropped_by_reason"]:
            row["why dropped"] = ", ".join(f"{k} × {v}" for k, v in stats["dropped_by_reason"].items())
        p = stats["latency_s"]
        row["latency p50 / p99 (s)"] = "—" if p["p50"] is None else f"{p['p50']:g} / {p['p99']:g}"
        rows.append(row)
    return rows


def show_run(run, design, key: str) -> None:
    titles = {n.id: n.title for n in design.nodes}
    t = run.totals
    cap_notice(run)
    if run.nothing_entered:
        st.warning("No event entered the design in this run: nothing was sent, so every count below is zero. "
                   "Add a workload (a client, or a source in the scenario) and run it again.")
    for note in run.notes:
        st.info(md_escape(note))
    cols = st.columns(6)
    cols[0].metric("Processed", f"{t['processed']:,}")
    cols[1].metric("Done twice", f"{t['duplicate_side_effects']:,}",
                   help="Side effects performed a second time for the same event (a duplicate or a redelivery)")
    cols[2].metric("Dead-lettered", f"{t['dead_lettered']:,}")
    cols[3].metric("Parked in a DLQ", f"{t['parked']:,}")
    cols[4].metric("Dropped (lost)", f"{t['dropped']:,}")
    cols[5].metric("Still in flight", f"{t['in_flight']:,}")
    for client, info in run.clients.items():
        answers = ", ".join(f"{k} × {v}" for k, v in info["answers"].items()) or "no answers yet"
        who = md_escape(titles.get(client, client))
        st.markdown(f"**{who}** sent {info['sent']:,} requests and was told: {md_escape(answers)}")
    c = run.conservation
    if c["ok"] and not run.nothing_entered:
        st.success(f"Nothing vanished: all {c['received']:,} deliveries are accounted for "
                   f"(processed, filtered, reported, retried, dead-lettered, dropped with a reason, parked, or in flight).")
    else:
        st.error("Conservation check failed — this is a simulator bug, please report it:\n\n" + "\n".join(md_escape(p) for p in c["problems"]))
    for finding in run.findings:
        st.warning(md_escape(f"{finding['id']} · {finding['path']}: {finding['message']}"))
    st.dataframe(metrics_rows(run, titles), hide_index=True)
    _cost(run, titles, key)
    _charts(run, titles)
    if run.trace is not None:
        with st.expander(f"What happened, hop by hop ({len(run.trace):,} hops{', truncated' if run.trace_truncated else ''})"):
            st.caption("The first 300 hops in plain words.")
            st.text("\n".join(narrate(run.trace, titles, limit=300)))
    st.download_button("Download the run (JSON)", json.dumps(run.to_json(), indent=2), file_name="run.json",
                       mime="application/json", key=f"{key}-dl")


def _charts(run, titles) -> None:
    series = run.series
    if series["depth"]:
        st.caption("Queue depth over simulated time (messages waiting or in flight)")
        data = {"t (s)": series["t"]}
        data.update({titles.get(q, q): values for q, values in series["depth"].items()})
        st.line_chart(data, x="t (s)")
    busy = {n: v for n, v in series["processed"].items() if v and v[-1]}
    if busy:
        st.caption("Processed so far, per node")
        data = {"t (s)": series["t"]}
        data.update({titles.get(n, n): v for n, v in busy.items()})
        st.line_chart(data, x="t (s)")


def _cost(run, titles: dict, key: str) -> None:
    """What the run would cost at list prices, with the part caused by retries and duplicates shown apart."""
    from simulator.cost import DEFAULT_REGION, price_run, regions
    if getattr(run, "design", None) is None:
        return
    with st.expander("What this run costs (list prices)"):
        c1, c2 = st.columns(2)
        names = list(regions())
        region = c1.selectbox("Region", names, index=names.index(DEFAULT_REGION) if DEFAULT_REGION in names else 0,
                              key=f"{key}-cost-region")
        free = c2.toggle("Apply the monthly free tier", key=f"{key}-cost-free")
        bill = price_run(run, region=region, free_tier=free)
        cols = st.columns(4)
        cols[0].metric("This run", f"${bill.total_usd:,.4f}")
        cols[1].metric("Per million events in", "—" if bill.per_million_usd is None else f"${bill.per_million_usd:,.2f}")
        cols[2].metric("Per month at this rate", f"${bill.per_month_usd:,.2f}")
        cols[3].metric("Caused by retries and duplicates", f"{bill.retries_share:.0%}")
        rows = []
        for nid, node in bill.by_node().items():
            for line in node["lines"]:
                rows.append({"service": titles.get(nid, nid), "item": line.item, "quantity": line.quantity,
                             "unit": line.unit, "unit price (USD)": line.unit_price_usd, "USD": round(line.usd, 6),
                             "of which retries (USD)": round(line.retries_usd, 6), "assumption": line.assumption})
        if rows:
            st.dataframe(rows, hide_index=True)
        book = bill.book
        st.caption(f"Prices for {md_escape(book.region_name)} ({md_escape(book.region)}) as of {md_escape(book.as_of)}, "
                   "each from its AWS pricing page (in the downloaded run JSON); AWS changes its prices, so check "
                   "them before you rely on a figure. Unconfirmed prices: "
                   + (md_escape(", ".join(bill.to_json()["prices"]["unconfirmed"])) or "none") + ".")
