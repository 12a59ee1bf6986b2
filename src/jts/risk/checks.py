"""The pre-trade checks, small functions, and what they need from the caller.

Every check has the signature of `Check`: it reads the request, asks the `RiskContext` what it
needs, and returns None (pass) or a `RiskRejection` whose message names the numbers. A check
answers for one reason code, except `check_position`, which serves the four rules that need
the symbol's position and open orders from one read of each. Checks hold no state; the two that
need state (trading state, order rate) live in `jts.risk.engine`, which also decides the order
they run in.

Prices: a priced order (limit, conditional limit) is valued at its own price. An unpriced one
(market, best limit, best priority) is valued by `valuation_price`: a buy at the day's upper
limit when known (the most it can cost, as brokers reserve cash for market buys), else the last
price; a sell at the last price, else the upper limit. An order that cannot be valued fails the
checks that need a value, rather than passing unchecked.

Open orders: checks that count open orders take `RiskContext.open_orders(symbol)` as the
account's working orders of that symbol and use their *remaining* quantity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Protocol

import msgspec

from jts.core.enums import Side
from jts.core.errors import OrderDenied
from jts.core.models import Order, OrderRequest
from jts.risk.limits import RiskLimits

_BUY, _SELL = Side.BUY, Side.SELL  # module constants: enum attribute lookups are slow (3.11)


class ReasonCode(StrEnum):
    """Why the risk engine refused an order; stable values for logs, the API and the UI."""

    INVALID_TICK = "invalid_tick"
    OUTSIDE_PRICE_LIMITS = "outside_price_limits"
    MAX_ORDER_QTY = "max_order_qty"
    MAX_ORDER_VALUE = "max_order_value"
    FAT_FINGER = "fat_finger"
    MAX_POSITION = "max_position"
    MAX_GROSS_EXPOSURE = "max_gross_exposure"
    INSUFFICIENT_CASH = "insufficient_cash"
    INSUFFICIENT_POSITION = "insufficient_position"
    DAILY_LOSS_LIMIT = "daily_loss_limit"
    RATE_LIMIT = "rate_limit"
    DUPLICATE_ORDER = "duplicate_order"
    SELF_CROSS = "self_cross"
    TRADING_HALTED = "trading_halted"
    REDUCE_ONLY = "reduce_only"
    MARKET_CLOSED = "market_closed"


class RiskRejection(msgspec.Struct, frozen=True):
    """A refused order: machine-readable `code`, human-readable `message` with the numbers."""

    code: ReasonCode
    message: str

    def to_error(self) -> OrderDenied:
        """The exception to raise where a refusal must stop the caller."""
        return OrderDenied(self.code.value, self.message)


class RiskContext(Protocol):
    """What the risk engine asks the caller; each call should be a lookup, not a computation.

    Money in int KRW, quantities in shares. `available_cash` is cash free for new orders, i.e.
    already net of what open buy orders reserve (a broker's 주문가능금액); keep a margin for
    commission in it. `position` is the signed quantity held now (open orders not included).
    `gross_exposure` is Σ |position value| now. `daily_pnl` is today's realized + unrealized
    P&L, negative for a loss. `open_orders` lists the account's working orders of the symbol.
    """

    def available_cash(self) -> int: ...
    def position(self, symbol: str) -> int: ...
    def last_price(self, symbol: str) -> int | None: ...
    def price_limits(self, symbol: str) -> tuple[int, int] | None: ...
    def tick_valid(self, symbol: str, price: int) -> bool: ...
    def gross_exposure(self) -> int: ...
    def daily_pnl(self) -> int: ...
    def open_orders(self, symbol: str) -> Sequence[Order]: ...
    def session_open(self, symbol: str) -> bool: ...


Check = Callable[[OrderRequest, RiskContext, RiskLimits], RiskRejection | None]
"""A pre-trade check: None to pass, a rejection to refuse."""


def valuation_price(request: OrderRequest, ctx: RiskContext) -> int | None:
    """The price an order is valued at, KRW (see the module docstring); None when unknown."""
    if request.price is not None:
        return request.price
    symbol = request.symbol
    if request.side is _BUY:
        band = ctx.price_limits(symbol)
        return band[1] if band is not None else ctx.last_price(symbol)
    last = ctx.last_price(symbol)
    if last is not None:
        return last
    band = ctx.price_limits(symbol)
    return band[1] if band is not None else None


def check_max_order_qty(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    limit = limits.max_order_qty
    if limit is None or request.qty <= limit:
        return None
    return RiskRejection(
        ReasonCode.MAX_ORDER_QTY,
        f"{_order(request)}: {request.qty:,} shares exceed the order limit of {limit:,} shares",
    )


def check_session(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    if ctx.session_open(request.symbol):
        return None
    return RiskRejection(
        ReasonCode.MARKET_CLOSED, f"{_order(request)}: {request.symbol} is not trading now"
    )


def check_tick(request: OrderRequest, ctx: RiskContext, limits: RiskLimits) -> RiskRejection | None:
    price = request.price
    if price is None:
        if not request.order_type.needs_price:
            return None
        return RiskRejection(
            ReasonCode.INVALID_TICK,
            f"{_order(request)}: a {request.order_type} order needs a price",
        )
    if ctx.tick_valid(request.symbol, price):
        return None
    return RiskRejection(
        ReasonCode.INVALID_TICK,
        f"{_order(request)}: {price:,} KRW is not on the tick grid of {request.symbol}",
    )


def check_price_limits(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    price = request.price
    if price is None:
        return None
    band = ctx.price_limits(request.symbol)
    if band is None or band[0] <= price <= band[1]:
        return None
    return RiskRejection(
        ReasonCode.OUTSIDE_PRICE_LIMITS,
        f"{_order(request)}: {price:,} KRW is outside today's limits "
        f"{band[0]:,}–{band[1]:,} KRW of {request.symbol}",
    )


def check_fat_finger(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    price, pct = request.price, limits.fat_finger_pct
    if price is None or pct is None:
        return None
    last = ctx.last_price(request.symbol)
    if last is None or abs(price - last) * 100 <= pct * last:
        return None
    return RiskRejection(
        ReasonCode.FAT_FINGER,
        f"{_order(request)}: {price:,} KRW is {abs(price - last) * 100 / last:.1f}% from the "
        f"last price {last:,} KRW (limit {pct:g}%)",
    )


def check_order_value(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    limit = limits.max_order_value
    if limit is None:
        return None
    price = request.price if request.price is not None else valuation_price(request, ctx)
    if price is None:
        return _unvalued(ReasonCode.MAX_ORDER_VALUE, request)
    value = request.qty * price
    if value <= limit:
        return None
    return RiskRejection(
        ReasonCode.MAX_ORDER_VALUE,
        f"{_value(request, price)} exceeds the order value limit of {limit:,} KRW",
    )


def check_reduce_only(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    """Pass only orders that shrink the position, counting open orders on the same side."""
    held = ctx.position(request.symbol)
    pending = open_qty(ctx.open_orders(request.symbol), request.side)
    closable = held if request.side is _SELL else -held
    if request.qty + pending <= closable:
        return None
    return RiskRejection(
        ReasonCode.REDUCE_ONLY,
        f"{_order(request)}: reduce-only, and {request.qty:,} shares (+{pending:,} in open "
        f"orders) would not shrink the position of {held:,} shares",
    )


def check_position(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    """What the order does to the symbol's position and open orders, in one pass over them.

    In order: DUPLICATE_ORDER (an open order with the same client order id, or an identical
    one with `block_identical_orders`), SELF_CROSS (an opposite open order of ours this one
    could trade with, with `prevent_self_cross`), INSUFFICIENT_POSITION (without
    `allow_short`: a sell beyond what is held minus open sells), MAX_POSITION (the position
    after this and every open same-side order fill, unless the order moves it towards zero).
    One function rather than four because all four need the same two reads, and the
    backtester runs this for every order.
    """
    symbol, side, qty = request.symbol, request.side, request.qty
    pending = 0
    for order in ctx.open_orders(symbol):
        other = order.request
        if other.client_order_id == request.client_order_id or (
            limits.block_identical_orders and _identical(request, other)
        ):
            return RiskRejection(
                ReasonCode.DUPLICATE_ORDER,
                f"{_order(request)}: duplicates open order {other.client_order_id!r}",
            )
        if other.side is side:
            pending += other.qty - order.filled_qty
        elif limits.prevent_self_cross and _crosses(request, other):
            return RiskRejection(
                ReasonCode.SELF_CROSS,
                f"{_order(request)}: would trade against own open order "
                f"{other.client_order_id!r} ({_order(other)})",
            )
    held = ctx.position(symbol)
    buy = side is _BUY
    if not buy and not limits.allow_short and qty + pending > held:
        return _short(request, held, pending)
    limit = limits.max_position_qty
    if limit is not None:
        before = held + pending if buy else held - pending
        after = before + qty if buy else before - qty
        if abs(after) > limit and abs(after) > abs(before):
            return RiskRejection(
                ReasonCode.MAX_POSITION,
                f"{_order(request)}: position would reach {after:,} shares of {symbol} "
                f"(held {held:,}, with open orders {before:,}); limit {limit:,} shares",
            )
    return None


def check_cash(request: OrderRequest, ctx: RiskContext, limits: RiskLimits) -> RiskRejection | None:
    if request.side is _SELL or not limits.check_cash:
        return None
    price = request.price if request.price is not None else valuation_price(request, ctx)
    if price is None:
        return _unvalued(ReasonCode.INSUFFICIENT_CASH, request)
    cash = ctx.available_cash()
    if request.qty * price <= cash:
        return None
    return RiskRejection(
        ReasonCode.INSUFFICIENT_CASH,
        f"{_value(request, price)} exceeds available cash {cash:,} KRW",
    )


def check_gross_exposure(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    """Only the part of an order that grows |position| adds exposure; reductions always pass."""
    limit = limits.max_gross_exposure
    if limit is None:
        return None
    held = ctx.position(request.symbol)
    after = held + (request.qty if request.side is _BUY else -request.qty)
    added = abs(after) - abs(held)
    if added <= 0:
        return None
    price = request.price if request.price is not None else valuation_price(request, ctx)
    if price is None:
        return _unvalued(ReasonCode.MAX_GROSS_EXPOSURE, request)
    gross = ctx.gross_exposure()
    if gross + added * price <= limit:
        return None
    return RiskRejection(
        ReasonCode.MAX_GROSS_EXPOSURE,
        f"{_order(request)}: gross exposure {gross:,} KRW + {added:,} shares × {price:,} KRW = "
        f"{gross + added * price:,} KRW exceeds the limit of {limit:,} KRW",
    )


def check_daily_loss(
    request: OrderRequest, ctx: RiskContext, limits: RiskLimits
) -> RiskRejection | None:
    """Refuse once today's loss reaches the limit (the engine then halts trading)."""
    limit = limits.daily_loss_limit
    if limit is None:
        return None
    pnl = ctx.daily_pnl()
    if pnl > -limit:
        return None
    return RiskRejection(
        ReasonCode.DAILY_LOSS_LIMIT,
        f"{_order(request)}: today's P&L {pnl:,} KRW has reached the daily loss limit "
        f"of {limit:,} KRW",
    )


def open_qty(orders: Sequence[Order], side: Side) -> int:
    """Remaining shares of the open `orders` on `side`."""
    return sum(
        order.request.qty - order.filled_qty for order in orders if order.request.side is side
    )


def _identical(request: OrderRequest, other: OrderRequest) -> bool:
    return (
        other.side is request.side
        and other.qty == request.qty
        and other.price == request.price
        and other.order_type is request.order_type
    )


def _short(request: OrderRequest, held: int, pending: int) -> RiskRejection:
    offered = f" and {pending:,} already offered in open sell orders" if pending else ""
    return RiskRejection(
        ReasonCode.INSUFFICIENT_POSITION,
        f"{_order(request)}: {request.qty:,} shares to sell but {held:,} held{offered} "
        "(short selling is not allowed)",
    )


def _crosses(request: OrderRequest, other: OrderRequest) -> bool:
    """Whether two opposite-side orders could trade with each other (unpriced ones cross all)."""
    mine, theirs = request.price, other.price
    if mine is None or theirs is None:
        return True
    return mine >= theirs if request.side is _BUY else mine <= theirs


def _order(request: OrderRequest) -> str:
    price = f"{request.price:,} KRW" if request.price is not None else request.order_type.value
    return f"{request.side} {request.qty:,} {request.symbol} @ {price}"


def _value(request: OrderRequest, price: int) -> str:
    return (
        f"{request.side} {request.qty:,} shares of {request.symbol} × {price:,} KRW = "
        f"{request.qty * price:,} KRW"
    )


def _unvalued(code: ReasonCode, request: OrderRequest) -> RiskRejection:
    return RiskRejection(
        code,
        f"{_order(request)}: cannot value the order, no last price or price limits "
        f"for {request.symbol}",
    )
