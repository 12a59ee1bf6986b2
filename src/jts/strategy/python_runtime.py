"""Run a Python `Strategy` (jts.strategy.api) with the executors' fill and cash rules.

    runner = PythonStrategyRunner(MyStrategy(), symbols, params={"qty": 5})
    intents = runner.on_bar(symbol, ts, open, high, low, close, volume, value)
    intents += runner.stop()                     # last timestamp's orders, then on_stop
    intents = run_python(MyStrategy(), bars)     # a BarFrame replayed in (ts, symbol) order

A backtest plugs in its fill source and order gate (`fills=`, `gate=`, as for the strategy
engine): fills then come from its fill models or simulated venue, with costs, and every order
passes its risk checks; without them the engine's own assumption (`assumed_fills`) applies.

Timing is that of `StreamingExecutor`: bars are buffered per timestamp, and a timestamp is
decided when a bar of a later one arrives (`on_bar` returns its orders), on
`end_of_timestamp()`, on a tick, or on `flush()` / `stop()`. Deciding a timestamp, symbols in
code order: every pending order fills (or is dropped) at its symbol's bar open and the bar joins
the history; then `on_fill` for each fill; then `on_bar` for each bar. The fill price, limit
rounding and cash rules are `jts.strategy.engine`'s (`assumed_fills`, `limit_on_tick` are reused,
not copied); as in the engine, cash for buys is reserved per timestamp, at most one order per
symbol is placed per timestamp (a second one is refused: None), and a new order replaces one
that has not filled yet. Orders placed in `on_tick` are stamped with the tick's time and fill
at the open of the symbol's first bar starting after it.

A hook that raises is turned into a `StrategyError`, appended to `errors` and logged; orders it
placed before raising stand, and the run goes on. A strategy that is not a `Strategy`, was
written for another `API_VERSION` or has no `on_bar` is refused on construction.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import structlog

from jts.core.enums import Side
from jts.core.errors import InvalidInput, StrategyError
from jts.core.models import Bar, Fill, Instrument, Tick
from jts.marketdata.frames import BarFrame
from jts.strategy import api
from jts.strategy.engine import DEFAULT_CASH
from jts.strategy.engine_io import (
    BarInput,
    Execution,
    FillSource,
    OrderGate,
    OrderIntent,
    assumed_fills,
    limit_on_tick,
)
from jts.strategy.execute import replay

__all__ = ["PythonStrategyRunner", "run_python"]

_log = structlog.get_logger(__name__)
_NAN = math.nan


def _no_market(key: str) -> Any:
    raise KeyError(key)


class _Symbol:
    def __init__(self, size: int) -> None:
        self.position = 0
        self.entry_price = _NAN
        self.close = _NAN
        self.pending: OrderIntent | None = None
        self.bar: BarInput | None = None
        self.history = {f: deque[float](maxlen=size) for f in api.FIELDS}


class _Context:
    """The `StrategyContext` of a runner: the book (cash, positions) and order placement."""

    def __init__(
        self,
        name: str,
        symbols: Sequence[str],
        params: Mapping[str, Any],
        cash: float,
        size: int,
        hooks: tuple[FillSource, OrderGate | None, Mapping[str, Instrument]],
    ) -> None:
        self.name = name
        self.fills, self.gate, self.instruments = hooks
        self._params = MappingProxyType(dict(params))
        self._cash = float(cash)
        self._size = size
        self.symbols = {s: _Symbol(size) for s in sorted(symbols)}
        self._now = 0
        self._reserved = 0.0
        self._placed: set[str] = set()
        self.orders: list[OrderIntent] = []

    @property
    def now_ns(self) -> int:
        return self._now

    @property
    def params(self) -> Mapping[str, Any]:
        return self._params

    @property
    def cash(self) -> float:
        return self._cash

    @property
    def equity(self) -> float:
        total = self._cash
        for sym in self.symbols.values():
            if sym.position:
                total += sym.position * sym.close
        return total

    def position(self, symbol: str) -> int:
        return self._symbol(symbol).position

    def entry_price(self, symbol: str) -> float | None:
        sym = self._symbol(symbol)
        return sym.entry_price if sym.position else None

    def buy(
        self, symbol: str, qty: int, *, limit: float | None = None, reason: str = "python"
    ) -> OrderIntent | None:
        return self._order("buy", symbol, qty, limit, reason)

    def sell(
        self, symbol: str, qty: int, *, limit: float | None = None, reason: str = "python"
    ) -> OrderIntent | None:
        return self._order("sell", symbol, qty, limit, reason)

    def close(self, symbol: str, *, reason: str = "python") -> OrderIntent | None:
        return self._order("sell", symbol, self._symbol(symbol).position, None, reason)

    def history(self, symbol: str, field: str, n: int) -> list[float]:
        if field not in api.FIELDS:
            raise InvalidInput("field", f"{field!r} is not one of {', '.join(api.FIELDS)}")
        if not 0 <= n <= self._size:
            raise InvalidInput("n", f"must be in 0..{self._size} (history_size), got {n}")
        values = self._symbol(symbol).history[field]
        return list(values)[len(values) - n :] if n else []

    def log(self, event: str, **fields: Any) -> None:
        _log.info(event, strategy=self.name, ts_ns=self._now, **fields)

    def _symbol(self, symbol: str) -> _Symbol:
        sym = self.symbols.get(symbol)
        if sym is None:
            raise InvalidInput("symbol", f"{symbol!r} is not among the runner's symbols")
        return sym

    def begin(self, now: int) -> None:
        """A new decision point: fresh cash reservation and one order per symbol."""
        self._now, self._reserved = now, 0.0
        self._placed.clear()

    def _order(
        self, side: str, symbol: str, qty: float, limit: float | None, reason: str
    ) -> OrderIntent | None:
        sym = self._symbol(symbol)
        if symbol in self._placed:
            self.log("order_refused", symbol=symbol, why="one order per symbol and bar")
            return None
        if not math.isfinite(qty):
            return None
        shares, price, limit_price = math.floor(qty), sym.close, None
        if limit is not None:
            mode = "down" if side == "buy" else "up"
            limit_price = limit_on_tick(float(limit), mode, self._now, self.instruments.get(symbol))
            if limit_price is None:
                return None
            price = float(limit_price)
        if not price > 0:
            return None
        if side == "sell":
            shares = min(shares, sym.position)
        else:
            shares = min(shares, math.floor((self._cash - self._reserved) / price))
        if shares <= 0:
            return None
        kind = "market" if limit_price is None else "limit"
        intent = OrderIntent(self._now, symbol, side, shares, kind, limit_price, reason)
        if self.gate is not None and sym.bar is not None and not self.gate(intent, sym.bar):
            return None
        if side == "buy":
            self._reserved += shares * price
        sym.pending = intent
        self._placed.add(symbol)
        self.orders.append(intent)
        return intent

    def fill(self, bar: Bar, prices: BarInput) -> list[tuple[OrderIntent, Execution]]:
        """Fill `bar.symbol`'s pending order at this bar (the fill source); record the bar."""
        sym = self._symbol(bar.symbol)
        values = (prices.open, prices.high, prices.low, prices.close, bar.volume, bar.value)
        for field, v in zip(api.FIELDS, values, strict=True):
            sym.history[field].append(float(v))
        sym.close = prices.close
        sym.bar = prices
        order = sym.pending
        if order is None or order.ts_ns >= bar.ts_ns:
            return []
        sym.pending = None
        done = []
        for execution in self.fills(bar.ts_ns, order, prices, self._cash, sym.position):
            if execution.qty > 0:
                self.apply(sym, order.side, execution)
                done.append((order, execution))
        return done

    def apply(self, sym: _Symbol, side: str, execution: Execution) -> None:
        """Book one execution into cash, position and entry price."""
        qty, price = execution.qty, execution.price
        if side == "sell":
            self._cash += qty * price - execution.cost
            sym.position -= qty
            if not sym.position:
                sym.entry_price = _NAN
            return
        self._cash -= qty * price + execution.cost
        if sym.position:
            paid = sym.entry_price * sym.position + price * qty
            sym.entry_price = paid / (sym.position + qty)
        else:
            sym.entry_price = price
        sym.position += qty


