"""What an order must satisfy at the simulated KRX exchange, before it reaches a book.

One `SymbolRules` per symbol and day holds what does not change during the day (base price,
daily limits, tick table flags, VI group); `check_new` runs the checks a new order must pass in
a fixed, documented order, so a request with several faults always gets the same reject code.
Which order types and conditions each phase takes is the table `ORDER_KINDS` (KRX.md §3),
not a chain of conditions. Ticks and limits come from `jts.krx`; prices are int KRW,
quantities int shares.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

import msgspec

from jts.core.enums import OrderType, Side, TimeInForce
from jts.core.events import SymbolState
from jts.core.models import Instrument
from jts.krx.limits import ipo_price_limits, price_limits, single_price_band
from jts.krx.sessions import Phase
from jts.krx.ticks import TickTable, tick_of, tick_size, tick_table
from jts.krx.volatility import ViGroup
from jts.venues.sim.orders import RejectCode

__all__ = [
    "CLOSED_PHASES",
    "ORDER_KINDS",
    "PRICED_AT_REFERENCE_CLOSE",
    "SymbolRules",
    "after_hours_band",
    "check_new",
    "limit_conditions",
    "limit_refusal",
    "next_base_price",
    "order_kind_allowed",
    "symbol_rules",
]


class SymbolRules(msgspec.Struct, frozen=True):
    """The fixed rules of one symbol on one day.

    `base_price` is KRX's 기준가격 in KRW (previous close, or the offer price on the IPO day);
    `lower`/`upper` the daily limit prices in KRW; `etf_ticks` selects the ETF/ETN tick table;
    `vi_group` the dynamic-VI rates; `ipo_day` switches VI off (KRX.md §7); `static_vi=False`
    for listings KRX exempts from static VI (ELW, 정리매매 ...).
    """

    instrument: Instrument
    day: date
    base_price: int
    lower: int
    upper: int
    etf_ticks: bool
    vi_group: ViGroup
    ipo_day: bool = False
    static_vi: bool = True
    ticks: TickTable = ()
    """Today's tick table for this listing (`jts.krx.ticks.tick_table`), looked up once:
    every order's price check uses it, so it must not be resolved per order."""

    def __post_init__(self) -> None:
        if not self.ticks:
            table = tick_table(etf=self.etf_ticks, on=self.day, market=self.instrument.market)
            msgspec.structs.force_setattr(self, "ticks", table)

    def tick(self, price: int) -> int:
        """The tick in KRW of an order at `price` KRW (the price's own band, today's table)."""
        if price <= 0:
            return tick_size(price)  # raises the usual InvalidPrice
        return tick_of(self.ticks, price)

    def valid_price(self, price: int) -> bool:
        """Whether `price` KRW lies on its own tick grid (False for price <= 0)."""
        return price > 0 and price % tick_of(self.ticks, price) == 0


def symbol_rules(
    instrument: Instrument,
    day: date,
    base_price: int,
    *,
    ipo_offer_price: int | None = None,
    vi_group: ViGroup = ViGroup.OTHER,
    static_vi: bool = True,
) -> SymbolRules:
    """The rules of `instrument` on `day` with base price `base_price` KRW.

    Limits come from `jts.krx.price_limits`: the band of the instrument's market (KONEX ±15%)
    times `instrument.leverage` (a 2x ETF gets ±60%). On the listing day pass
    `ipo_offer_price`: it replaces `base_price` as the base, the limits become 60-400% of it
    (`jts.krx.ipo_price_limits`) and VI is off for the day.
    """
    market, etf = instrument.market, instrument.uses_etf_ticks
    if ipo_offer_price is not None:
        lower, upper = ipo_price_limits(ipo_offer_price, etf=etf, on=day, market=market)
        base_price = ipo_offer_price
    else:
        lower, upper = price_limits(
            base_price, etf=etf, market=market, leverage=instrument.leverage, on=day
        )
    return SymbolRules(
        instrument,
        day,
        base_price,
        lower,
        upper,
        etf,
        vi_group,
        ipo_day=ipo_offer_price is not None,
        static_vi=static_vi,
    )


def next_base_price(close: int | None, best_bid: int, best_ask: int, base_price: int) -> int:
    """Tomorrow's base price in KRW, from today's close or the special quotation (기세).

    `close` is today's closing price, None when nothing traded all day. Then a bid above
    today's `base_price` (or an ask below it) left in the book at the close is the special
    quotation and becomes the close and the next base (KRX.md §5); otherwise the base stays.
    `best_bid`/`best_ask` are 0 when that side of the book is empty.
    """
    if close is not None:
        return close
    if best_bid > base_price:
        return best_bid
    if 0 < best_ask < base_price:
        return best_ask
    return base_price


