"""The trading node: strategies trading one account on one `Venue`, live or on paper.

    venue events ─ Tick ──▶ last prices, 1-minute bars (`BarAggregator`) ──▶ strategies
                 ─ Fill ──▶ OrderManager (journaled) ──▶ the strategy that owns the order
                 ─ OrderUpdate ──▶ OrderManager
    strategies ─ OrderIntent ──▶ RiskEngine ──▶ OrderManager (journaled, flushed) ──▶ venue

The same strategy engine, risk engine and order manager as the event-driven backtest; only the
venue and the clock differ (ARCHITECTURE.md principle 3). Bars are fed to the strategies in
time order once their minute is over (`on_clock`, called by whoever drives time: a timer in
real time, the simulated market's driver in compressed time), so a quiet symbol's late bar
never arrives after a later one. Every order is in the journal before it is sent and every fill
before the strategy hears of it (`Journal.flush`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from jts.core.enums import OrderStatus
from jts.core.events import OrderUpdate
from jts.core.ids import ClientOrderIdGenerator
from jts.core.models import Bar, Fill, Instrument, Tick
from jts.marketdata.bars_stream import BarAggregator
from jts.oms import OrderManager
from jts.risk import RiskEngine, RiskLimits, RiskRejection
from jts.strategy.api import Strategy
from jts.strategy.engine import Execution
from jts.strategy.lang.ast import Program
from jts.trading.context import LiveRiskContext
from jts.trading.drivers import ProgramDriver, PythonDriver, StrategyDriver
from jts.trading.orders import LiveOrders
from jts.venues.base import FeedKind, Venue

__all__ = ["NodeStats", "RunningStrategy", "TradingHalted", "TradingNode"]

_log = logging.getLogger(__name__)
MINUTE_NS = 60 * 1_000_000_000
BAR_LAG_NS = 2 * 1_000_000_000
"""A minute's bars are fed 2 s after it ends, so late prints still join their bar."""


@dataclass(frozen=True)
class TradingHalted:
    """Observed when the account stops trading: the kill switch or a risk breach."""

    reason: str
    ts_ns: int


Observer = Callable[[object], None]
"""Sees every venue event after the node applied it, each minute bar as it is fed, and
`TradingHalted`: the gateway's live views, push channels and alerts hang off this."""


@dataclass
class RunningStrategy:
    name: str
    executor: StrategyDriver
    orders: LiveOrders
    symbols: frozenset[str]


@dataclass
class NodeStats:
    orders: int = 0
    fills: int = 0
    risk_rejects: int = 0
    venue_rejects: int = 0
    bars: int = 0
    errors: list[str] = field(default_factory=list)


