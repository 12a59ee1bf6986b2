"""The backtest account: int KRW cash, holdings, T+2 settlement, and the journal of fills.

Both runners apply every fill here, in the order they happen, so `final_cash` and the fills
table come from one place. Settlement (optional): the proceeds of a sell become spendable on
its settlement day (T+2 KRX trading days, `jts.krx.settlement_date`); purchases take cash at
once. Without it, proceeds are spendable immediately (what Korean brokers' 재매수 allows and
what other backtesters assume).
"""

from __future__ import annotations

import datetime as dt
from collections import deque

import polars as pl

from jts.core.errors import JtsError
from jts.krx import settlement_date

__all__ = ["FILL_SCHEMA", "Ledger"]

FILL_SCHEMA: dict[str, type[pl.DataType]] = {
    "ts": pl.Int64,
    "symbol": pl.Utf8,
    "side": pl.Utf8,
    "qty": pl.Int64,
    "price": pl.Int64,
    "commission": pl.Int64,
    "tax": pl.Int64,
    "order_id": pl.Utf8,
    "reason": pl.Utf8,
}


class Ledger:
    """Cash, positions and fills of the one backtest account."""

    def __init__(self, cash: int, *, settlement: bool = False) -> None:
        self.initial_cash = int(cash)
        self.cash = int(cash)
        self.settlement = settlement
        self.positions: dict[str, int] = {}
        self.commission = 0
        self.tax = 0
        self._unsettled: deque[tuple[dt.date, int]] = deque()
        self._settles: dict[dt.date, dt.date] = {}
        self._columns: dict[str, list[object]] = {name: [] for name in FILL_SCHEMA}

    def available(self, day: dt.date) -> int:
        """Cash a buy on `day` may spend: all of it, or without unsettled sale proceeds."""
        if not self.settlement:
            return self.cash
        pending = self._unsettled
        while pending and pending[0][0] <= day:
            pending.popleft()
        return self.cash - sum(amount for _, amount in pending)

    def apply(
        self,
        ts: int,
        symbol: str,
        side: str,
        qty: int,
        price: int,
        commission: int,
        tax: int,
        order_id: str,
        reason: str,
        day: dt.date,
    ) -> None:
        """Book one fill on trading day `day`."""
        gross = qty * price
        held = self.positions.get(symbol, 0)
        if side == "buy":
            self.cash -= gross + commission + tax
            self.positions[symbol] = held + qty
        else:
            if qty > held:
                raise JtsError(f"sell of {qty} {symbol} with {held} held (backtest is long-only)")
            proceeds = gross - commission - tax
            self.cash += proceeds
            self.positions[symbol] = held - qty
            if self.settlement:
                self._unsettled.append((self._settle_day(day), proceeds))
        self.commission += commission
        self.tax += tax
        for name, value in zip(
            FILL_SCHEMA,
            (ts, symbol, side, qty, price, commission, tax, order_id, reason),
            strict=True,
        ):
            self._columns[name].append(value)

    def fills(self) -> pl.DataFrame:
        """Every fill so far, in the order booked (schema `FILL_SCHEMA`)."""
        return pl.DataFrame(self._columns, schema=FILL_SCHEMA)

    @property
    def fill_count(self) -> int:
        return len(self._columns["ts"])

    def _settle_day(self, day: dt.date) -> dt.date:
        found = self._settles.get(day)
        if found is None:
            try:
                found = settlement_date(day)
            except JtsError:  # data on a day the calendar does not trade (synthetic, foreign)
                found = day + dt.timedelta(days=2)
            self._settles[day] = found
        return found
