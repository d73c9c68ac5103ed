"""Prices as dated data: one YAML file per region under simulator/prices/, checked by a schema.

A price file names its region and the date it was read; every price carries its own `source` (the AWS
pricing page), `as_of` date and `confirmed` flag (whether a stored copy of a page showed the figure,
`seen_on`). `usd` is the price of `per` units, so the file reads like the pricing pages ("$0.20 per 1M
requests"). `free_tier.quantity` is the monthly allowance the free-tier toggle subtracts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

PRICES_DIR = Path(__file__).resolve().parent.parent / "prices"
DEFAULT_REGION = "us-east-1"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PRICE_KEYS = {"usd", "per", "unit", "free_tier", "source", "seen_on", "confirmed", "note", "as_of"}
_REQUIRED = ("usd", "per", "unit", "source", "confirmed", "as_of")


class PriceError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Price:
    key: str
    usd: float              # for `per` units
    per: int
    unit: str
    source: str
    as_of: str
    confirmed: bool
    free_quantity: float = 0.0
    note: str = ""
    seen_on: str = ""
    overridden: bool = False

    @property
    def unit_price(self) -> float:
        return self.usd / self.per


@dataclass(frozen=True)
class PriceBook:
    region: str
    region_name: str
    as_of: str
    path: str
    prices: dict

    def __getitem__(self, key: str) -> Price:
        return self.prices[key]

    def with_overrides(self, overrides: dict | None) -> "PriceBook":
        """A copy with user prices: `{key: usd}` (for the file's `per` units, e.g. 0.25 for $0.25 per 1M
        requests) or `{key: {"usd": ..., "per": ...}}`. Unknown keys or bad values raise PriceError."""
        if not overrides:
            return self
        problems, prices = [], dict(self.prices)
        for key, value in sorted(overrides.items()):
            if key not in prices:
                problems.append(f"overrides.{key}: no such price (known: {', '.join(sorted(prices))})")
                continue
            usd, per = (value.get("usd"), value.get("per", prices[key].per)) if isinstance(value, dict) \
                else (value, prices[key].per)
            if not _number(usd) or usd < 0 or not isinstance(per, int) or isinstance(per, bool) or per <= 0:
                problems.append(f"overrides.{key}: needs a price ≥ 0 in USD (and `per` a positive whole number)")
                continue
            prices[key] = replace(prices[key], usd=float(usd), per=per, overridden=True, confirmed=False,
                                  source="user override", seen_on="", note=f"was {prices[key].usd:g} per "
                                  f"{prices[key].per:,} ({prices[key].source})")
        if problems:
            raise PriceError(problems)
        return replace(self, prices=prices)

    @property
    def overrides(self) -> list[str]:
        return sorted(k for k, p in self.prices.items() if p.overridden)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def price_problems(doc) -> list[str]:
    """Every way `doc` (a parsed price file) breaks the schema: no price without a source and a date."""
    if not isinstance(doc, dict):
        return ["a price file is a mapping"]
    problems = []
    for key in ("region", "region_name", "currency", "as_of"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            problems.append(f"{key}: required (a string)")
    if doc.get("currency") not in (None, "USD"):
        problems.append("currency: must be USD")
    if isinstance(doc.get("as_of"), str) and not _DATE.match(doc["as_of"]):
        problems.append("as_of: must be a date YYYY-MM-DD")
    prices = doc.get("prices")
    if not isinstance(prices, dict) or not prices:
        return problems + ["prices: required (a mapping of price keys)"]
    for key, p in prices.items():
        where = f"prices.{key}"
        if not isinstance(p, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        problems += [f"{where}.{k}: unknown field" for k in sorted(set(p) - _PRICE_KEYS)]
        problems += [f"{where}.{k}: required" for k in _REQUIRED if k not in p]
        if "usd" in p and (not _number(p["usd"]) or p["usd"] < 0):
            problems.append(f"{where}.usd: must be a number ≥ 0")
        if "per" in p and (not isinstance(p["per"], int) or isinstance(p["per"], bool) or p["per"] <= 0):
            problems.append(f"{where}.per: must be a positive whole number")
        if "source" in p and not (isinstance(p["source"], str) and p["source"].startswith("https://aws.amazon.com/")):
            problems.append(f"{where}.source: must be the AWS pricing page (https://aws.amazon.com/...)")
        if "as_of" in p and not (isinstance(p["as_of"], str) and _DATE.match(p["as_of"])):
            problems.append(f"{where}.as_of: must be a date YYYY-MM-DD")
        if "confirmed" in p and not isinstance(p["confirmed"], bool):
            problems.append(f"{where}.confirmed: must be true or false")
        if p.get("confirmed") is True and not (isinstance(p.get("seen_on"), str) and p["seen_on"].startswith("https://")):
            problems.append(f"{where}.seen_on: a confirmed price names the page that showed the figure")
        if p.get("confirmed") is False and not p.get("note"):
            problems.append(f"{where}.note: an unconfirmed price says why")
        ft = p.get("free_tier")
        if ft is not None and not (isinstance(ft, dict) and _number(ft.get("quantity")) and ft["quantity"] >= 0
                                   and isinstance(ft.get("note"), str)):
            problems.append(f"{where}.free_tier: needs quantity (≥ 0) and note")
    return problems


def regions() -> list[str]:
    return sorted(p.stem for p in PRICES_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def load_prices(region: str = DEFAULT_REGION) -> PriceBook:
    """The price book of a region (raises PriceError for an unknown region or a file that breaks the schema)."""
    import yaml
    path = PRICES_DIR / f"{region}.yaml"
    if not re.match(r"^[a-z]{2}(-[a-z]+)+-\d$", region) or not path.is_file():
        raise PriceError([f"region {region!r}: no price file (known: {', '.join(regions())})"])
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = price_problems(doc)
    if doc.get("region") != region:
        problems.append(f"region: the file {path.name} says {doc.get('region')!r}")
    if problems:
        raise PriceError([f"{path.name}: {p}" for p in problems])
    prices = {key: Price(key, float(p["usd"]), int(p["per"]), p["unit"], p["source"], p["as_of"], p["confirmed"],
                         float((p.get("free_tier") or {}).get("quantity", 0)), p.get("note", ""), p.get("seen_on", ""))
              for key, p in doc["prices"].items()}
    return PriceBook(region, doc["region_name"], doc["as_of"], f"simulator/prices/{path.name}", prices)
