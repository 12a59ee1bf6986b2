"""End-of-day statement of one account: positions, P&L, costs and T+2 settlement cash.

`end_of_day_statement(manager, day, marks)` rebuilds the account as of the close of `day` (KST)
by replaying the manager's fills up to that day through fresh `PositionBook`s — one to the end
of the day before, one to the end of `day` — so the same call gives today's statement and
any past day's, and "today" figures are differences of the two books' own arithmetic (the
figures that reconcile with the live book, not a second P&L implementation). Replaying every
fill is O(fills): fine once a day, not for a dashboard tick.

Money is int KRW throughout (average prices are floats, as in `Position`); `marks` are the
prices (int KRW) to value open positions at, normally the day's closing prices. Settlement
follows `jts.krx.settlement_date` (T+2 KRX trading days): cash of trades not yet settled at the
end of `day` is listed by the date it settles. The result is a JSON-able dict; the
`SqlOrderStore.save_statement` stores it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from jts.core.clock import kst_date
from jts.core.errors import InvalidInput
from jts.core.models import Fill
from jts.krx.calendar import settlement_date
from jts.oms.manager import OrderManager
from jts.oms.positions import PositionBook

SETTLEMENT_HORIZON_DAYS = 21
"""Trades older than this many calendar days have settled whatever the holidays (T+2 trading
days never spans three weeks), so only younger ones are looked up in the calendar."""


def end_of_day_statement(
    manager: OrderManager, day: datetime.date, marks: Mapping[str, int]
) -> dict[str, Any]:
    """The statement of `manager`'s account at the close of `day`, valued at `marks` (KRW).

    Raises `InvalidInput` naming the symbols that are held at the close but have no mark.
    """
    fills = [(kst_date(fill.ts_ns), fill) for fill in manager.fills()]
    allow_short = manager.positions.allow_short
    before = _replay(manager.account, allow_short, (f for d, f in fills if d < day))
    after = _replay(manager.account, allow_short, (f for d, f in fills if d <= day))
    today = [fill for d, fill in fills if d == day]
    closed_today = (s for s in dict.fromkeys(f.symbol for f in today) if not after.qty(s))
    symbols = [*after.symbols(), *closed_today]  # held at the close, then closed out today
    missing = sorted(s for s in after.symbols() if s not in marks)
    if missing:
        raise InvalidInput("marks", f"no mark for {', '.join(missing)} held at the close of {day}")
    positions = [_position(before, after, symbol, marks.get(symbol)) for symbol in symbols]
    unsettled = _unsettled(fills, day)
    orders_today = Counter(
        order.status.value for order in manager.orders() if kst_date(order.created_ns) == day
    )
    return {
        "account": manager.account,
        "day": day.isoformat(),
        "positions": positions,
        "today": _activity(today),
        "orders_today": dict(sorted(orders_today.items())),
        "unsettled": [
            {"settles_on": settles.isoformat(), "net_cash": cash}
            for settles, cash in sorted(unsettled.items())
        ],
        "totals": _totals(positions, before, after, sum(unsettled.values())),
    }


def _replay(account: str, allow_short: bool, fills: Iterable[Fill]) -> PositionBook:
    book = PositionBook(account, allow_short=allow_short)
    for fill in fills:
        book.apply(fill)
    return book


def _position(
    before: PositionBook, after: PositionBook, symbol: str, mark: int | None
) -> dict[str, Any]:
    """One symbol's line: state at the close, lifetime and today's P&L and costs."""
    now, then = after.position(symbol), before.position(symbol)
    return {
        "symbol": symbol,
        "qty": now.qty,
        "avg_price": now.avg_price,
        "cost_basis": after.cost_basis(symbol),
        "mark": mark,
        "market_value": now.qty * mark if mark is not None else 0,
        "unrealized_pnl": after.unrealized_pnl(symbol, mark) if mark is not None else 0,
        "realized_pnl": now.realized_pnl,
        "realized_pnl_today": now.realized_pnl - then.realized_pnl,
        "fees": now.fees,
        "fees_today": now.fees - then.fees,
        "taxes": now.taxes,
        "taxes_today": now.taxes - then.taxes,
    }


def _activity(today: list[Fill]) -> dict[str, int]:
    """What `day`'s fills did: traded value per side, costs and the cash they move."""
    bought = sum(fill.gross for fill in today if fill.side.sign > 0)
    return {
        "fills": len(today),
        "symbols": len({fill.symbol for fill in today}),
        "bought": bought,
        "sold": sum(fill.gross for fill in today) - bought,
        "fees": sum(fill.commission for fill in today),
        "taxes": sum(fill.tax for fill in today),
        "net_cash": sum(fill.net_cash for fill in today),
    }


def _unsettled(
    fills: list[tuple[datetime.date, Fill]], day: datetime.date
) -> dict[datetime.date, int]:
    """Net cash (KRW) of trades up to `day` that settle after it, by settlement date."""
    horizon = day - datetime.timedelta(days=SETTLEMENT_HORIZON_DAYS)
    settles_on: dict[datetime.date, datetime.date] = {}
    cash: dict[datetime.date, int] = {}
    for trade_date, fill in fills:
        if not horizon < trade_date <= day:
            continue
        settles = settles_on.get(trade_date)
        if settles is None:
            settles = settles_on[trade_date] = settlement_date(trade_date)
        if settles > day:
            cash[settles] = cash.get(settles, 0) + fill.net_cash
    return cash


def _totals(
    positions: list[dict[str, Any]], before: PositionBook, after: PositionBook, unsettled: int
) -> dict[str, int]:
    """Account totals at the close (KRW). `cash_flow` is Σ net cash of every fill up to the
    close — with the starting cash, what the account holds once `unsettled_cash` settles."""
    return {
        "market_value": sum(int(line["market_value"]) for line in positions),
        "unrealized_pnl": sum(int(line["unrealized_pnl"]) for line in positions),
        "realized_pnl": after.realized,
        "realized_pnl_today": after.realized - before.realized,
        "fees": after.fees,
        "fees_today": after.fees - before.fees,
        "taxes": after.taxes,
        "taxes_today": after.taxes - before.taxes,
        "cash_flow": after.cash_flow,
        "cash_flow_today": after.cash_flow - before.cash_flow,
        "unsettled_cash": unsettled,
    }
