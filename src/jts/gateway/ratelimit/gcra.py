"""The rate-limit contract (`RateLimiter`, `Decision`) and the one GCRA step every backend runs.

GCRA (the generic cell rate algorithm) keeps one number per key, the theoretical arrival time
(TAT): when the key's budget would be back to full if nothing more arrived. A request of `cost`
pushes the TAT forward by `cost` emission intervals (`window / limit`); it is allowed when the
pushed TAT is at most one window ahead of now. So a fresh key may spend its whole `limit` at
once, then earns one request back every `window / limit`: there is no window edge at which the
budget refills all at once, and the wait until the next allowed request is known exactly.

What this bounds: over any span of `s` seconds a key gets at most `limit + s * limit / window`
requests (a full burst plus the sustained rate); it does *not* bound every `window`-long span
to `limit` (a burst at t=0 and a steady trickle after it approach `2 * limit - 1` in the first
window). A bound like that needs a log of every request per key, not one timestamp.

Time is integer microseconds: the clocks are read once per hit and rounded, so a Retry-After
computed here, waited out on the same clock, always succeeds (and one microsecond less never
does). The Redis script (`redis_limiter.py`) repeats the arithmetic of `gcra_step` in Lua.
"""

from __future__ import annotations

import math
from typing import Protocol

import msgspec

__all__ = ["Decision", "RateLimiter", "check_request", "decision_from", "gcra_step"]

US_PER_S = 1_000_000
_REMAINING_SLACK = 1e-6
"""Floating error in `remaining` must not turn 99.9999999 into 99: a millionth of a request."""


class Decision(msgspec.Struct, frozen=True):
    """The answer to one `hit`; every time is in seconds from now."""

    allowed: bool
    limit: int
    remaining: int
    """Requests of cost 1 that would still be allowed right now (after this one, if allowed)."""
    retry_after_s: float
    """0 when allowed; else the exact wait until the same request would be allowed."""
    reset_after_s: float
    """Until the key's budget is full again (all `limit` available) if nothing else arrives."""


class RateLimiter(Protocol):
    """Counts requests per key; one implementation per process (memory) or shared (Redis)."""

    async def hit(self, key: str, limit: int, window_s: float, cost: int = 1) -> Decision:
        """Spend `cost` of `key`'s budget of `limit` per `window_s` seconds, if it allows."""
        ...


def check_request(limit: int, window_s: float, cost: int) -> int:
    """Validate one `hit`'s arguments and return the window in microseconds.

    A cost above the limit could never be allowed, so it is a caller's bug, not a refusal.
    More than one request per microsecond of window is refused too: the increment would be
    lost to float rounding of a µs clock near 2**50 (Redis time), the key never filling up.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    window_us = round(window_s * US_PER_S)
    if window_us < limit:
        raise ValueError(
            f"window_s must be at least one microsecond per request ({limit} µs), got {window_s}"
        )
    if not 1 <= cost <= limit:
        raise ValueError(f"cost must be between 1 and the limit ({limit}), got {cost}")
    return window_us


def gcra_step(
    tat_us: float | None, now_us: int, limit: int, window_us: int, cost: int
) -> tuple[float | None, Decision]:
    """One GCRA decision: (the key's new TAT, or None when unchanged, and the `Decision`).

    `tat_us` is the stored TAT (None for an unknown key). The increment is computed as
    `cost * window / limit` in that order so a full-limit cost is exactly one window.
    """
    base = now_us if tat_us is None or tat_us < now_us else tat_us
    new_tat = base + cost * window_us / limit
    allow_at = new_tat - window_us
    if allow_at > now_us:
        retry_us = math.ceil(allow_at - now_us)
        return None, decision_from(False, base - now_us, retry_us, limit, window_us)
    return new_tat, decision_from(True, new_tat - now_us, 0, limit, window_us)


def decision_from(
    allowed: bool, ahead_us: float, retry_us: int, limit: int, window_us: int
) -> Decision:
    """Build a `Decision` from how far the TAT is ahead of now and the wait (microseconds)."""
    left = (window_us - ahead_us) * limit / window_us + _REMAINING_SLACK
    # ahead_us >= 0 (the TAT is never behind now); it can exceed the window when a key's
    # limit or window was lowered since its last hit, hence the floor at 0.
    return Decision(allowed, limit, max(0, int(left)), retry_us / US_PER_S, ahead_us / US_PER_S)
