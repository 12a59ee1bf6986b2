"""The event-driven runner: bars replayed one at a time through the path live trading takes.

    bar → StreamingExecutor (strategy) → BacktestRisk (jts.risk) → OrderManager (jts.oms)
        → BarVenue (a simulated venue matching on the next bar) → Fill → OMS, ledger, strategy

Bars come in (ts, symbol) order on a simulated clock, as a live feed delivers them. An order
decided at the close of a symbol's bar rests at the `BarVenue` until that symbol's next bar,
where the venue matches it with the shared `Matcher` (fill model and costs) before the
strategy sees the bar; whatever is not filled then expires. The OMS sees every state change
(pending_new → accepted → filled / partially_filled + expired / expired); orders the risk
checks refuse never reach it and are listed as rejected in the result, as in the vectorized
runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import polars as pl

from jts.backtest.fills import Matcher
from jts.backtest.ledger import Ledger
from jts.backtest.orders import ORDER_SCHEMA, order_id
from jts.backtest.risk_context import ACCOUNT, BacktestRisk, request_of, watch_engine
from jts.backtest.runner import Prepared, RunOutput, output
from jts.core.clock import SimulatedClock
from jts.core.enums import OrderStatus
from jts.core.errors import StrategyError
from jts.core.models import Fill, Order, OrderRequest
from jts.marketdata.frames import TickFrame
from jts.oms import OrderManager
from jts.strategy.api import FIELDS, Strategy
from jts.strategy.engine import BarInput, Engine, Execution, OrderIntent
from jts.strategy.execute import StreamingExecutor
from jts.strategy.lang.ast import Program
from jts.strategy.python_runtime import PythonStrategyRunner

__all__ = ["BarVenue", "OrderPath", "run_event", "run_event_python"]

_STATUS = {
    OrderStatus.FILLED: "filled",
    OrderStatus.EXPIRED: "expired",
}


class BarVenue:
    """A venue for bar backtests: one resting order per symbol, matched on its next bar."""

    def __init__(self, matcher: Matcher, ledger: Ledger, oms: OrderManager) -> None:
        self.matcher = matcher
        self.ledger = ledger
        self.oms = oms
        self.resting: dict[str, tuple[OrderRequest, OrderIntent]] = {}
        self._fills = 0

    def accept(self, request: OrderRequest, intent: OrderIntent) -> None:
        """Take an order (the OMS hears it is accepted); it waits for the symbol's next bar."""
        coid = request.client_order_id
        self.oms.on_accepted(coid, coid, request.ts_ns)
        replaced = self.resting.get(request.symbol)
        if replaced is not None:  # a Python strategy's new order replaces an unfilled one
            self.oms.on_cancelled(replaced[0].client_order_id, request.ts_ns)
        self.resting[request.symbol] = (request, intent)

    def on_bar(self, ts: int, bar: BarInput, cash: float, position: int) -> Sequence[Execution]:
        """Match the symbol's resting order on `bar`; the executions, for the strategy."""
        resting = self.resting.pop(bar.symbol, None)
        if resting is None:
            return ()
        request, intent = resting
        coid, side, reason = request.client_order_id, request.side.value, intent.reason
        trigger = intent.trigger
        day = self.matcher.day(ts)
        if self.ledger.settlement:
            cash = min(cash, self.ledger.available(day))
        match = self.matcher.match(
            ts, side, request.qty, request.price, bar, cash, position, trigger
        )
        if trigger is not None:  # a tick exit fills when its print traded, inside this bar
            ts = request.ts_ns
        out: tuple[Execution, ...] = ()
        if match is not None:
            self._fills += 1
            fill = Fill(
                fill_id=f"{coid}-1",
                client_order_id=coid,
                account=ACCOUNT,
                symbol=bar.symbol,
                side=request.side,
                qty=match.qty,
                price=match.price,
                ts_ns=ts,
                venue_order_id=coid,
                commission=match.commission,
                tax=match.tax,
            )
            self.oms.on_fill(fill)
            self.ledger.apply(
                ts, bar.symbol, side, match.qty, match.price, match.commission, match.tax,
                coid, reason, day,
            )  # fmt: skip
            out = (Execution(match.qty, match.price, match.commission, match.tax),)
        if match is None or match.qty < request.qty:
            self.oms.on_expired(coid, ts)
        return out

    def close(self, ts: int) -> None:
        """End of data: every resting order expires."""
        for request, _ in self.resting.values():
            self.oms.on_expired(request.client_order_id, ts)
        self.resting.clear()


