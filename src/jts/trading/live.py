"""Trading a broker's venue (KIS, Creon) as a service of `jts run`: the same `TradingNode`,
risk and journal as paper trading, on a real `Venue` and the wall clock.

`LiveTrading` asks its `MarketSource` for the instruments of the configured codes and their
reference prices, restores the account's orders from the journal, starts the node on the
venue, reconciles with what the venue says happened since the day began (fills while the
process was down are booked; see `jts.oms.reconcile`), and then ticks the node's clock every
`tick_s` so that minute bars reach the strategies. The clock follows the venue's event times
(`FollowingClock`): a broker's is the wall clock, a rehearsal simulator's may be another hour.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time as wall_time
from pathlib import Path
from typing import Any, Protocol

from jts.core.clock import Clock, FollowingClock, kst_ns, kst_today
from jts.core.errors import InvalidInput
from jts.core.models import BookLevel, Instrument
from jts.oms import Journal, MemoryStore, OrderStore, ReconcileReport, restore
from jts.risk import RiskLimits
from jts.storage import SqlOrderStore, open_database
from jts.strategy.api import Strategy
from jts.strategy.lang.compiler import compile_program
from jts.trading.control import TradingService
from jts.trading.node import TradingNode
from jts.trading.reconcile import reconcile_with_venue
from jts.venues.base import Venue

__all__ = ["LiveConfig", "LiveTrading", "MarketSource"]


class MarketSource(Protocol):
    """What a live venue knows of the market beyond the `Venue` Protocol."""

    async def instruments(
        self, codes: Sequence[str]
    ) -> tuple[dict[str, Instrument], dict[str, int]]:
        """The instruments of `codes` and each one's reference price of the day (normally
        the previous close); unknown codes raise `InvalidInput` naming them."""
        ...

    def book(self, symbol: str, levels: int) -> tuple[Sequence[BookLevel], Sequence[BookLevel]]:
        """The latest order book the venue streamed or polled for `symbol`, best first."""
        ...

    def observe(self, event: object) -> None:
        """Every event the node sees (books the venue streams, for instance)."""
        ...


@dataclass(frozen=True, kw_only=True)
class LiveConfig:
    """One account on one venue: the `symbols` the strategies trade and watch, the `cash` a
    strategy trades with, and the strategy (text, or a Python-API `Strategy`)."""

    account: str
    symbols: tuple[str, ...]
    strategy: str
    cash: int = 10_000_000
    python: Strategy | None = None
    limits: RiskLimits | None = None
    venue: str = "kis"
    tick_s: float = 0.5
    """Wall seconds between two ticks of the node's clock."""

    def __post_init__(self) -> None:
        if not self.symbols:
            raise InvalidInput("symbols", "a live session needs at least one symbol")
        if self.cash <= 0:
            raise InvalidInput("cash", f"{self.cash} is not a positive amount")
        if self.tick_s <= 0:
            raise InvalidInput("tick_s", f"{self.tick_s} is not a positive interval")


class LiveTrading(TradingService):
    """One account's strategies on a broker's venue, under risk, with a durable journal."""

    def __init__(
        self,
        config: LiveConfig,
        venue: Venue,
        market: MarketSource,
        *,
        var: Path | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`var`: where the order journal lives (`live-<venue>-<account>.db`); None keeps it
        in memory."""
        super().__init__("live", cash=config.cash)
        self.venue_name = config.venue
        self.config = config
        self.venue = venue
        self.market = market
        self.var = var
        self.clock: Clock = clock or FollowingClock()
        self.report: ReconcileReport | None = None

    async def _on_start(self) -> None:
        config, clock = self.config, self.clock
        await self.venue.connect()
        instruments, base_prices = await self.market.instruments(config.symbols)
        store = self._open_store()
        manager = restore(config.account, store.load(config.account))
        journal = Journal(manager, store)
        day = kst_today(clock)
        node = TradingNode(
            self.venue, config.account, instruments, base_prices, day,
            manager=manager, limits=config.limits, persist=journal.flush,
        )  # fmt: skip
        if config.python is not None:
            node.add_strategy(config.python.strategy_name, config.python, config.cash)
        else:
            program = compile_program(config.strategy)
            node.add_strategy(program.name, program, config.cash)
        node.observers.append(self.market.observe)
        node.observers.append(self._follow)
        await node.start()
        self.report = await reconcile_with_venue(
            manager, self.venue, since_ns=kst_ns(day, wall_time(0)), now_ns=clock.now_ns()
        )
        journal.flush()
        node.adopt_positions()
        self.node, self.store = node, store
        self._task = asyncio.create_task(self._run(node), name=f"live-{config.venue}")

    def _open_store(self) -> OrderStore:
        if self.var is None:
            return MemoryStore()
        self.var.mkdir(parents=True, exist_ok=True)
        path = self.var / f"live-{self.config.venue}-{self.config.account}.db"
        return SqlOrderStore(open_database(f"sqlite:///{path.resolve()}"))

    def _follow(self, event: object) -> None:
        """Event times set a `FollowingClock` (the venue's hour, not the machine's)."""
        ts = getattr(event, "ts_ns", 0)
        if isinstance(self.clock, FollowingClock) and isinstance(ts, int) and ts > 0:
            self.clock.observe(ts)

    async def _run(self, node: TradingNode) -> None:
        clock = self.clock
        while True:
            if not isinstance(clock, FollowingClock) or clock.synced:
                await node.on_clock(clock.now_ns())
            await asyncio.sleep(self.config.tick_s)

    async def _on_stop(self) -> None:
        try:
            await self._stop_node()
        finally:
            with contextlib.suppress(Exception):  # closing must not hide the first failure
                await self.venue.close()

    def book(self, symbol: str, levels: int) -> tuple[Sequence[BookLevel], Sequence[BookLevel]]:
        return self.market.book(symbol, levels)

    def clock_ns(self) -> int:
        return self.clock.now_ns()

    async def show(self, symbols: set[str]) -> None:
        """Rank what the dashboard shows above the rest, if the venue ranks (KIS)."""
        show = getattr(self.venue, "show", None)
        if callable(show):
            await show(sorted(s for s in symbols if self.node and s in self.node.instruments))

    def venue_status(self) -> dict[str, Any] | None:
        """The node's venue line plus what the venue says of its budget and feeds (a KIS
        venue: REST budget per app key, and per symbol stream or poll with its staleness)."""
        status = super().venue_status()
        if status is None:
            return None
        for name, method in (
            ("broker_keys", "budget_usage"),
            ("subscriptions", "subscription_status"),
        ):
            read = getattr(self.venue, method, None)
            if callable(read):
                status[name] = read()
        return status

    def summary(self) -> dict[str, Any]:
        summary = super().summary()
        if summary and self.report is not None:
            summary["restart_discrepancies"] = len(self.report.discrepancies)
            summary["positions_match_venue"] = self.report.positions_match
        return summary
