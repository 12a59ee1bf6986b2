"""`MemoryLimiter`: GCRA in one process's memory, the default when one gateway process serves.

A key whose TAT has passed is indistinguishable from an unknown key (its budget is full), so it
can be dropped. Keys are swept when the table has doubled since the last sweep: memory stays
proportional to the keys seen within the last window, even when a scan brings a new client IP
with every request, and each hit costs O(1) amortized.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from jts.gateway.ratelimit.gcra import US_PER_S, Decision, check_request, gcra_step

__all__ = ["MemoryLimiter"]

Clock = Callable[[], float]
"""Seconds from any fixed origin; only differences matter (default: `time.monotonic`)."""


class MemoryLimiter:
    """Per-key GCRA state in a dict; safe within one event loop (a hit never awaits)."""

    def __init__(self, *, clock: Clock = time.monotonic, prune_threshold: int = 1024) -> None:
        """`clock` is injectable so tests need not sleep; below `prune_threshold` keys the
        table is never swept (a sweep of a small table is not worth its time)."""
        if prune_threshold < 1:
            raise ValueError(f"prune_threshold must be at least 1, got {prune_threshold}")
        self._clock = clock
        self._tats: dict[str, float] = {}
        self._min_sweep = prune_threshold
        self._sweep_at = prune_threshold

    def __len__(self) -> int:
        """Keys currently stored (including expired ones not yet swept)."""
        return len(self._tats)

    async def hit(self, key: str, limit: int, window_s: float, cost: int = 1) -> Decision:
        window_us = check_request(limit, window_s, cost)
        now_us = self._now_us()
        new_tat, decision = gcra_step(self._tats.get(key), now_us, limit, window_us, cost)
        if new_tat is not None:
            self._tats[key] = new_tat
            if len(self._tats) >= self._sweep_at:
                self._sweep(now_us)
        return decision

    def prune(self) -> int:
        """Drop every key whose budget is full again; returns how many were dropped."""
        return self._sweep(self._now_us())

    def _sweep(self, now_us: int) -> int:
        before = len(self._tats)
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now_us}
        self._sweep_at = max(self._min_sweep, 2 * len(self._tats))
        return before - len(self._tats)

    def _now_us(self) -> int:
        return round(self._clock() * US_PER_S)