class TradingNode:
    """One account's strategies, risk and orders on one venue."""

    def __init__(
        self,
        venue: Venue,
        account: str,
        instruments: Mapping[str, Instrument],
        base_prices: Mapping[str, int],
        day: date,
        *,
        manager: OrderManager | None = None,
        limits: RiskLimits | None = None,
        persist: Callable[[], None] | None = None,
    ) -> None:
        """`persist` makes everything the order manager recorded durable (`Journal.flush`);
        it runs before orders are sent and after each fill."""
        self.venue = venue
        self.account = account
        self.instruments = instruments
        self.base_prices = base_prices
        """Each symbol's reference price of the day (the previous close): change % is from it."""
        self.manager = manager if manager is not None else OrderManager(account)
        self.risk = RiskEngine(limits or RiskLimits())
        self.context = LiveRiskContext(self.manager, instruments, base_prices, day)
        self.ids = ClientOrderIdGenerator(prefix=_id_prefix(account))
        self.strategies: dict[str, RunningStrategy] = {}
        self.stats = NodeStats()
        self.persist: Callable[[], None] = persist or (lambda: None)
        self._bars: list[Bar] = []
        self._fed_until = 0
        self._last_ts = 0
        self._aggregator = BarAggregator(60, on_bar=self._bars.append)
        self._task: asyncio.Task[None] | None = None
        self.killed = ""
        self._breach = ""
        self.risk.on_breach = self._on_breach
        self.observers: list[Observer] = []

    # -- strategies -------------------------------------------------------------------------

    def add_strategy(
        self,
        name: str,
        strategy: Program | Strategy,
        cash: int,
        symbols: Sequence[str] | None = None,
    ) -> None:
        """Run `strategy` (a compiled program or a Python-API `Strategy`) with `cash` KRW of
        the account on `symbols` (default: all)."""
        chosen = list(symbols) if symbols is not None else sorted(self.instruments)
        orders = LiveOrders(name, self.account, self.manager, self.risk, self.context, self.ids)
        driver: StrategyDriver
        if isinstance(strategy, Strategy):
            driver = PythonDriver(strategy, chosen, cash, orders, self.instruments)
        else:
            driver = ProgramDriver(strategy, chosen, cash, orders, self.instruments)
        orders.late = driver.book_late_fill
        self.strategies[name] = RunningStrategy(name, driver, orders, frozenset(chosen))

    def warm_up(self, history: Sequence[Tick]) -> int:
        """Replay the day's earlier trades through the bars and the strategies without
        trading, so that indicators continue where a stopped process left them (their orders
        are not orders: every gate answers no). Returns the bars fed."""
        if not history:
            return 0
        for running in self.strategies.values():
            running.orders.warming = True
        bars_before = self.stats.bars
        try:
            for tick in history:
                self._on_tick(tick)
            last = history[-1].ts_ns // MINUTE_NS * MINUTE_NS
            self._fed_until = self._fed_until or (history[0].ts_ns // MINUTE_NS * MINUTE_NS)
            while self._fed_until < last:
                self._fed_until += MINUTE_NS
                self._aggregator.flush(self._fed_until)
                self._feed_minute()
        finally:
            for running in self.strategies.values():
                running.orders.warming = False
        return self.stats.bars - bars_before

    def adopt_positions(self) -> int:
        """After a restart: tell each strategy of the positions the order manager holds in its
        symbols (bought at their average price), so that it sells what it owns instead of
        buying again. Returns how many positions were handed over."""
        adopted = 0
        for position in self.manager.positions.positions():
            for running in self.strategies.values():
                if position.symbol in running.symbols and position.qty > 0:
                    execution = Execution(position.qty, position.avg_price)
                    running.executor.book_late_fill(position.symbol, "buy", execution)
                    adopted += 1
                    break
        return adopted

    def pause(self, name: str) -> None:
        """New orders of `name` are refused until `resume`; its state keeps updating."""
        self.strategies[name].orders.active = False

    def resume(self, name: str) -> None:
        self.strategies[name].orders.active = True

    async def remove_strategy(self, name: str) -> int:
        """Stop `name`: no more decisions, its working orders cancelled (positions stay with
        the account). Returns how many orders were cancelled."""
        running = self.strategies.pop(name)
        cancelled = 0
        for order in self.manager.open_orders():
            mine = running.orders.owns(order.request.client_order_id)
            if mine and order.venue_order_id:
                await self.venue.cancel(order.venue_order_id)
                cancelled += 1
        return cancelled

    def describe(self) -> list[dict[str, object]]:
        """Each running strategy: name, state, number of symbols, orders sent today."""
        return [
            {
                "name": name,
                "state": "active" if running.orders.active else "paused",
                "symbols": len(running.symbols),
                "orders": running.orders.sent,
            }
            for name, running in self.strategies.items()
        ]

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await self.venue.connect()
        await self.venue.subscribe(
            sorted(self.instruments), {FeedKind.TRADES, FeedKind.STATUS, FeedKind.ORDERS}
        )
        await self.refresh_cash()
        self._task = asyncio.create_task(self._consume(), name=f"node-{self.account}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.persist()

    def _on_breach(self, rejection: RiskRejection) -> None:
        """A risk breach (the daily loss limit) halted the engine: the kill switch follows as
        soon as the current step is done (cancels need the event loop)."""
        self._breach = rejection.message

    async def kill_switch(self, reason: str) -> int:
        """Halt the account's trading and cancel every working order; how many were cancelled."""
        self.killed = reason
        self.risk.halt(reason)
        self._emit(TradingHalted(reason, self.venue_now()))
        cancelled = 0
        for order in self.manager.open_orders():
            if order.venue_order_id:
                await self.venue.cancel(order.venue_order_id)
                cancelled += 1
        return cancelled

    async def refresh_cash(self) -> None:
        account = await self.venue.account()
        self.context.cash = account.cash + account.unsettled

    # -- events -----------------------------------------------------------------------------

    async def _consume(self) -> None:
        async for event in self.venue.events():
            try:
                await self.handle(event)
            except Exception as exc:  # one bad event must not stop trading
                self.stats.errors.append(f"{type(event).__name__}: {exc}")
                _log.exception("trading node: event %r failed", event)

    async def handle(self, event: object) -> None:
        """Apply one venue event."""
        if isinstance(event, Tick):
            if self._on_tick(event):
                await self.send()  # a tick-triggered order goes out now, not at the next bar
        elif isinstance(event, Fill):
            await self._on_fill(event)
        elif isinstance(event, OrderUpdate):
            self._on_update(event)
        if self.observers:
            self._emit(event)

    def _emit(self, event: object) -> None:
        for observer in self.observers:
            try:
                observer(event)
            except Exception:  # a view must never stop trading
                _log.exception("trading node: observer %r failed on %r", observer, event)

    def venue_now(self) -> int:
        """The latest event time seen (the venue's clock; simulated time on paper)."""
        return max(self._fed_until, self._last_ts)

    def _on_tick(self, tick: Tick) -> bool:
        """Take one print; True when a strategy decided an order on it (an exit)."""
        self.context.on_price(tick.symbol, tick.price)
        self._last_ts = tick.ts_ns
        self._aggregator.on_tick(tick)
        decided = False
        for running in self.strategies.values():
            if tick.symbol in running.symbols:
                decided |= bool(
                    running.executor.on_tick(tick.symbol, tick.ts_ns, float(tick.price))
                )
        return decided

    async def _on_fill(self, fill: Fill) -> None:
        if fill.account != self.account or fill.client_order_id not in self.manager:
            return
        self.manager.on_fill(fill)
        self.persist()  # the fill is on disk before anyone acts on it
        self.context.on_position(fill.symbol)
        self.stats.fills += 1
        for running in self.strategies.values():
            running.orders.on_fill(fill)
        await self.refresh_cash()

    def _on_update(self, update: OrderUpdate) -> None:
        coid = update.client_order_id
        if update.account != self.account or coid not in self.manager:
            return
        order = self.manager.get(coid)
        status, ts = update.status, update.ts_ns
        if update.reject_code and status is not OrderStatus.REJECTED:
            return  # a refused cancel or modify: the order is unchanged
        if status is OrderStatus.REJECTED and order.status is OrderStatus.PENDING_NEW:
            self.manager.on_rejected(coid, update.reject_code or update.message, ts)
            self.stats.venue_rejects += 1
        elif status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED):
            if order.status is OrderStatus.PENDING_NEW:
                self.manager.on_accepted(coid, update.venue_order_id, ts)
        elif status is OrderStatus.CANCELLED and order.status.is_open:
            self._close(coid, update, cancelled=True)
        elif status is OrderStatus.EXPIRED and order.status.is_open:
            self._close(coid, update, cancelled=False)
        self.persist()

    def _close(self, coid: str, update: OrderUpdate, *, cancelled: bool) -> None:
        order = self.manager.get(coid)
        if order.status is OrderStatus.PENDING_NEW:
            self.manager.on_accepted(coid, update.venue_order_id, update.ts_ns)
        if cancelled:
            self.manager.on_cancelled(coid, update.ts_ns)
        else:
            self.manager.on_expired(coid, update.ts_ns)

    # -- time -------------------------------------------------------------------------------

    async def on_clock(self, now_ns: int) -> None:
        """Feed every minute that ended at least `BAR_LAG_NS` ago to the strategies, a minute
        at a time: each minute's orders go out, and the venue's answers are taken in, before
        the next minute is fed (so a strategy hears of its fills at its next bar)."""
        until = (now_ns - BAR_LAG_NS) // MINUTE_NS * MINUTE_NS
        if not self._fed_until:
            self._fed_until = until - MINUTE_NS
        while self._fed_until < until:
            self._fed_until += MINUTE_NS
            self._aggregator.flush(self._fed_until)
            self._feed_minute()
            await self.send()
            await asyncio.sleep(0)  # let the event consumer take the venue's answers

    def _feed_minute(self) -> None:
        bars, self._bars[:] = sorted(self._bars, key=lambda b: (b.ts_ns, b.symbol)), []
        for bar in bars:
            self.stats.bars += 1
            if self.observers:
                self._emit(bar)
            for running in self.strategies.values():
                if bar.symbol in running.symbols:
                    self._feed(running, bar)
        for running in self.strategies.values():
            running.executor.end_of_timestamp()

    def _feed(self, running: RunningStrategy, bar: Bar) -> None:
        executor = running.executor
        last = executor.timestamp
        if last is not None and bar.ts_ns < last:
            return  # a bar that missed its minute: never feed time backwards
        executor.on_bar(
            bar.symbol, bar.ts_ns, bar.open, bar.high, bar.low, bar.close, bar.volume,
            float(bar.value),
        )  # fmt: skip

    async def send(self) -> None:
        """Send every queued order (already journaled) and the cancels strategies asked for."""
        self.persist()
        for running in self.strategies.values():
            orders = running.orders
            outbox, orders.outbox = orders.outbox, []
            for request in outbox:
                update = await self.venue.submit(request)
                self.stats.orders += 1
                self._on_update(update)
            cancels, orders.cancels = orders.cancels, []
            for coid in cancels:
                order = self.manager.get(coid)
                if order.status.is_open and order.venue_order_id:
                    await self.venue.cancel(order.venue_order_id)
            self.stats.risk_rejects += len(orders.refused)
            orders.refused.clear()
        if self._breach and not self.killed:
            await self.kill_switch(f"risk breach: {self._breach}")


def _id_prefix(account: str) -> str:
    """Client order ids start with the account's first 8 letters and digits (a KIS account
    is written 12345678-01; ids take only letters and digits)."""
    return "".join(c for c in account if c.isascii() and c.isalnum())[:8] or "acct"
