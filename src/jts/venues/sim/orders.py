"""The simulated exchange's working orders, its reject codes and its execution records.

These are the exchange's own mutable records, not the immutable `jts.core` messages: a working
order changes on every fill and must cost nothing to update in the matching loop, so it is a
plain slotted class. The exchange turns them into `OrderUpdate` / `Fill` events at its edge.

Market orders carry a price too: the daily limit on their side (upper for buys, lower for
sells). That is where KRX ranks a market order's remainder ("at the daily limit price a market
order ranks equal to limit orders at that price, so time priority decides", KRX.md §3), and it
bounds every execution inside the limits. `market=True` keeps them from price modification.
"""

from __future__ import annotations

from enum import StrEnum

from jts.core.enums import OrderType, Side, TimeInForce

__all__ = ["Execution", "RejectCode", "WorkingOrder"]


class RejectCode(StrEnum):
    """Why the simulated exchange refused a request; the `reject_code` of an `OrderUpdate`."""

    UNKNOWN_SYMBOL = "unknown_symbol"
    BAD_QUANTITY = "bad_quantity"  # not positive, or not a multiple of the lot
    OFF_TICK = "off_tick"  # price not on its own tick grid
    OUTSIDE_LIMITS = "outside_limits"  # price outside the daily (or session) band
    PRICE_REQUIRED = "price_required"  # limit / conditional limit without a price
    PRICE_NOT_ALLOWED = "price_not_allowed"  # market / best orders carry no price
    WRONG_SESSION = "wrong_session"  # order type or condition not accepted in this phase
    MARKET_CLOSED = "market_closed"  # no session accepts orders now
    HALTED = "halted"  # the symbol is halted (trading halt) and takes no new orders
    MARKET_HALTED = "market_halted"  # circuit breaker: no new orders (stage 3: nothing at all)
    PROGRAM_HELD = "program_held"  # sidecar: program orders on the held side are refused
    NO_QUOTE = "no_quote"  # best limit / best priority with no price to peg to
    CONDITIONAL_AT_LIMIT = "conditional_at_limit"  # upper-limit buy / lower-limit sell
    UNKNOWN_ORDER = "unknown_order"  # cancel/modify of an order the exchange never had
    ORDER_CLOSED = "order_closed"  # cancel/modify of a filled, cancelled or expired order
    NOT_MODIFIABLE = "not_modifiable"  # price change of a market order, or nothing to change
    FOK_UNFILLABLE = "fok_unfillable"  # fill-or-kill that cannot fill whole now
    INSUFFICIENT_CASH = "insufficient_cash"  # account check (the venue, not the book)
    INSUFFICIENT_HOLDINGS = "insufficient_holdings"
    DUPLICATE_ORDER = "duplicate_order"  # the client order id is already in use
    BAD_REQUEST = "bad_request"  # a malformed request (names the field in the message)


_BUY, _MARKET = Side.BUY, OrderType.MARKET  # enum members looked up once, not per order


class WorkingOrder:
    """One order at the exchange; `leaves` shares still working, `seq` its time priority.

    `seq` is a counter the book assigns when the order takes its place in a queue: lower is
    earlier. A price change or a quantity increase gives the order a new `seq`; a reduction
    keeps it (KRX.md §3). `price` is the working price (see the module docstring for market
    orders); `program` marks program-trading orders, the ones a sidecar holds.
    """

    __slots__ = (
        "account",
        "client_order_id",
        "filled",
        "is_buy",
        "leaves",
        "market",
        "order_id",
        "order_type",
        "price",
        "program",
        "qty",
        "seq",
        "side",
        "symbol",
        "tif",
        "ts_ns",
    )

    def __init__(
        self,
        order_id: str,
        symbol: str,
        side: Side,
        qty: int,
        price: int,
        *,
        order_type: OrderType = OrderType.LIMIT,
        tif: TimeInForce = TimeInForce.DAY,
        account: str = "",
        client_order_id: str = "",
        ts_ns: int = 0,
        program: bool = False,
    ) -> None:
        self.order_id = order_id
        self.symbol = symbol
        self.side = side
        self.is_buy = side is _BUY
        self.qty = qty
        self.leaves = qty
        self.filled = 0
        self.price = price
        self.order_type = order_type
        self.market = order_type is _MARKET
        self.tif = tif
        self.account = account
        self.client_order_id = client_order_id
        self.ts_ns = ts_ns
        self.program = program
        self.seq = 0

    def __repr__(self) -> str:
        kind = "MKT" if self.market else str(self.price)
        return (
            f"WorkingOrder({self.order_id} {self.side.value} {self.leaves}/{self.qty}"
            f" {self.symbol} @{kind} seq={self.seq})"
        )


class Execution:
    """One match: `qty` shares at `price` KRW between a resting and an incoming order.

    In a call auction both orders rested; `aggressor` is then None. `resting_done` /
    `aggressor_done` tell whether that order has nothing left after this match.
    """

    __slots__ = ("aggressor", "buy", "price", "qty", "resting", "sell")

    def __init__(
        self,
        resting: WorkingOrder,
        aggressor: WorkingOrder | None,
        qty: int,
        price: int,
    ) -> None:
        self.resting = resting
        self.aggressor = aggressor
        self.qty = qty
        self.price = price
        if aggressor is None:
            self.buy = resting
            self.sell = resting
        elif resting.is_buy:
            self.buy, self.sell = resting, aggressor
        else:
            self.buy, self.sell = aggressor, resting

    def __repr__(self) -> str:
        buy, sell = self.buy.order_id, self.sell.order_id
        return f"Execution({self.qty}@{self.price} buy={buy} sell={sell})"


def auction_execution(buy: WorkingOrder, sell: WorkingOrder, qty: int, price: int) -> Execution:
    """An execution between two resting orders at an auction's clearing price."""
    match = Execution(buy, None, qty, price)
    match.sell = sell
    return match
