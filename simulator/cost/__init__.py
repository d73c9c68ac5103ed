"""The bill of a run: list prices (from dated price files) applied to what the run's services did.

    from simulator.cost import price_run
    bill = price_run(run)                         # us-east-1 list prices, no free tier
    bill.total_usd, bill.retries_share            # "retries cost 23 % of this bill"
    bill.per_million_usd, bill.per_month_usd      # scaled to a million events in / 30 days at this rate
    bill.to_json()                                # the `cost` object of `simulator run --json`

Pure Python, no streamlit. The run must carry its design (and scenario): `simulate()` attaches both.
Scaling: the run's rate is the events that entered ÷ its simulated time (until_s); "per month" multiplies
every line by 30 days ÷ until_s, "per million" by 1,000,000 ÷ events in (both at list prices; the free
tier, when asked, is applied to the bill of the run and to the month, never to per-million figures).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from simulator.cost.model import Context, usage_of
from simulator.cost.prices import DEFAULT_REGION, Price, PriceBook, PriceError, load_prices, price_problems, regions

__all__ = ["price_run", "Bill", "Line", "load_prices", "price_problems", "regions", "PriceError", "events_in",
           "DEFAULT_REGION", "MONTH_S", "compare"]

MONTH_S = 30 * 86_400


@dataclass
class Line:
    node: str
    item: str
    quantity: float
    unit: str
    unit_price_usd: float
    usd: float
    assumption: str
    price: Price
    retries_usd: float = 0.0
    free_quantity: float = 0.0
    scales: str = "events"

    def to_json(self) -> dict:
        p = self.price
        return {"item": self.item, "quantity": _num(self.quantity), "unit": self.unit,
                "unit_price_usd": self.unit_price_usd, "usd": _usd(self.usd), "assumption": self.assumption,
                "retries_usd": _usd(self.retries_usd), "free_quantity": _num(self.free_quantity),
                "scales": self.scales, "price": p.key, "price_text": f"${p.usd:g} per {p.per:,} {p.unit}s"
                if p.per > 1 else f"${p.usd:g} per {p.unit}", "source": p.source, "confirmed": p.confirmed,
                "as_of": p.as_of}


@dataclass
class Bill:
    book: PriceBook
    lines: list
    notes: dict
    order: list
    events_in: int
    until_s: float
    free_tier: bool
    factor: float = 1.0           # 1 for the run; MONTH_S / until_s for a month
    month: "Bill | None" = field(default=None, repr=False)

    @property
    def total_usd(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def retries_usd(self) -> float:
        return sum(line.retries_usd for line in self.lines)

    @property
    def retries_share(self) -> float:
        """Share of the bill due to retries, duplicate copies and redeliveries (0..1)."""
        total = self.total_usd
        return self.retries_usd / total if total else 0.0

    def by_node(self) -> dict:
        out = {}
        for nid in self.order:
            lines = [line for line in self.lines if line.node == nid]
            if lines or self.notes.get(nid):
                out[nid] = {"usd": sum(line.usd for line in lines), "retries_usd": sum(l.retries_usd for l in lines),
                            "lines": lines, "notes": self.notes.get(nid, [])}
        return out

    @property
    def per_million_usd(self) -> float | None:
        """List-price cost per million events in (None when no event entered)."""
        if not self.events_in:
            return None
        return sum(line.quantity * line.unit_price_usd for line in self.lines) * 1e6 / self.events_in

    @property
    def per_month_usd(self) -> float:
        """The run's rate kept up for 30 days (the free tier applied to the month when the bill has it)."""
        return self.month.total_usd if self.month is not None else self.total_usd

    def to_json(self) -> dict:
        book = self.book
        return {
            "total_usd": _usd(self.total_usd), "retries_usd": _usd(self.retries_usd),
            "retries_share": round(self.retries_share, 6),
            "by_node": {nid: {"usd": _usd(n["usd"]), "retries_usd": _usd(n["retries_usd"]),
                              "lines": [line.to_json() for line in n["lines"]], "notes": n["notes"]}
                        for nid, n in self.by_node().items()},
            "scale": {"events_in": self.events_in, "until_s": self.until_s,
                      "per_million_usd": None if self.per_million_usd is None else _usd(self.per_million_usd),
                      "per_month_usd": _usd(self.per_month_usd), "month_s": MONTH_S},
            "prices": {"as_of": book.as_of, "region": book.region, "region_name": book.region_name,
                       "source": f"{book.path} (each line names its AWS pricing page)", "free_tier": self.free_tier,
                       "overrides": book.overrides,
                       "unconfirmed": sorted({line.price.key for line in self.lines if not line.price.confirmed
                                              and not line.price.overridden})},
        }