class OrderPath:
    """Risk checks → OMS → venue for the orders of one strategy, and the fills coming back.

    `gate` and `fills` are the strategy engine's (or the Python runtime's) `OrderGate` and
    `FillSource`; `orders()` is the run's orders table."""

    def __init__(self, prepared: Prepared, risk: BacktestRisk | None, strategy: str) -> None:
        self.clock = SimulatedClock()
        self.oms = OrderManager(ACCOUNT, clock=self.clock.now_ns)
        self.venue = BarVenue(prepared.matcher, prepared.ledger, self.oms)
        self.risk = risk
        self.strategy = strategy
        self.rejected: dict[str, tuple[OrderIntent, str, str]] = {}
        self.reasons: dict[str, str] = {}
        self.count = 0

    def gate(self, intent: OrderIntent, bar: BarInput) -> bool:
        self.count += 1
        coid = order_id(self.count)
        request = request_of(intent, coid, self.strategy)
        if self.risk is not None:
            refused = self.risk.check(request, bar, self.oms.open_orders(intent.symbol))
            if refused is not None:
                self.rejected[coid] = (intent, *refused)
                return False
        self.reasons[coid] = intent.reason
        self.oms.submit(request)
        self.venue.accept(request, intent)
        return True

    def fills(
        self, ts: int, order: OrderIntent, bar: BarInput, cash: float, position: int
    ) -> Sequence[Execution]:
        return self.venue.on_bar(ts, bar, cash, position)

    def orders(self) -> pl.DataFrame:
        return _orders(self.oms, self.rejected, self.reasons, self.count)


class BarSink(Protocol):
    """A bar-by-bar strategy driver (`StreamingExecutor`, `PythonStrategyRunner`)."""

    def on_bar(
        self,
        symbol: str,
        ts: int,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        value: float,
        base: float = ...,
    ) -> list[OrderIntent]: ...


def replay(
    prepared: Prepared,
    sink: BarSink,
    clock: SimulatedClock,
    ticks: TickFrame | None = None,
    on_tick: Callable[[str, int, float], object] | None = None,
) -> int:
    """Feed every bar to `sink` in (ts, symbol) order on `clock`, and every print of `ticks`
    to `on_tick` in time order between them; the last bar's timestamp.

    A bar is delivered when it closes (start + interval) and before the prints of that
    instant, as a live feed builds a bar from the prints before it."""
    bars = prepared.bars
    symbols = np.asarray(bars["symbol"])
    stamps = np.asarray(bars["ts"], dtype=np.int64)
    columns = [np.asarray(bars[f], dtype=np.float64) for f in FIELDS]
    base = prepared.base
    order = np.lexsort((symbols, stamps))
    if on_tick is None:
        ticks = None
    interval_ns = bars.interval_s * 1_000_000_000
    events = _merged(stamps[order] + interval_ns, ticks)
    prints: list[tuple[str, int, float]] = []
    if ticks is not None:
        prints = list(
            zip(
                np.asarray(ticks["symbol"]).tolist(),
                np.asarray(ticks["ts"], dtype=np.int64).tolist(),
                np.asarray(ticks["price"], dtype=np.float64).tolist(),
                strict=True,
            )
        )
    last = 0
    rows = order.tolist()
    for event in events:
        if event < 0:
            symbol, at, price = prints[-event - 1]
            clock.set(at)
            if on_tick is not None:
                on_tick(symbol, at, price)
            continue
        row = rows[event]
        ts = int(stamps[row])
        if ts != last:
            clock.set(max(clock.now_ns(), ts + interval_ns))  # a bar exists once it closed
            last = ts
        o, h, lo, c, v, value = (float(col[row]) for col in columns)
        sink.on_bar(str(symbols[row]), ts, o, h, lo, c, v, value, float(base[row]))
    return last


