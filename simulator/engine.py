"""The simulated clock: one heap of (time, priority, seq, callback, argument).

`seq` breaks ties so equal-time events run in the order they were scheduled: the same design,
scenario and seed always give the same run. Callbacks are plain callables (bound methods made once
per model), not generator processes. `make bench` (benchmarks/engine.py) measures both sides of that
choice: resuming a bare generator costs about what calling a function does, so the gain is not the
resume itself but everything a process-based engine wraps around each step — SimPy's model of the
same fan-out, with an Event and a callback list per `yield`, is raced against this engine there and
the ratio of hops per second printed.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from heapq import heappop, heappush
from typing import Any, Callable, Iterator

# One pending event: (time, priority, seq, callback, argument).
Entry = tuple[float, int, int, Callable[[Any], Any], Any]

URGENT, NORMAL = 0, 1   # priorities: replies and releases before new arrivals at the same instant

# A run allocates and frees a few small objects per hop (messages, invocations, heap entries), nearly all
# released by reference counting; CPython's default young-generation threshold (700) would still start a
# cyclic collection every few hundred hops (about a tenth of a run's time in the benchmark). While a run is
# on the clock the threshold is raised; cycles are still collected, only less often, so memory stays bounded.
_GC_GEN0_DURING_RUN = 100_000
_gc_lock = threading.Lock()
_gc_runs = 0
_gc_saved: tuple[int, ...] | None = None


@contextmanager
def _fewer_collections() -> Iterator[None]:
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_GC_GEN0_DURING_RUN, _gc_saved[0]), *_gc_saved[1:])
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


class Environment:
    __slots__ = ("now", "_heap", "_seq", "stopped_by", "stop_requested")

    def __init__(self) -> None:
        self.now: float = 0.0
        self._heap: list[Entry] = []
        self._seq = 0             # the next event's sequence number (ties at equal time and priority)
        self.stopped_by: str | None = None
        self.stop_requested: str | None = None   # set by a model (hop cap); honoured between events

    def schedule(self, delay: float, callback: Callable[[Any], Any], arg: Any = None, priority: int = NORMAL) -> None:
        seq = self._seq
        self._seq = seq + 1
        heappush(self._heap, (self.now + delay, priority, seq, callback, arg))

    def at(self, time: float, callback: Callable[[Any], Any], arg: Any = None, priority: int = NORMAL) -> None:
        seq = self._seq
        self._seq = seq + 1
        heappush(self._heap, (time, priority, seq, callback, arg))

    def run(self, until: float) -> None:
        """Run every event at or before `until`; what is scheduled later stays pending (in flight)."""
        with _fewer_collections():
            self._run(until)

    def _run(self, until: float) -> None:
        heap = self._heap
        while heap:
            if heap[0][0] > until:
                self.stopped_by = "until_s"
                break
            time, _prio, _seq, callback, arg = heappop(heap)
            self.now = time
            callback(arg)
            if self.stop_requested:
                self.stopped_by = self.stop_requested
                return
        else:
            self.stopped_by = "idle"
        if self.now < until:
            self.now = until

    def pending(self) -> list[tuple[Any, Any]]:
        """What is still scheduled (for the end-of-run in-flight scan)."""
        return [(entry[3], entry[4]) for entry in self._heap]
