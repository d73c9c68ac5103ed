"""The commands the ASL interpreter hands its driver (Invoke, Sleep, Finished) and its fixed start time.

All public, re-exported by simulator.asl, whose docstring describes the protocol.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

START_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
START_ISO = "2024-01-01T00:00:00Z"   # START_TIME as the context object reports it


@dataclass(frozen=True)
class Invoke:
    token: int
    state: str
    resource: str
    target: str | None
    integration: str          # "request_response" | "sync" | "wait_for_task_token"
    payload: Any
    timeout_s: float | None
    heartbeat_s: float | None


@dataclass(frozen=True)
class Sleep:
    token: int
    state: str
    seconds: float
    reason: str               # "wait" (Wait state) | "retry" (retry backoff)


@dataclass(frozen=True)
class Finished:
    status: str               # "SUCCEEDED" | "FAILED"
    output: Any
    error: str | None
    cause: str | None


Command = Invoke | Sleep | Finished