_TifSet = frozenset[TimeInForce]
_DAY: Final[_TifSet] = frozenset({TimeInForce.DAY})
_ANY: Final[_TifSet] = frozenset(TimeInForce)
_T = OrderType

ORDER_KINDS: Final[Mapping[Phase, Mapping[OrderType, _TifSet]]] = MappingProxyType(
    {
        Phase.OPENING_AUCTION: {_T.LIMIT: _DAY, _T.MARKET: _DAY, _T.CONDITIONAL_LIMIT: _DAY},
        Phase.CONTINUOUS: {
            _T.LIMIT: _ANY,
            _T.MARKET: _ANY,
            _T.CONDITIONAL_LIMIT: _DAY,
            _T.BEST_LIMIT: _ANY,
            _T.BEST_PRIORITY: _DAY,  # IOC/FOK "no (unverified)"
        },
        Phase.CLOSING_AUCTION: {_T.LIMIT: _DAY, _T.MARKET: _DAY},
        Phase.PRE_OPEN_CLOSING_PRICE: {_T.CLOSING_PRICE: _DAY, _T.LIMIT: _DAY},
        Phase.POST_CLOSE_CLOSING_PRICE: {_T.CLOSING_PRICE: _DAY, _T.LIMIT: _DAY},
        Phase.AFTER_HOURS: {_T.LIMIT: _DAY},
        # Planned 2026 KRX sessions and NXT: matching rules unverified; limit orders only,
        # except NXT's continuous main market (no conditional limit: NXT has no closing auction).
        Phase.PRE_MARKET: {_T.LIMIT: _DAY},
        Phase.AFTER_MARKET: {_T.LIMIT: _DAY},
        Phase.NXT_PRE_MARKET: {_T.LIMIT: _DAY},
        Phase.NXT_MAIN: {
            _T.LIMIT: _ANY,
            _T.MARKET: _ANY,
            _T.BEST_LIMIT: _ANY,
            _T.BEST_PRIORITY: _DAY,
        },
        Phase.NXT_AFTER_AUCTION: {_T.LIMIT: _DAY},
        Phase.NXT_AFTER_MARKET: {_T.LIMIT: _DAY},
    }
)
"""Order types each phase accepts, and the time-in-force conditions each type may carry.

KRX.md §3: limit and market orders in both auctions and continuous trading, IOC/FOK in
continuous trading only; conditional limit not in the closing auction (its remainder joins
that auction as a market order at 15:20); best limit (최유리) and best priority (최우선) in
continuous trading only, best priority without IOC/FOK. Closing-price sessions take closing-price
orders and limit orders, both filled only at the reference close (`PRICED_AT_REFERENCE_CLOSE`),
and closing-price orders nowhere else. Phases missing here (GAP, CLOSED) take nothing.
"""

CLOSED_PHASES: Final = frozenset({Phase.CLOSED, Phase.GAP})
"""Phases in which no session takes orders: a request gets MARKET_CLOSED, not WRONG_SESSION.
(KRX takes post-close closing-price orders from 15:30, in the gap; not modelled.)"""

PRICED_AT_REFERENCE_CLOSE: Final = frozenset(
    {Phase.PRE_OPEN_CLOSING_PRICE, Phase.POST_CLOSE_CLOSING_PRICE}
)
"""Closing-price sessions: an order trades only at the reference close (the previous close
before the open, today's close after it). The order's own price, if any, is ignored: the
exchange sets the working price to the reference close, so `check_new` skips price checks."""


def order_kind_allowed(phase: Phase, order_type: OrderType, tif: TimeInForce) -> bool:
    """Whether `phase` accepts a new `order_type` order with condition `tif` (`ORDER_KINDS`)."""
    return tif in ORDER_KINDS.get(phase, {}).get(order_type, frozenset())


