"""Simulated time for the polling loop: concurrent lanes, no real waiting.

The poller takes a clock and a `sleep`; with these two from `VirtualTime`, several lanes (and
a fake broker whose `fetch` sleeps its latency) run concurrently as asyncio tasks, and a day of
polling plays out in seconds. Time advances only when every task is blocked on a virtual
sleep, to the earliest wake-up, as in a discrete-event simulation. Tests and the scheduler
benchmark use it; nothing in live trading does.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

from jts.core.clock import NS_PER_SECOND, SimulatedClock

__all__ = ["VirtualTime"]

_SETTLE_YIELDS = 4  # event-loop turns that let every woken task run up to its next sleep


class VirtualTime:
    """A `SimulatedClock` plus a `sleep` that parks the caller until `run_until` reaches it."""

    def __init__(self, start_ns: int = 0) -> None:
        self.clock = SimulatedClock(start_ns)
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now_ns(self) -> int:
        return self.clock.now_ns()

    async def sleep(self, seconds: float) -> None:
        """Park until simulated time has moved `seconds` on (0 still yields once)."""
        wake = self.clock.now_ns() + max(0, round(seconds * NS_PER_SECOND))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (wake, next(self._seq), future))
        await future

    async def run_until(self, end_ns: int) -> None:
        """Advance simulated time to `end_ns`, waking sleepers in time order."""
        await self._settle()
        while self._waiters and self._waiters[0][0] <= end_ns:
            wake, _, future = heapq.heappop(self._waiters)
            if wake > self.clock.now_ns():
                self.clock.set(wake)
            if not future.done():
                future.set_result(None)
            if not self._waiters or self._waiters[0][0] > wake:
                await self._settle()
        if end_ns > self.clock.now_ns():
            self.clock.set(end_ns)

    async def _settle(self) -> None:
        for _ in range(_SETTLE_YIELDS):
            await asyncio.sleep(0)
