"""When the KIS WebSocket should reconnect: backoff between attempts and dead-feed detection.

Both are plain objects with an injected clock and random source, so the rules are tested
without sockets or sleeps. A feed is *dead* when the socket looks alive (PINGPONG still
arrives) but no market data came for `dead_after_s` seconds while the market is open: the
only cure KIS users report is a fresh session, so the client drops the socket and reconnects.
Outside market hours silence is normal and never counts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from jts.core.clock import NS_PER_SECOND, Clock, from_ns
from jts.core.errors import ConfigError
from jts.krx import Phase, phase_at

__all__ = ["Backoff", "DeadFeedDetector", "krx_feed_expected"]

_LIVE_PHASES = frozenset({Phase.CONTINUOUS})
"""Phases in which a subscribed KRX symbol is expected to print: auctions can be silent
(no trades until the uncross, no book change without new orders)."""


def krx_feed_expected(ts_ns: int) -> bool:
    """Whether KRX continuous trading runs at `ts_ns` (calendar and late opens from `jts.krx`)."""
    return phase_at(from_ns(ts_ns, dt.UTC)) in _LIVE_PHASES


class Backoff:
    """Exponential backoff with full jitter: attempt n waits uniformly in
    [`base_s` × 2ⁿ / 2, `base_s` × 2ⁿ], capped at `max_s` seconds.

    The jitter keeps many clients (or many restarts of one) from reconnecting in step, which
    KIS would answer with `OPSP8996` while the old session slot lingers."""

    def __init__(
        self, *, base_s: float = 0.5, max_s: float = 30.0, rng: random.Random | None = None
    ) -> None:
        if base_s <= 0 or max_s < base_s:
            raise ConfigError("kis.ws.backoff", f"need 0 < base_s <= max_s, got {base_s}, {max_s}")
        self.base_s = base_s
        self.max_s = max_s
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt; each call counts one failed attempt."""
        ceiling = min(self.max_s, self.base_s * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return ceiling / 2 + self._rng.random() * ceiling / 2

    def reset(self) -> None:
        """A connection succeeded: the next failure starts again from `base_s`."""
        self.attempt = 0


class DeadFeedDetector:
    """Remembers when market data last arrived and says when silence means a dead feed."""

    def __init__(
        self,
        clock: Clock,
        *,
        dead_after_s: float = 60.0,
        feed_expected: Callable[[int], bool] = krx_feed_expected,
    ) -> None:
        if dead_after_s <= 0:
            raise ConfigError("kis.ws.dead_after_s", f"must be positive, got {dead_after_s}")
        self.clock = clock
        self.dead_after_ns = round(dead_after_s * NS_PER_SECOND)
        self._feed_expected = feed_expected
        self.last_data_ns = clock.now_ns()
        self.deaths = 0

    def saw_data(self) -> None:
        """A data frame arrived (trades or book; notices too, they prove the socket works)."""
        self.last_data_ns = self.clock.now_ns()

    def restart(self) -> None:
        """A new session starts: silence is measured from now."""
        self.last_data_ns = self.clock.now_ns()

    def is_dead(self, *, watching: bool) -> bool:
        """True when the market is open, market data is subscribed (`watching`) and nothing came
        for `dead_after_s`; counts the death and restarts the timer so it fires once per
        silence."""
        now = self.clock.now_ns()
        if not watching or not self._feed_expected(now):
            self.last_data_ns = now  # silence counts from the open, not from last night
            return False
        if now - self.last_data_ns < self.dead_after_ns:
            return False
        self.deaths += 1
        self.last_data_ns = now
        return True
