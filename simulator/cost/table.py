"""The bill as a plain-text table (for `python -m simulator cost`)."""
from __future__ import annotations


def _money(x: float) -> str:
    if x == 0:
        return "$0"
    if abs(x) >= 0.01:
        return f"${x:,.4f}"
    return f"${x:.3g}" if abs(x) >= 1e-4 else f"${x:.2e}"


def _qty(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4f}"


def _price_text(price) -> str:
    per = {1: "", 1000: "1K ", 1_000_000: "1M "}.get(price.per, f"{price.per:,} ")
    return f"${price.usd:g} / {per}{price.unit}s" if per else f"${price.usd:g} / {price.unit}"


def bill_table(bill, per_million: bool = False) -> str:
    """Node, item, quantity, unit, unit price, amount (and the part due to repeats) per line; totals, the
    retry share, the scaled figures, and the prices' region, date and sources."""
    scale = 1e6 / bill.events_in if per_million and bill.events_in else 1.0
    what = "per million events in" if per_million else "this run"
    header = ("node", "item", "quantity", "unit", "unit price", f"USD ({what})", "of which repeats")
    rows = []
    for line in bill.lines:
        usd = line.quantity * line.unit_price_usd * scale if per_million else line.usd
        share = line.retries_usd / line.usd if line.usd else 0.0
        rows.append((line.node, line.item, _qty(line.quantity * scale), line.unit,
                     _price_text(line.price), _money(usd), _money(usd * share)))
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    right = {2, 4, 5, 6}
    fmt = lambda r: "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)   # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths)))
    out = [fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]
    if not rows:
        out.append("(nothing billable: no priced service did any work)")
    out.append("")
    if per_million:
        if bill.per_million_usd is None:
            out.append("Per million events in: no event entered the run.")
        else:
            out.append(f"Per million events in: {_money(bill.per_million_usd)} (list prices, {bill.events_in:,} "
                       "events in this run)")
    out.append(f"This run: {_money(bill.total_usd)}" + (" (monthly free tier applied)" if bill.free_tier else ""))
    out.append(f"Retries, duplicates and redeliveries: {_money(bill.retries_usd)} "
               f"({bill.retries_share * 100:.1f} % of this bill)")
    if bill.events_in and not per_million:
        out.append(f"Per million events in: {_money(bill.per_million_usd)} ({bill.events_in:,} events in)")
    out.append(f"Per month at this rate: {_money(bill.per_month_usd)} (the run's {bill.until_s:g} s scaled to "
               "30 days)")
    for nid, notes in bill.notes.items():
        for note in notes:
            out.append(f"Not priced ({nid}): {note}")
    book = bill.book
    out.append(f"Prices: {book.region_name} ({book.region}) list prices as of {book.as_of}, from {book.path}"
               + (f"; your overrides: {', '.join(book.overrides)}" if book.overrides else ""))
    unconfirmed = sorted({line.price.key for line in bill.lines if not line.price.confirmed
                          and not line.price.overridden})
    if unconfirmed:
        out.append(f"Unconfirmed prices (no stored page showed the figure; check them): {', '.join(unconfirmed)}")
    for key in sorted({line.price.key for line in bill.lines}):
        out.append(f"  {key}: {book[key].source}")
    return "\n".join(out)
