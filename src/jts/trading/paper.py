"""Paper trading on the simulated KRX exchange: a synthetic market with background agents, one
broker account on it, and the clock that moves them, in real time or compressed.

`PaperMarket` builds the day (`jts.venues.sim.day.open_day`: universe, base prices, agents),
opens the account (`SimAccount`) and its venue (`SimVenue`), and `run` advances the exchange's
virtual clock by `speed` simulated seconds per wall second, in small steps, calling `on_step`
after each so that the trading node can feed its bars (`TradingNode.on_clock`). The agents and
the exchange are deterministic under the seed; the wall clock only sets the pace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date
from datetime import time as wall_time

from jts.core.clock import kst_ns
from jts.core.errors import InvalidInput
from jts.core.models import Instrument, Tick
from jts.krx import is_trading_day, previous_trading_day
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.day import SimDay, open_day
from jts.venues.sim.ledger import FillLedger
from jts.venues.sim.venue import SimVenue

__all__ = ["DEFAULT_START", "PaperMarket", "demo_day"]

DEFAULT_START = wall_time(8, 59)
"""Where a paper day starts by default (KST): a minute before the opening uncross, so that
trading starts at once."""
STEP_S = 0.05
"""Wall seconds between two steps of the simulated clock."""


def demo_day(today: date) -> date:
    """The trading day a paper session simulates: `today` if it is one, else the last before."""
    return today if is_trading_day(today) else previous_trading_day(today)


class PaperMarket:
    """A simulated KRX day with agents and one account trading on it."""

    def __init__(
        self,
        symbols: int,
        seed: int,
        day: date,
        *,
        account: str = "paper",
        cash: int = 100_000_000,
        start: wall_time = DEFAULT_START,
        resume_ns: int | None = None,
        ledger: FillLedger | None = None,
        session: str = "",
    ) -> None:
        """`resume_ns` continues a day a previous process left at that simulated time (the
        agents replay up to it); `ledger` is the broker's durable fill record, `session` the
        prefix of this run's fill ids (see `SimVenue`)."""
        if symbols < 1:
            raise InvalidInput("symbols", f"{symbols} is not a positive number of symbols")
        self.sim: SimDay = open_day(symbols, seed, day)
        self.exchange = self.sim.exchange
        self.day = day
        self.instruments: dict[str, Instrument] = {
            name: self.exchange.markets[name].rules.instrument for name in self.sim.symbols
        }
        self.base_prices = {
            name: self.exchange.markets[name].rules.base_price for name in self.sim.symbols
        }
        self.account = SimAccount(account, cash)
        self.venue = SimVenue(
            self.exchange, self.account, self.instruments, ledger=ledger, session=session
        )
        self.start_ns = max(self.sim.start_ns, resume_ns or kst_ns(day, start))
        self.end_ns = self.sim.end_ns
        self.history: list[Tick] = []
        """The trades of the day before `start_ns` when resuming: strategies warm up on them."""
        if resume_ns:
            self.exchange.add_listener(self._record)
        self.sim.flow.run(self.start_ns)
        if resume_ns:
            self.exchange.reports.listeners.remove(self._record)

    def _record(self, event: object) -> None:
        if isinstance(event, Tick):
            self.history.append(event)

    def now_ns(self) -> int:
        return self.exchange.now_ns()

    async def run(
        self,
        speed: float,
        *,
        duration_s: float | None = None,
        on_step: Callable[[int], Awaitable[None]] | None = None,
        stop: asyncio.Event | None = None,
    ) -> None:
        """Advance the day at `speed` simulated seconds per wall second until its end, until
        `duration_s` wall seconds passed, or until `stop` is set."""
        if speed <= 0:
            raise InvalidInput("speed", f"{speed} is not a positive speed")
        began, origin = time.perf_counter(), self.exchange.now_ns()
        while self.exchange.now_ns() < self.end_ns:
            elapsed = time.perf_counter() - began
            if duration_s is not None and elapsed >= duration_s:
                break
            if stop is not None and stop.is_set():
                break
            target = min(self.end_ns, origin + int(elapsed * speed * 1e9))
            self.sim.flow.run(target)
            if on_step is not None:
                await on_step(self.exchange.now_ns())
            await asyncio.sleep(STEP_S)