def _num(x: float):
    return int(x) if float(x).is_integer() else round(x, 9)


def _usd(x: float) -> float:
    return round(x, 12)


def events_in(run, design=None, scenario: dict | None = None) -> int:
    """Events that entered the run: what clients sent, what workload entries put into services, and the
    firings of schedules that no workload drives."""
    design = design if design is not None else getattr(run, "design", None)
    scenario = scenario if scenario is not None else (getattr(run, "scenario", None) or {})
    total = sum(c.get("sent", 0) for c in run.clients.values())
    workload = scenario.get("workload")
    if workload is None and design is not None:
        from simulator.run import entry_points
        workload = entry_points(design)[0]
    driven = set()
    for w in workload or []:
        driven.add(w["source"])
        if design is not None and design.node(w["source"]).type == "client":
            continue
        count, start = int(w.get("count", 1)), float(w.get("start_s", 0.0))
        gap = 1.0 / float(w.get("rate_per_s", 1.0))
        if count > 0 and start <= run.until_s:
            total += min(count, math.floor((run.until_s - start) / gap + 1e-9) + 1)
    for nid, ntype in run.node_types.items():
        if ntype == "schedule" and nid not in driven:
            total += run.nodes[nid].get("received", 0)
    return total


def price_run(run, design=None, scenario: dict | None = None, *, region: str = DEFAULT_REGION,
              free_tier: bool = False, overrides: dict | None = None, book: PriceBook | None = None) -> Bill:
    """The bill of `run` at list prices (monthly free tier subtracted when `free_tier`), with the user's
    price `overrides` ({price key: usd per the file's `per` units}). Raises PriceError on a bad region,
    price file or override."""
    design = design if design is not None else getattr(run, "design", None)
    if design is None:
        raise ValueError("price_run needs the run's design (simulate() attaches it as run.design)")
    scenario = scenario if scenario is not None else getattr(run, "scenario", None)
    book = (book or load_prices(region)).with_overrides(overrides)
    ctx = Context(run, design, scenario)
    usages, notes = [], {}
    for node in design.nodes:
        found, node_notes = usage_of(ctx, node)
        usages += [(node.id, u) for u in found if u.quantity > 0]   # a dimension not used is not a line
        if node_notes:
            notes[node.id] = node_notes
    order = [n.id for n in design.nodes]
    n_in = events_in(run, design, scenario)
    bill = _priced(book, usages, notes, order, n_in, run.until_s, free_tier, 1.0)
    if run.until_s > 0:
        bill.month = _priced(book, usages, notes, order, n_in, run.until_s, free_tier, MONTH_S / run.until_s)
    return bill


def _priced(book, usages, notes, order, n_in, until_s, free_tier, factor) -> Bill:
    left = {key: p.free_quantity for key, p in book.prices.items()} if free_tier else {}
    # SQS's monthly free requests are shared by standard and FIFO queues.
    if free_tier and "sqs.fifo_requests" in left:
        left["sqs.fifo_requests"] = 0.0
    lines = []
    for nid, u in usages:
        price = book[u.price]
        quantity = u.quantity * factor
        free = 0.0
        if free_tier:
            pool = "sqs.standard_requests" if u.price == "sqs.fifo_requests" else u.price
            free = min(quantity, left.get(pool, 0.0))
            left[pool] = left.get(pool, 0.0) - free
        usd = (quantity - free) * price.unit_price
        lines.append(Line(nid, u.item, quantity, price.unit, price.unit_price, usd, u.assumption, price,
                          usd * u.repeat, free, u.scales))
    return Bill(book, lines, notes, order, n_in, until_s, free_tier, factor)


def compare(bills: dict) -> list[dict]:
    """Rows for designs side by side: {name: Bill} → [{name, total_usd, per_million_usd, retries_share}]."""
    return [{"name": name, "total_usd": _usd(b.total_usd), "per_million_usd": b.per_million_usd,
             "per_month_usd": _usd(b.per_month_usd), "retries_share": round(b.retries_share, 6),
             "as_of": b.book.as_of, "region": b.book.region} for name, b in bills.items()]
