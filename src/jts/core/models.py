"""The domain model: immutable values passed between every part of JTS.

Units, everywhere: prices and cash are int KRW, quantities int shares, timestamps int ns since
the epoch in UTC (`ts_ns`); KST appears only at the edges (display, exchange rules). Structs are
frozen msgspec Structs, so they are cheap to create, hashable where all fields are, and encode to
JSON/MessagePack for the bus and the API without glue code. Construction does not validate (hot
paths build millions of bars); use `validate()` at the edges where input comes from outside.
Orders and fills are `gc=False`: frozen values of scalars cannot form reference cycles, and
untracking them saves the garbage collector ~0.7 µs per order on the order path.
"""

from __future__ import annotations

from typing import Self

import msgspec

from jts.core.codes import validate_symbol
from jts.core.enums import InstrumentKind, Market, OrderStatus, OrderType, Side, TimeInForce
from jts.core.errors import InvalidInput

BOOK_DEPTH = 10
"""Levels per side in a `BookUpdate` (KRX and both brokers publish 10)."""


class Instrument(msgspec.Struct, frozen=True, kw_only=True):
    """A listed security."""

    symbol: str
    name: str
    market: Market
    kind: InstrumentKind = InstrumentKind.STOCK
    lot_size: int = 1
    nxt_eligible: bool = False
    leverage: int = 1
    """Leveraged ETFs (2x ...) get a daily band times their leverage."""

    @property
    def uses_etf_ticks(self) -> bool:
        """ETFs and ETNs share their own tick table (KRX.md §4)."""
        return self.kind in (InstrumentKind.ETF, InstrumentKind.ETN)

    def validate(self) -> Self:
        validate_symbol(self.symbol)
        _require(bool(self.name.strip()), "name", "must not be empty")
        _require(self.lot_size > 0, "lot_size", f"must be positive, got {self.lot_size}")
        _require(self.leverage >= 1, "leverage", f"must be at least 1, got {self.leverage}")
        return self


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    """An OHLCV bar; `ts_ns` is the bar's *start*, `interval_s` its length in seconds."""

    symbol: str
    ts_ns: int
    interval_s: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int = 0
    """Traded value in KRW (sum of price × qty), 0 when the source does not give it."""

    def validate(self) -> Self:
        validate_symbol(self.symbol)
        _require(self.interval_s > 0, "interval_s", "must be positive")
        _require(self.low > 0, "low", f"must be positive, got {self.low}")
        _require(
            self.low <= min(self.open, self.close) and self.high >= max(self.open, self.close),
            "high/low",
            f"inconsistent OHLC {self.open}/{self.high}/{self.low}/{self.close}",
        )
        _require(self.volume >= 0, "volume", f"must not be negative, got {self.volume}")
        return self


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    """One trade print. `side` is the aggressor's side when the feed says, else None.

    `auction` marks the single print of a call auction (opening, closing, VI or halt
    resumption uncross), which bar aggregation keeps in a bar of its own.
    """

    symbol: str
    ts_ns: int
    price: int
    qty: int
    side: Side | None = None
    cum_volume: int = 0
    auction: bool = False

    def validate(self) -> Self:
        validate_symbol(self.symbol)
        _require(self.price > 0, "price", f"must be positive, got {self.price}")
        _require(self.qty > 0, "qty", f"must be positive, got {self.qty}")
        return self


class BookLevel(msgspec.Struct, frozen=True, array_like=True):
    """One price level: price (KRW) and total resting quantity (shares)."""

    price: int
    qty: int


class BookUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """A full 10-level snapshot of one symbol's book, best level first on each side."""

    symbol: str
    ts_ns: int
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]

    @property
    def best_bid(self) -> int | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> int | None:
        return self.asks[0].price if self.asks else None

    def validate(self) -> Self:
        validate_symbol(self.symbol)
        for side, levels, descending in (("bids", self.bids, True), ("asks", self.asks, False)):
            _require(len(levels) <= BOOK_DEPTH, side, f"more than {BOOK_DEPTH} levels")
            prices = [level.price for level in levels]
            ordered = sorted(prices, reverse=descending)
            _require(prices == ordered and len(set(prices)) == len(prices), side, "not sorted")
        if self.bids and self.asks:
            _require(self.bids[0].price < self.asks[0].price, "bids/asks", "book is crossed")
        return self


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What a strategy or a person asks for; becomes an `Order` once the OMS records it."""

    client_order_id: str
    account: str
    symbol: str
    side: Side
    qty: int
    order_type: OrderType = OrderType.LIMIT
    price: int | None = None
    """Limit price in KRW; None for types priced by the exchange (market, best limit ...)."""
    tif: TimeInForce = TimeInForce.DAY
    strategy: str | None = None
    ts_ns: int = 0

    def validate(self) -> Self:
        validate_symbol(self.symbol)
        _require(bool(self.client_order_id), "client_order_id", "must not be empty")
        _require(bool(self.account), "account", "must not be empty")
        _require(self.qty > 0, "qty", f"must be a positive number of shares, got {self.qty}")
        if self.order_type.needs_price:
            _require(
                self.price is not None and self.price > 0,
                "price",
                f"a {self.order_type} order needs a positive price",
            )
        else:
            _require(self.price is None, "price", f"a {self.order_type} order takes no price")
        return self


class Order(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """An order as the OMS knows it: the request plus its venue state and fill progress."""

    request: OrderRequest
    status: OrderStatus
    venue_order_id: str | None = None
    filled_qty: int = 0
    avg_fill_price: float = 0.0
    """Volume-weighted fill price; a float on purpose (display only — cash uses fills)."""
    reject_reason: str | None = None
    created_ns: int = 0
    updated_ns: int = 0

    @property
    def remaining_qty(self) -> int:
        return self.request.qty - self.filled_qty


class Fill(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One execution of (part of) an order, with what it cost in int KRW."""

    fill_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    qty: int
    price: int
    ts_ns: int
    venue_order_id: str | None = None
    commission: int = 0
    tax: int = 0
    leaves_qty: int = 0
    """Shares of the order still working after this fill (0 once it is done)."""

    @property
    def gross(self) -> int:
        """Traded value in KRW (price × qty)."""
        return self.price * self.qty

    @property
    def net_cash(self) -> int:
        """Cash change for the account: negative for buys, positive for sells, after costs."""
        return -self.side.sign * self.gross - self.commission - self.tax


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """Holdings of one symbol in one account; `qty` is signed (short positions are negative)."""

    account: str
    symbol: str
    qty: int = 0
    avg_price: float = 0.0
    """Average cost per share in KRW (float: averages are rarely whole won)."""
    realized_pnl: int = 0
    fees: int = 0
    taxes: int = 0

    @property
    def is_flat(self) -> bool:
        return self.qty == 0

    def market_value(self, last_price: int) -> int:
        return self.qty * last_price

    def unrealized_pnl(self, last_price: int) -> int:
        """Paper gain in KRW at `last_price`, before the costs of closing."""
        return round((last_price - self.avg_price) * self.qty)


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """Cash of one trading account, in int KRW.

    `cash` is settled cash (예수금, D+0); `unsettled` is the signed net of trades not yet
    settled (T+2): negative after buying, positive after selling. What the account will hold once
    everything settles (D+2 예수금) is `cash_after_settlement`.
    """

    account_id: str
    venue: str
    cash: int
    unsettled: int = 0
    name: str = ""

    @property
    def cash_after_settlement(self) -> int:
        return self.cash + self.unsettled


def _require(ok: bool, field: str, problem: str) -> None:
    if not ok:
        raise InvalidInput(field, problem)