def _merged(bar_ends: npt.NDArray[np.int64], ticks: TickFrame | None) -> list[int]:
    """Event order: bar k as k, print i as -(i + 1), by time; a bar before prints of its
    closing instant."""
    if ticks is None or not len(ticks):
        return list(range(len(bar_ends)))
    tick_ts = np.asarray(ticks["ts"], dtype=np.int64)
    keys = np.concatenate([bar_ends, tick_ts])
    kinds = np.concatenate([np.zeros(len(bar_ends), np.int8), np.ones(len(tick_ts), np.int8)])
    ids = np.concatenate([np.arange(len(bar_ends)), -np.arange(1, len(tick_ts) + 1)])
    merged: list[int] = ids[np.lexsort((kinds, keys))].tolist()
    return merged


def run_event(
    program: Program,
    prepared: Prepared,
    risk: BacktestRisk | None = None,
    ticks: TickFrame | None = None,
) -> RunOutput:
    """Run `program` bar by bar over the prepared bars (see the module docstring); with
    `ticks` (sorted by time), exits also trigger on the prints between bars."""
    path = OrderPath(prepared, risk, program.name)
    engine = Engine(
        program,
        initial_cash=prepared.ledger.cash,
        fills=path.fills,
        gate=path.gate,
        instruments=prepared.matcher.instruments,
    )
    if risk is not None:
        watch_engine(risk, engine)
    executor = StreamingExecutor(program, prepared.bars.symbols(), engine=engine)
    last = replay(prepared, executor, path.clock, ticks, executor.on_tick)
    executor.flush()
    path.venue.close(last)
    return replace(output(prepared, path.orders(), engine.cash), path="event")


def run_event_python(
    strategy: Strategy,
    prepared: Prepared,
    risk: BacktestRisk | None = None,
    params: Mapping[str, Any] | None = None,
) -> tuple[RunOutput, list[StrategyError]]:
    """Run a Python `Strategy` bar by bar through the same order path; also its hook errors."""
    path = OrderPath(prepared, risk, strategy.strategy_name)
    runner = PythonStrategyRunner(
        strategy,
        prepared.bars.symbols(),
        params=params,
        initial_cash=prepared.ledger.cash,
        interval_s=prepared.bars.interval_s,
        fills=path.fills,
        gate=path.gate,
        instruments=prepared.matcher.instruments,
    )
    ctx = runner.ctx
    if risk is not None:
        risk.watch(lambda: ctx.equity, lambda symbol: ctx.symbols[symbol].close)
    runner.start()
    last = replay(prepared, runner, path.clock)
    runner.stop()
    path.venue.close(last)
    return replace(output(prepared, path.orders(), ctx.cash), path="event"), runner.errors


def _orders(
    oms: OrderManager,
    rejected: dict[str, tuple[OrderIntent, str, str]],
    reasons: dict[str, str],
    count: int,
) -> pl.DataFrame:
    """The orders table (`jts.backtest.orders.ORDER_SCHEMA`) from the OMS and the refusals."""
    rows: list[list[object]] = []
    for n in range(1, count + 1):
        coid = order_id(n)
        refused = rejected.get(coid)
        if refused is not None:
            intent, code, message = refused
            rows.append(_row(coid, intent.ts_ns, intent.symbol, intent.side, intent.qty,
                             intent.order_type, intent.limit_price, intent.reason,
                             "rejected", 0, code, message))  # fmt: skip
            continue
        order: Order = oms.get(coid)
        req = order.request
        status = "partially_filled" if 0 < order.filled_qty < req.qty else None
        rows.append(_row(coid, req.ts_ns, req.symbol, req.side.value, req.qty,
                         req.order_type.value, req.price, reasons[coid],
                         status or _STATUS.get(order.status, order.status.value),
                         order.filled_qty, None, None))  # fmt: skip
    data = {name: [row[i] for row in rows] for i, name in enumerate(ORDER_SCHEMA)}
    return pl.DataFrame(data, schema=ORDER_SCHEMA)


def _row(*values: object) -> list[object]:
    return list(values)
