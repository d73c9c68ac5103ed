"""The simulated clock: one heap of (time, priority, seq, callback, argument).

`seq` breaks ties so equal-time events run in the order they were scheduled: the same design,
scenario and seed always give the same run. Callbacks are plain callables, not generator
processes, because a per-hop generator resume costs more than the whole hop (see benchmarks/).
"""
from __future__ import annotations

import heapq
from itertools import count

URGENT, NORMAL = 0, 1   # priorities: replies and releases before new arrivals at the same instant


class Environment:
    __slots__ = ("now", "_heap", "_seq", "stopped_by", "stop_requested")

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list = []
        self._seq = count()
        self.stopped_by: str | None = None
        self.stop_requested: str | None = None   # set by a model (hop cap); honoured between events

    def schedule(self, delay: float, callback, arg=None, priority: int = NORMAL) -> None:
        heapq.heappush(self._heap, (self.now + delay, priority, next(self._seq), callback, arg))

    def at(self, time: float, callback, arg=None, priority: int = NORMAL) -> None:
        heapq.heappush(self._heap, (time, priority, next(self._seq), callback, arg))

    def run(self, until: float) -> None:
        """Run every event at or before `until`; what is scheduled later stays pending (in flight)."""
        heap = self._heap
        pop = heapq.heappop
        while heap:
            if heap[0][0] > until:
                self.stopped_by = "until_s"
                break
            time, _prio, _seq, callback, arg = pop(heap)
            self.now = time
            callback(arg)
            if self.stop_requested:
                self.stopped_by = self.stop_requested
                return
        else:
            self.stopped_by = "idle"
        if self.now < until:
            self.now = until

    def pending(self) -> list:
        """What is still scheduled (for the end-of-run in-flight scan)."""
        return [(entry[3], entry[4]) for entry in self._heap]
