"""The pre-trade risk checks of a backtest: `jts.risk.RiskEngine` over the backtest's state.

Both runners ask the same `BacktestRisk` about every order the strategy decides, so a limit
rejects the same orders in both. What the checks see (the `jts.risk.RiskContext` answers):

* cash: the ledger's spendable cash (`settlement` aware) less what buys decided earlier in
  the same timestamp reserve at their sizing price;
* position, last price, gross exposure: the strategy engine's (positions after this bar's
  fills, last close);
* daily P&L: engine equity now less its equity when the day's first order was checked
  (the daily loss limit is checked only when an order is decided);
* price limits: the band from the bar's base price (`Matcher.limits`); tick validity by the
  symbol's table; the session is always open (bars exist only in sessions).

Defaults (`BACKTEST_LIMITS`): every limit off and `check_cash` off, because the fill models
already cut buys to the cash there is; a user turns limits on to see what they would block.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from jts.backtest.fills import Matcher
from jts.backtest.ledger import Ledger
from jts.core.enums import OrderType, Side
from jts.core.models import Order, OrderRequest
from jts.krx import is_valid_price
from jts.risk import RiskEngine, RiskLimits
from jts.strategy.engine import BarInput, Engine, OrderIntent

__all__ = ["ACCOUNT", "BACKTEST_LIMITS", "BacktestRisk", "request_of", "watch_engine"]

ACCOUNT = "backtest"
BACKTEST_LIMITS = RiskLimits(check_cash=False)


def request_of(intent: OrderIntent, client_order_id: str, strategy: str) -> OrderRequest:
    """The order request a decided order becomes."""
    market = intent.limit_price is None
    return OrderRequest(
        client_order_id=client_order_id,
        account=ACCOUNT,
        symbol=intent.symbol,
        side=Side.BUY if intent.side == "buy" else Side.SELL,
        qty=intent.qty,
        order_type=OrderType.MARKET if market else OrderType.LIMIT,
        price=intent.limit_price,
        ts_ns=intent.ts_ns,
        strategy=strategy,
    )


class BacktestRisk:
    """A `RiskEngine` and the context it reads (module docstring)."""

    def __init__(self, limits: RiskLimits | None, matcher: Matcher, ledger: Ledger) -> None:
        self.engine = RiskEngine(BACKTEST_LIMITS if limits is None else limits)
        self.matcher = matcher
        self.ledger = ledger
        self._equity: Callable[[], float] = lambda: 0.0
        self._close: Callable[[str], float] = lambda symbol: math.nan
        self._ts = -1
        self._day = -1
        self._day_equity = 0.0
        self._reserved = 0
        self._bar: BarInput | None = None
        self._open: Sequence[Order] = ()

    def watch(self, equity: Callable[[], float], last_close: Callable[[str], float]) -> None:
        """Read the strategy's equity and last closes from these (its own book)."""
        self._equity, self._close = equity, last_close

    def check(
        self, request: OrderRequest, bar: BarInput, open_orders: Sequence[Order] = ()
    ) -> tuple[str, str] | None:
        """None to pass `request` (decided on `bar`), else (reason code, message)."""
        self._bar, self._open = bar, open_orders
        ts = request.ts_ns
        if ts != self._ts:
            self._ts, self._reserved = ts, 0
            day = (ts + 9 * 3_600_000_000_000) // 86_400_000_000_000
            if day != self._day:
                self._day, self._day_equity = day, self._equity()
        refused = self.engine.check(request, self)
        if refused is not None:
            return refused.code.value, refused.message
        if request.side is Side.BUY:
            price = request.price if request.price is not None else round(bar.close)
            self._reserved += request.qty * price
        return None

    # -- jts.risk.RiskContext ---------------------------------------------------------------

    def available_cash(self) -> int:
        day = self.matcher.day(self._ts)
        return self.ledger.available(day) - self._reserved

    def position(self, symbol: str) -> int:
        return self.ledger.positions.get(symbol, 0)

    def last_price(self, symbol: str) -> int | None:
        close = self._close(symbol)
        return None if close != close else round(close)

    def price_limits(self, symbol: str) -> tuple[int, int] | None:
        base = self._bar.base if self._bar is not None else float("nan")
        return self.matcher.limits(symbol, base, self.matcher.day(self._ts))

    def tick_valid(self, symbol: str, price: int) -> bool:
        ins = self.matcher.instrument(symbol)
        day = self.matcher.day(self._ts)
        return is_valid_price(price, etf=ins.uses_etf_ticks, on=day, market=ins.market)

    def gross_exposure(self) -> int:
        held = self.ledger.positions.items()
        return sum(abs(round(qty * self._close(symbol))) for symbol, qty in held if qty)

    def daily_pnl(self) -> int:
        return round(self._equity() - self._day_equity)

    def open_orders(self, symbol: str) -> Sequence[Order]:
        return [o for o in self._open if o.request.symbol == symbol]

    def session_open(self, symbol: str) -> bool:
        return True


def watch_engine(risk: BacktestRisk, engine: Engine) -> None:
    """Let `risk` read a strategy engine's equity and last closes."""

    def close(symbol: str) -> float:
        sym = engine.symbols.get(symbol)
        return math.nan if sym is None else sym.close

    risk.watch(engine.equity, close)
