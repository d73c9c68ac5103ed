"""Shareable classroom links: a design, a scenario and a seed in one compact URL parameter.

The value is `1` (format version) followed by the base64url text (no padding) of the zlib-compressed
canonical JSON `{"design", "scenario", "seed"}`. Decoding is for untrusted input: the text is size-capped,
decompressed with a hard output cap (no zip bombs), parsed, and checked by the design loader and the
scenario validator, so a tampered or truncated link gives a clear message, never a traceback.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import zlib

from design.loader import DesignError, from_data
from design.model import Design
from design.scenario import scenario_problems

VERSION = "1"
MAX_LINK_CHARS = 24_000          # well under what browsers and proxies accept in a URL
MAX_JSON_BYTES = 2 * 1024 * 1024
_TEXT = re.compile(r"^[A-Za-z0-9_-]*$")


class LinkError(ValueError):
    """A link that cannot be used; `problems` says why, one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def canonical(design: Design, scenario: dict | None, seed: int) -> bytes:
    doc = {"design": design.to_dict(), "scenario": scenario or {}, "seed": int(seed)}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def encode(design: Design, scenario: dict | None, seed: int) -> str:
    """The link parameter for this design, scenario and seed; LinkError when it would be too long."""
    packed = zlib.compress(canonical(design, scenario, seed), 9)
    text = VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
    if len(text) > MAX_LINK_CHARS:
        raise LinkError(f"this design is too big to share as a link ({len(text):,} characters; the limit is "
                        f"{MAX_LINK_CHARS:,}): download it as a file and share that instead")
    return text


def decode(text: str) -> tuple[Design, dict, int]:
    """(design, scenario, seed) from a link parameter; LinkError listing what is wrong."""
    if not isinstance(text, str) or not text:
        raise LinkError("the link has no run in it")
    if len(text) > MAX_LINK_CHARS:
        raise LinkError(f"the link is too long ({len(text):,} characters; at most {MAX_LINK_CHARS:,})")
    if text[0] != VERSION:
        raise LinkError("the link is not a classroom link of a version this site knows")
    body = text[1:]
    if not _TEXT.match(body):
        raise LinkError("the link is damaged: it holds characters a classroom link never has")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise LinkError("the link is damaged (it is not valid base64); ask for the link again") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_JSON_BYTES)
    except zlib.error:
        raise LinkError("the link is damaged or cut short (it does not decompress); copy the whole link") from None
    if inflater.unconsumed_tail:
        raise LinkError(f"the link unpacks to more than {MAX_JSON_BYTES // 1048576} MiB; it was not made here")
    if not inflater.eof:
        raise LinkError("the link is cut short; copy the whole link")
    from design.documents import DocumentError, parse
    try:
        # The shared guarded reader: bounded depth, unreadable numbers refused (a 5,000-digit integer).
        doc = parse(raw, "json", name="the link", numbers=False)
    except DocumentError:
        raise LinkError("the link is damaged (its contents are not JSON)") from None
    return _from_doc(doc)


def _from_doc(doc) -> tuple[Design, dict, int]:
    if not isinstance(doc, dict) or set(doc) != {"design", "scenario", "seed"}:
        raise LinkError("the link does not hold a design, a scenario and a seed")
    seed = doc["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise LinkError("seed: must be a whole number ≥ 0")
    try:
        design = from_data(doc["design"])
    except DesignError as exc:
        raise LinkError([f"design: {p}" for p in exc.problems]) from None
    scenario = doc["scenario"]
    problems = scenario_problems(scenario, {n.id for n in design.nodes}, {e.key for e in design.edges})
    if problems:
        raise LinkError([f"scenario: {p}" for p in problems])
    return design, scenario, seed
