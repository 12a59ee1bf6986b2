"""The simulator's clock: simulated KST time that starts where it is told and runs at a pace.

Tokens, approval keys, rate-limit windows, order times and the exchange all read this one
clock, so a test moves everything at once with `advance` (speed 0: time stands still until
then), while a demo runs at wall speed from `--start-time` whatever the real hour is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from jts.core.clock import to_kst

__all__ = ["SimClock"]

NS = 1_000_000_000


class SimClock:
    """`origin_ns` at wall instant `began`, then `speed` simulated seconds per wall second,
    plus whatever `advance` added. Never goes backwards."""

    def __init__(
        self,
        origin_ns: int,
        *,
        speed: float = 1.0,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self._origin = origin_ns
        self._speed = speed
        self._wall = wall
        self._began = wall()
        self._extra = 0
        self._last = origin_ns

    def now_ns(self) -> int:
        elapsed = (self._wall() - self._began) * self._speed
        now = self._origin + int(elapsed * NS) + self._extra
        self._last = max(self._last, now)
        return self._last

    def advance(self, seconds: float) -> int:
        """Jump forward by `seconds` of simulated time; returns the new time (ns UTC)."""
        if seconds < 0:
            raise ValueError("the clock cannot go back")
        self._extra += int(seconds * NS)
        return self.now_ns()

    def kst(self) -> datetime:
        return to_kst(self.now_ns())

    def hhmmss(self) -> str:
        return self.kst().strftime("%H%M%S")

    def yyyymmdd(self) -> str:
        return self.kst().strftime("%Y%m%d")
