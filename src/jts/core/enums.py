"""Enumerations of the domain model.

Values are lowercase ASCII strings so that they serialize the same everywhere (JSON, the
database, the bus) and never depend on the locale.
"""

from __future__ import annotations

from enum import StrEnum


class Market(StrEnum):
    """The KRX market a listing trades on; decides tax rates, price bands and VI groups."""

    KOSPI = "KOSPI"
    KOSDAQ = "KOSDAQ"
    KONEX = "KONEX"


class InstrumentKind(StrEnum):
    """What kind of security a code is; ETF/ETN use their own tick table and are tax-exempt."""

    STOCK = "stock"
    ETF = "etf"
    ETN = "etn"
    REIT = "reit"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for buys, -1 for sells: multiply a quantity to get a signed position change."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """KRX order types (KRX.md §3)."""

    LIMIT = "limit"  # 지정가
    MARKET = "market"  # 시장가
    CONDITIONAL_LIMIT = "conditional_limit"  # 조건부지정가: remainder becomes market at 15:20
    BEST_LIMIT = "best_limit"  # 최유리지정가: priced at the opposite best on entry
    BEST_PRIORITY = "best_priority"  # 최우선지정가: priced at the own-side best on entry
    CLOSING_PRICE = "closing_price"  # 시간외 종가: pre-open at the previous close, post-close at
    # today's close; time priority only, no price of its own

    @property
    def needs_price(self) -> bool:
        """Whether the order carries a price of its own when it is submitted."""
        return self in (OrderType.LIMIT, OrderType.CONDITIONAL_LIMIT)


class TimeInForce(StrEnum):
    DAY = "day"
    IOC = "ioc"  # fill what can be filled now, cancel the rest
    FOK = "fok"  # fill everything now or nothing


class OrderStatus(StrEnum):
    """Order life cycle; see `jts.oms` for the transitions."""

    PENDING_NEW = "pending_new"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    PENDING_CANCEL = "pending_cancel"
    PENDING_MODIFY = "pending_modify"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_open(self) -> bool:
        """Working at the venue (may still fill)."""
        return not self.is_terminal


_TERMINAL = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)
