"""Small stand-ins for the adapter's unit tests: a clock whose sleeps move it, an issuer that
counts what it issues."""

from __future__ import annotations

from jts.core.clock import NS_PER_SECOND, SimulatedClock
from jts.venues.kis.config import AppKey
from jts.venues.kis.tokens import IssuedToken

START_NS = 1_764_000_000 * NS_PER_SECOND  # 2025-11-24, any fixed instant


class SteppingClock(SimulatedClock):
    """A simulated clock whose `sleep` advances it at once and records the wait."""

    def __init__(self, start_ns: int = START_NS) -> None:
        super().__init__(start_ns)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(max(seconds, 0.0))


class CountingIssuer:
    """Issues `token-N` valid for `lifetime_s`; refuses (like EGW00133) if asked twice within
    a minute of its clock, so a test fails loudly if the store breaks KIS's rule."""

    def __init__(self, clock: SimulatedClock, lifetime_s: float = 86_400.0) -> None:
        self.clock = clock
        self.lifetime_s = lifetime_s
        self.issued: list[int] = []
        self.approvals = 0

    async def issue_token(self, key: AppKey) -> IssuedToken:
        now = self.clock.now_ns()
        if self.issued and now - self.issued[-1] < 60 * NS_PER_SECOND:
            raise AssertionError("two issuances within a minute")
        self.issued.append(now)
        return IssuedToken(f"token-{len(self.issued)}", now + int(self.lifetime_s * NS_PER_SECOND))

    async def issue_approval(self, key: AppKey) -> str:
        self.approvals += 1
        return f"approval-{self.approvals}"


KEY = AppKey("PSappkey-000000000000000000000000001", "s" * 180)
OTHER_KEY = AppKey("PSappkey-000000000000000000000000002", "t" * 180)
