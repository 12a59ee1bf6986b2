"""The strategy engine: one scalar per-symbol state machine shared by both executors.

    engine = Engine(program, initial_cash=100_000_000)
    intents = engine.on_timestamp(ts, [BarInput(symbol, open, high, low, close, market), ...])

`jts.strategy.execute` drives it from vectorized values (`run_vectorized`) or bar by bar
(`StreamingExecutor`); given the same market-only values, the same orders come out by
construction. The program's semantics are in docs/strategy-language.md; what the language
leaves to the executor is decided here:

Fills (own assumption, unless a fill source is plugged in)
    An order is decided at the close of bar t and fills at the symbol's next bar. By default
    (`assumed_fills`) it fills whole at that bar's open: a market order at the open; a limit
    buy only if the bar's low reaches the limit, at min(open, limit); a limit sell only if its
    high reaches the limit, at max(open, limit); otherwise it is dropped. No costs. A buy fill
    is cut to the shares the cash pays for at the fill price; a sell fill to the shares held.
    The backtester passes its own `FillSource` (fill models with costs, or the fills of a
    simulated venue) and an `OrderGate` (its risk checks); the rest of the engine is the same.

Cash and sizing
    Cash starts at `initial_cash`; equity = cash + every position at its symbol's last close.
    Sizes are priced at the order's reference price (the limit price, or this bar's close for
    a market order) and floored to whole shares: `n shares` (n floored), `x KRW`
    (x / price), `p% of equity` (p × equity / price), `all` / `close` (the position),
    `target p% of equity` (p × equity / price minus the position; buy or sell the
    difference). A buy is also cut to what cash (less what earlier buys decided at the same
    timestamp reserved) pays at the reference price. An undefined or non-positive size, a sell
    when flat and a limit price that is undefined or does not round onto a tick place nothing.
    Limit prices are rounded to whole won in the rounding's direction (nearest: half up), then
    onto the KRX tick grid of the bar's KST date (`round_to_tick`, KOSPI stock table).

Per bar of a symbol, at its close, in this order
    1. the pending order fills (or is dropped) at this bar's open;
    2. the position series are updated: `position`, `entry_price` (average price paid; not
       changed by sells), `bars_since_entry` (0 on the bar of the fill that opened the
       position, +1 per bar of the symbol), `unrealized_pnl_pct` (close / entry_price - 1);
    2b. (after a selection re-rank) the symbol's cells — indicators and lookbacks over
       position or selection series — take this bar's values (`jts.strategy.engine_eval`);
    3. exits, intrabar: stop loss and trailing stop trigger when the bar's low reaches their
       level, take profit when its high reaches its level; several at once count as the first
       of stop loss, trailing stop, take profit. KRW distances of stop loss and take profit
       (and percent ones) are fixed on the entry bar's close; an undefined one never triggers.
       Levels are entry × (1 - p) / entry × (1 + p) for a percent, entry ∓ d for KRW.
       The trailing level on a bar is the peak since entry up to the previous bar (the entry
       fill price on the entry bar) × (1 - p), or less this bar's KRW distance; it never moves
       down. The peak then takes this bar's high. An exit sells the whole position at market;
    4. end-of-day flat (intraday): `flat at HH:MM` sells the whole position at market on
       every bar starting at or after HH:MM while a position is held (so a position filled
       after the flat time is closed on its next bar); `flat at end of day` on
       `last_bar_of_day`;
    5. the rules, in order: the first whose condition is true decides; if its action places
       nothing (a sell when flat), no later rule is tried.
    At most one order per symbol and bar: an exit or flat order skips steps 4-5.

Exits on ticks (`Engine.on_tick`, live trading and tick backtests)
    Between bars, each trade print of a held symbol without a pending order is checked
    against the exit levels as of its last bar: stop loss and take profit as fixed on the
    entry bar, the trailing level that the next bar would use (the peak including the last
    bar, less the distance valued on the last bar, never below the current level). A print
    at or through a level sells the whole position at market at once, stamped with the
    print's time and with the print's price as `trigger`; the default fill source fills it
    at that price on the symbol's next bar (the one the print belongs to). The order counts as
    that bar's pending order: the bar's own exits and flat rule see a flat symbol. Prints
    start counting after the entry bar (the engine learns of a fill when its bar closes);
    the entry bar, and bars without prints, keep the bar-level exit check.

Selection (`select top/bottom N by <score> rebalance <schedule>`)
    Cross-sectional at each timestamp over the symbols with a bar at it. A timestamp re-ranks
    when it is the first of a new KST day (`daily`), ISO week (`weekly`) or month
    (`monthly`) among the timestamps the engine has seen, or every N timestamps
    (`every N bars`, the first one included). On such a timestamp every symbol with a bar
    is scored (after its fill and position update) and ranked: highest first for `top`,
    lowest for `bottom`, NaN never ranked, ties to the smaller code; `rank` is 1, 2, ...
    (NaN when not ranked), `selected` is rank <= N, and both hold until the next re-rank.
    `rebalancing` is true on the bars of a re-ranking timestamp.

Symbols are processed in code order within a timestamp; intents come out in (ts, symbol)
order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jts.core.models import Instrument
from jts.strategy.engine_eval import NAN, Cells, Market, NotExecutable, Remainder, Selector
from jts.strategy.engine_io import (
    BarInput,
    Execution,
    FillSource,
    OrderGate,
    OrderIntent,
    assumed_fills,
    limit_on_tick,
)
from jts.strategy.evaluate.series import DayTracker
from jts.strategy.evaluate.split import split_program
from jts.strategy.lang.ast import (
    ActionKind,
    Exit,
    ExitKind,
    ExitMode,
    OrderKind,
    Program,
    Rounding,
    Rule,
    SizeKind,
)
from jts.strategy.lang.expr import Expr

__all__ = [
    "DEFAULT_CASH",
    "BarInput",
    "Engine",
    "Execution",
    "FillSource",
    "NotExecutable",
    "OrderGate",
    "OrderIntent",
    "assumed_fills",
]

DEFAULT_CASH = 100_000_000
_EXIT_ORDER = (ExitKind.STOP_LOSS, ExitKind.TRAILING_STOP, ExitKind.TAKE_PROFIT)


class _Symbol:
    """The state of one symbol (module docstring); `series` serves the remainder."""

    def __init__(
        self, code: str, bar_minutes: int | None, selector: Selector | None, cells: Cells | None
    ) -> None:
        self.code = code
        self.cells = cells
        self.day = DayTracker(bar_minutes)
        self.selector = selector
        self.position = 0
        self.entry_price = NAN
        self.bars_since_entry = NAN
        self.close = NAN
        self.peak = NAN
        self.trail = NAN
        self.fixed: dict[ExitKind, float] = {}
        self.pending: OrderIntent | None = None
        self.last: BarInput | None = None

    def series(self, name: str) -> float | bool:
        if name == "position":
            return float(self.position)
        if name == "entry_price":
            return self.entry_price
        if name == "bars_since_entry":
            return self.bars_since_entry
        if name == "unrealized_pnl_pct":
            return self.close / self.entry_price - 1.0
        assert self.selector is not None
        return self.selector.series(self.code, name)

    def cell(self, index: int) -> Any:
        assert self.cells is not None
        return self.cells.values[index]


class Engine:
    """Orders of `program` from bars fed one timestamp at a time (module docstring)."""

    def __init__(
        self,
        program: Program,
        *,
        initial_cash: float = DEFAULT_CASH,
        fills: FillSource | None = None,
        gate: OrderGate | None = None,
        instruments: Mapping[str, Instrument] | None = None,
    ) -> None:
        """`instruments` give symbols their tick table for limit prices (market, ETF); a
        symbol without one is a KOSPI stock."""
        self.program = program
        self.instruments = dict(instruments or {})
        self.fills: FillSource = assumed_fills if fills is None else fills
        self.gate = gate
        self.remainder = Remainder(program, split_program(program))
        if program.selection is not None:
            self.remainder.refuse_cells(program.selection.by, "a selection score")
        for expr in _expressions(program):
            self.remainder.check(expr)
        self.selector = Selector(program) if program.selection is not None else None
        self.cash = float(initial_cash)
        self.symbols: dict[str, _Symbol] = {}
        self._reserved = 0.0
        self._exits = [e for k in _EXIT_ORDER if (e := program.exit(k)) is not None]
        self.close_of: Callable[[str], float] | None = None
        """When set, the last close of a symbol at the current timestamp for `equity` (a driver
        that does not feed every bar of a held symbol provides it; `jts.strategy.engine_skip`)."""

    def register(self, codes: Sequence[str]) -> None:
        """Create the state of `codes` in this order (the order `equity` sums positions in)."""
        for code in codes:
            self._symbol(code)

    def equity(self) -> float:
        """Cash plus every position at its symbol's last close."""
        total = self.cash
        close_of = self.close_of
        for sym in self.symbols.values():
            if sym.position:
                close = sym.close if close_of is None else close_of(sym.code)
                total += sym.position * close
        return total

    def on_timestamp(self, ts: int, bars: Sequence[BarInput]) -> list[OrderIntent]:
        """Advance every symbol with a bar starting at `ts` (increasing across calls)."""
        rows = sorted(bars, key=lambda b: b.symbol)
        states = [self._symbol(b.symbol) for b in rows]
        for sym, bar in zip(states, rows, strict=True):
            self._fill(ts, sym, bar)
            sym.day.update(ts)
            sym.close = bar.close
        if self.selector is not None and self.selector.due(ts):
            by = self.selector.by
            scores = [
                (s.code, self.remainder.number(by, b.market, s))
                for s, b in zip(states, rows, strict=True)
            ]
            self.selector.rerank(scores)
        if self.remainder.cells:
            for sym, bar in zip(states, rows, strict=True):
                assert sym.cells is not None
                sym.cells.update(bar.market, sym)
        self._reserved = 0.0
        out: list[OrderIntent] = []
        for sym, bar in zip(states, rows, strict=True):
            intent = self._decide(ts, sym, bar)
            sym.last = bar
            if sym.position:
                sym.peak = max(sym.peak, bar.high)
            if intent is not None:
                if self.gate is not None and not self.gate(intent, bar):
                    if intent.side == "buy":
                        self._reserved -= intent.qty * _reference(intent, bar)
                    continue
                sym.pending = intent
                out.append(intent)
        return out

    def on_tick(self, ts: int, symbol: str, price: float) -> OrderIntent | None:
        """An exit order when the print at `price` crosses a level (module docstring)."""
        sym = self.symbols.get(symbol)
        if sym is None or not sym.position or sym.pending is not None or sym.last is None:
            return None
        reason = self._tick_exit(sym, sym.last, price)
        if reason is None:
            return None
        intent = OrderIntent(ts, symbol, "sell", sym.position, "market", None, reason, price)
        if self.gate is not None and not self.gate(intent, sym.last):
            return None
        sym.pending = intent
        return intent

    def _tick_exit(self, sym: _Symbol, bar: BarInput, price: float) -> str | None:
        for ex in self._exits:
            if ex.kind is ExitKind.TRAILING_STOP:
                value = self.remainder.number(ex.distance, bar.market, sym)
                level = _level(ex, sym.peak, value, -1.0)
                if level != level or level < sym.trail:
                    level = sym.trail
                triggered = price <= level
            else:
                value = sym.fixed.get(ex.kind, NAN)
                if ex.kind is ExitKind.STOP_LOSS:
                    triggered = price <= _level(ex, sym.entry_price, value, -1.0)
                else:
                    triggered = price >= _level(ex, sym.entry_price, value, 1.0)
            if triggered:
                return ex.kind.value
        return None

    def _symbol(self, code: str) -> _Symbol:
        sym = self.symbols.get(code)
        if sym is None:
            cells = self.remainder.new_cells() if self.remainder.cells else None
            sym = _Symbol(code, self.program.bar_minutes, self.selector, cells)
            self.symbols[code] = sym
        return sym

    def _fill(self, ts: int, sym: _Symbol, bar: BarInput) -> None:
        if sym.position:
            sym.bars_since_entry += 1.0
        order, sym.pending = sym.pending, None
        if order is None:
            return
        for execution in self.fills(ts, order, bar, self.cash, sym.position):
            self._apply(sym, order.side, execution)

    def book_late_fill(self, symbol: str, side: str, execution: Execution) -> None:
        """Book an execution that arrived after its order was answered at the next bar (a
        live venue's fill can come late): the engine's position and cash follow the venue."""
        self._apply(self._symbol(symbol), side, execution)

    def _apply(self, sym: _Symbol, side: str, execution: Execution) -> None:
        qty, price = execution.qty, execution.price
        if qty <= 0:
            return
        if side == "sell":
            self.cash += qty * price - execution.cost
            sym.position -= qty
            if not sym.position:
                sym.entry_price = sym.bars_since_entry = sym.peak = sym.trail = NAN
                sym.fixed = {}
            return
        self.cash -= qty * price + execution.cost
        if not sym.position:
            sym.entry_price, sym.bars_since_entry, sym.peak = price, 0.0, price
        else:
            paid = sym.entry_price * sym.position + price * qty
            sym.entry_price = paid / (sym.position + qty)
        sym.position += qty

    def _decide(self, ts: int, sym: _Symbol, bar: BarInput) -> OrderIntent | None:
        if sym.position:
            reason = self._exit(sym, bar)
            if reason is None and self._flat_now(sym, ts):
                reason = "flat"
            if reason is not None:
                return OrderIntent(ts, sym.code, "sell", sym.position, "market", None, reason)
        for index, rule in enumerate(self.program.rules):
            if self.remainder.condition(rule.condition, bar.market, sym):
                return self._act(ts, index, rule, sym, bar)
        return None

    def _exit(self, sym: _Symbol, bar: BarInput) -> str | None:
        hit: str | None = None
        for ex in self._exits:
            if ex.kind is ExitKind.TRAILING_STOP:
                value = self.remainder.number(ex.distance, bar.market, sym)
                level = _level(ex, sym.peak, value, -1.0)
                if level == level and not level <= sym.trail:
                    sym.trail = level
                triggered = bar.low <= sym.trail
            else:
                if sym.bars_since_entry == 0.0:
                    value = self.remainder.number(ex.distance, bar.market, sym)
                    sym.fixed[ex.kind] = value
                value = sym.fixed.get(ex.kind, NAN)
                if ex.kind is ExitKind.STOP_LOSS:
                    triggered = bar.low <= _level(ex, sym.entry_price, value, -1.0)
                else:
                    triggered = bar.high >= _level(ex, sym.entry_price, value, 1.0)
            if triggered and hit is None:
                hit = ex.kind.value
        return hit

    def _flat_now(self, sym: _Symbol, ts: int) -> bool:
        flat = self.program.flat
        if flat is None or self.program.bar_minutes is None:
            return False
        if flat.minute is None:
            return sym.day.last
        return bool(sym.day.value("time", ts) >= flat.minute)

    def _act(
        self, ts: int, index: int, rule: Rule, sym: _Symbol, bar: BarInput
    ) -> OrderIntent | None:
        action, market = rule.action, bar.market
        order = action.order
        buying = action.kind is ActionKind.BUY
        target = math.nan
        if action.kind is ActionKind.TARGET:
            assert action.size.amount is not None
            fraction = self.remainder.number(action.size.amount, market, sym)
            target = fraction * self.equity()
            buying = target >= sym.position * bar.close
        side = "buy" if buying else "sell"
        limit: int | None = None
        price = bar.close
        if order.kind is OrderKind.LIMIT:
            assert order.price is not None
            raw = self.remainder.number(order.price, market, sym)
            ins = self.instruments.get(sym.code)
            mode = _rounding(order.rounding, buying)
            limit = limit_on_tick(raw, mode, ts, ins)
            if limit is None:
                return None
            price = float(limit)
        if not price > 0:
            return None
        qty = self._quantity(action.size.kind, action.size.amount, market, sym, price, target)
        if qty is None:
            return None
        if qty < 0:
            side, qty = "sell", -qty
        if side == "sell":
            qty = min(qty, sym.position)
        else:
            qty = min(qty, math.floor((self.cash - self._reserved) / price))
            self._reserved += qty * price
        if qty <= 0:
            return None
        return OrderIntent(ts, sym.code, side, qty, order.kind.value, limit, f"rule {index}")

    def _quantity(
        self,
        kind: SizeKind,
        amount: Expr | None,
        market: Market,
        sym: _Symbol,
        price: float,
        target: float,
    ) -> int | None:
        """Signed shares for a target (sell when negative), else shares (None: nothing)."""
        if kind is SizeKind.ALL:
            return sym.position
        if kind is SizeKind.TARGET_PERCENT:
            shares = _floor(target / price)
            return None if shares is None else shares - sym.position
        assert amount is not None
        value = self.remainder.number(amount, market, sym)
        if kind is SizeKind.KRW:
            value = value / price
        elif kind is SizeKind.EQUITY_PERCENT:
            value = value * self.equity() / price
        return _floor(value)


def _expressions(program: Program) -> list[Expr]:
    found: list[Expr] = []
    for rule in program.rules:
        found.append(rule.condition)
        found.extend(e for e in (rule.action.size.amount, rule.action.order.price) if e)
    found.extend(e.distance for e in program.exits)
    if program.selection is not None:
        found.append(program.selection.by)
    return found


def _level(ex: Exit, base: float, value: float, sign: float) -> float:
    """base × (1 ± percent) or base ± a KRW distance."""
    if ex.mode is ExitMode.PERCENT:
        return base * (1.0 + sign * value)
    return base + sign * value


def _floor(value: float) -> int | None:
    return math.floor(value) if math.isfinite(value) else None


def _reference(intent: OrderIntent, bar: BarInput) -> float:
    """The price a decided order was sized (and its cash reserved) at."""
    return bar.close if intent.limit_price is None else float(intent.limit_price)


def _rounding(rounding: Rounding | None, buying: bool) -> str:
    if rounding is None or rounding is Rounding.PASSIVE:
        return "down" if buying else "up"
    return rounding.value