def _checked(strategy: object) -> api.Strategy:
    if not isinstance(strategy, api.Strategy):
        raise StrategyError(type(strategy).__name__, "is not a jts.strategy.api.Strategy")
    name = strategy.strategy_name
    if strategy.API_VERSION != api.API_VERSION:
        problem = f"written for API_VERSION {strategy.API_VERSION!r}, this runtime has "
        raise StrategyError(name, problem + f"{api.API_VERSION}")
    if type(strategy).on_bar is api.Strategy.on_bar:
        raise StrategyError(name, "does not define on_bar(ctx, bar), the one required hook")
    return strategy


def _krw(x: float) -> int:
    return round(x) if math.isfinite(x) else 0


class PythonStrategyRunner:
    """Drives one `Strategy` bar by bar; see the module docstring."""

    def __init__(
        self,
        strategy: api.Strategy,
        symbols: Sequence[str],
        *,
        params: Mapping[str, Any] | None = None,
        initial_cash: float = DEFAULT_CASH,
        interval_s: int = 60,
        account: str = "backtest",
        fills: FillSource | None = None,
        gate: OrderGate | None = None,
        instruments: Mapping[str, Instrument] | None = None,
    ) -> None:
        self.strategy = _checked(strategy)
        self.name = strategy.strategy_name
        unknown = sorted(set(params or {}) - set(strategy.default_params))
        if unknown:
            raise InvalidInput("params", f"{self.name} has no parameter {', '.join(unknown)}")
        merged = {**strategy.default_params, **(params or {})}
        hooks = (assumed_fills if fills is None else fills, gate, dict(instruments or {}))
        size = strategy.history_size
        self.ctx = _Context(self.name, symbols, merged, initial_cash, size, hooks)
        self.errors: list[StrategyError] = []
        self.interval_s = interval_s
        self.account = account
        self._ts: int | None = None
        self._batch: list[tuple[Bar, BarInput]] = []
        self._started = self._stopped = False
        self._fills = 0

    def start(self) -> list[OrderIntent]:
        """Call `on_start` (done by the first bar or tick when not called before)."""
        if not self._started:
            self._started = True
            self._call("on_start", self.strategy.on_start)
        return self._take()

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
        base: float = _NAN,
    ) -> list[OrderIntent]:
        """Take one bar; returns the orders of the previous timestamp when `ts` is later.
        `base` is the day's base price for a fill source that checks price limits."""
        self.ctx._symbol(symbol)
        out = self.start()
        if self._ts is not None and ts != self._ts:
            if ts < self._ts:
                raise InvalidInput("ts", f"bar at {ts} after a bar at {self._ts}")
            out += self.end_of_timestamp()
        prices = BarInput(
            symbol,
            float(open),
            float(high),
            float(low),
            float(close),
            _no_market,
            float(volume),
            base,
        )
        bar = Bar(
            symbol=symbol,
            ts_ns=ts,
            interval_s=self.interval_s,
            open=_krw(float(open)),
            high=_krw(float(high)),
            low=_krw(float(low)),
            close=_krw(float(close)),
            volume=_krw(float(volume)),
            value=_krw(float(value)),
        )
        self._batch.append((bar, prices))
        self._ts = ts
        return out

    def end_of_timestamp(self) -> list[OrderIntent]:
        """Decide the buffered timestamp (all its bars are in); its orders."""
        if self._ts is None or not self._batch:
            return []
        batch, self._batch = sorted(self._batch, key=lambda b: b[0].symbol), []
        self.ctx.begin(self._ts)
        fills = [(bar, f) for bar, prices in batch for f in self.ctx.fill(bar, prices)]
        for bar, (order, execution) in fills:
            self._fills += 1
            fill = Fill(
                fill_id=f"{self.name}-{self._fills}",
                client_order_id=f"{self.name}-{order.ts_ns}-{order.symbol}",
                account=self.account,
                symbol=order.symbol,
                side=Side(order.side),
                qty=execution.qty,
                price=_krw(execution.price),
                ts_ns=bar.ts_ns,
                commission=execution.commission,
                tax=execution.tax,
            )
            self._call("on_fill", self.strategy.on_fill, fill)
        for bar, _ in batch:
            self._call("on_bar", self.strategy.on_bar, bar)
        return self._take()

    def on_tick(self, tick: Tick) -> list[OrderIntent]:
        """Decide any buffered timestamp, then pass `tick` to `on_tick`; the orders."""
        out = self.start() + self.end_of_timestamp()
        self.ctx.begin(tick.ts_ns)
        self._call("on_tick", self.strategy.on_tick, tick)
        return out + self._take()

    def flush(self) -> list[OrderIntent]:
        """The orders of the last buffered timestamp (same as `end_of_timestamp`)."""
        return self.end_of_timestamp()

    @property
    def timestamp(self) -> int | None:
        """The bar timestamp being collected (ns), None before the first bar."""
        return self._ts

    def book_late_fill(self, symbol: str, side: str, execution: Execution) -> None:
        """Book an execution that arrived after its order was answered (a live venue's late
        fill): the strategy's cash and position follow the venue."""
        if execution.qty > 0:
            self.ctx.apply(self.ctx._symbol(symbol), side, execution)

    def stop(self) -> list[OrderIntent]:
        """Flush, then call `on_stop` once; every order placed meanwhile."""
        out = self.start() + self.flush()
        if not self._stopped:
            self._stopped = True
            self._call("on_stop", self.strategy.on_stop)
        return out + self._take()

    def _take(self) -> list[OrderIntent]:
        out, self.ctx.orders = self.ctx.orders, []
        return out

    def _call(self, hook: str, fn: Callable[..., None], *args: Any) -> None:
        ctx: api.StrategyContext = self.ctx  # the context satisfies the public Protocol
        try:
            fn(ctx, *args)
        except Exception as exc:
            error = StrategyError(self.name, f"{hook} raised {type(exc).__name__}: {exc}")
            error.__cause__ = exc
            self.errors.append(error)
            _log.error(
                "strategy_error",
                strategy=self.name,
                hook=hook,
                ts_ns=self.ctx.now_ns,
                error=str(exc),
            )


def run_python(
    strategy: api.Strategy,
    bars: BarFrame,
    *,
    params: Mapping[str, Any] | None = None,
    initial_cash: float = DEFAULT_CASH,
) -> list[OrderIntent]:
    """Replay `bars` through a `PythonStrategyRunner` in (ts, symbol) order; every order."""
    runner = PythonStrategyRunner(
        strategy,
        bars.symbols(),
        params=params,
        initial_cash=initial_cash,
        interval_s=bars.interval_s,
    )
    out = runner.start()
    for symbol, ts, fields in replay(bars):
        out += runner.on_bar(symbol, ts, *fields)
    return out + runner.stop()