def check_new(
    rules: SymbolRules,
    phase: Phase,
    order_type: OrderType,
    tif: TimeInForce,
    side: Side,
    qty: int,
    price: int | None,
    *,
    band: tuple[int, int] | None = None,
) -> RejectCode | None:
    """The first check a new order fails, or None when it may enter the book.

    In this order: the phase takes orders (MARKET_CLOSED); the type and condition are allowed
    in the phase (WRONG_SESSION); `qty` shares are positive and a multiple of the lot
    (BAD_QUANTITY); then, except in closing-price sessions (see `PRICED_AT_REFERENCE_CLOSE`):
    a limit type has a price (PRICE_REQUIRED) and the others have none (PRICE_NOT_ALLOWED); the
    price is on its tick (OFF_TICK); it lies inside the daily limits and inside `band`, a
    narrower (lo, hi) in KRW such as the after-hours ±10% (OUTSIDE_LIMITS); a conditional limit
    is not a buy at the upper or a sell at the lower limit (CONDITIONAL_AT_LIMIT).
    """
    if phase in CLOSED_PHASES:
        return RejectCode.MARKET_CLOSED
    if not order_kind_allowed(phase, order_type, tif):
        return RejectCode.WRONG_SESSION
    if qty <= 0 or qty % rules.instrument.lot_size:
        return RejectCode.BAD_QUANTITY
    if phase in PRICED_AT_REFERENCE_CLOSE:
        return None
    if price is None:
        return RejectCode.PRICE_REQUIRED if order_type.needs_price else None
    if not order_type.needs_price:
        return RejectCode.PRICE_NOT_ALLOWED
    return _check_price(rules, order_type, side, price, band)


def _check_price(
    rules: SymbolRules,
    order_type: OrderType,
    side: Side,
    price: int,
    band: tuple[int, int] | None,
) -> RejectCode | None:
    """Tick, limits (and `band`), and the conditional-limit-at-limit rule for `price` KRW."""
    if not rules.valid_price(price):
        return RejectCode.OFF_TICK
    lower, upper = rules.lower, rules.upper
    if band is not None:
        lower, upper = max(lower, band[0]), min(upper, band[1])
    if not lower <= price <= upper:
        return RejectCode.OUTSIDE_LIMITS
    if order_type is OrderType.CONDITIONAL_LIMIT:
        at_limit = price == (rules.upper if side is Side.BUY else rules.lower)
        if at_limit:
            return RejectCode.CONDITIONAL_AT_LIMIT
    return None


def after_hours_band(rules: SymbolRules, close: int) -> tuple[int, int]:
    """(lo, hi) in KRW an after-hours single-price order must lie in: ±10% of today's `close`
    KRW, inside the daily limits (`jts.krx.single_price_band`); pass it as `check_new(band=)`."""
    return single_price_band(
        close,
        rules.lower,
        rules.upper,
        etf=rules.etf_ticks,
        on=rules.day,
        market=rules.instrument.market,
    )


_GENERAL_CHECK_PHASES: Final = frozenset(
    {*CLOSED_PHASES, *PRICED_AT_REFERENCE_CLOSE, Phase.AFTER_HOURS}
)
"""Phases whose limit orders take the general `check_new` (closed, priced by the exchange,
banded)."""


@functools.cache
def limit_conditions(phase: Phase, state: SymbolState) -> frozenset[TimeInForce] | None:
    """Conditions a plain limit order may carry in `phase` with the symbol in `state`, or None
    where the general `check_new` must run (halts, after-hours bands, closed sessions).

    The exchange's hot path: a cached lookup instead of the table walk per order. A symbol in
    a VI or 단기과열 auction during continuous hours takes call-auction orders.
    """
    if state is SymbolState.HALTED or phase in _GENERAL_CHECK_PHASES:
        return None
    if state in (SymbolState.VI, SymbolState.OVERHEATED) and phase is Phase.CONTINUOUS:
        phase = Phase.OPENING_AUCTION
    return frozenset(t for t in TimeInForce if order_kind_allowed(phase, OrderType.LIMIT, t))


def limit_refusal(
    rules: SymbolRules, tif: TimeInForce, qty: int, price: int, allowed: frozenset[TimeInForce]
) -> RejectCode | None:
    """`check_new` for a limit order where `limit_conditions` gave `allowed`, inlined: the
    same checks in the same order with the same codes (`price` 0 = none given)."""
    if tif not in allowed:
        return RejectCode.WRONG_SESSION
    if qty <= 0 or qty % rules.instrument.lot_size:
        return RejectCode.BAD_QUANTITY
    if price == 0:
        return RejectCode.PRICE_REQUIRED
    if price < 0 or price % tick_of(rules.ticks, price):
        return RejectCode.OFF_TICK
    if not rules.lower <= price <= rules.upper:
        return RejectCode.OUTSIDE_LIMITS
    return None
