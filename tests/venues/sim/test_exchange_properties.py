"""Properties of `SimExchange` under random order flow in continuous trading (KRX.md §12
items 8-9, 11-13, 21): limit, market, IOC, FOK, 최유리, 최우선, cancels, modifications and
pauses that let VI auctions end. After every call the book is not crossed while the symbol
trades continuously; over the run volume is conserved, every print is a valid price inside
the daily limits, order updates and fills add up, and the same flow gives the same events."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.events import OrderUpdate, SymbolState
from jts.core.models import Fill, Tick

from .exchange_fixtures import ETF, KOSPI_STOCK, Harness, continuous

SYMBOLS = (KOSPI_STOCK, ETF)
PRICES: dict[
    str, list[int]
] = {  # valid prices around each base, reaching past the 6% dynamic VI trigger
    KOSPI_STOCK: [*range(46_000, 50_000, 50), *range(50_000, 54_100, 100)],
    ETF: list(range(28_000, 32_005, 5)),
}
BASE_INDEX = {KOSPI_STOCK: 80, ETF: 400}  # where the base price sits in PRICES
WORKING = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)


@dataclass(frozen=True)
class New:
    symbol: str
    side: Side
    qty: int
    kind: OrderType
    tif: TimeInForce
    price_index: int  # ticks from the base in PRICES[symbol], used by priced types only


@dataclass(frozen=True)
class Cancel:
    which: int  # index into the orders accepted so far (modulo their count)
    qty: int | None


@dataclass(frozen=True)
class Modify:
    which: int
    price_index: int | None
    qty: int | None


@dataclass(frozen=True)
class Wait:
    seconds: int


_KINDS = st.sampled_from(
    [OrderType.LIMIT] * 4
    + [OrderType.MARKET, OrderType.BEST_LIMIT, OrderType.BEST_PRIORITY, OrderType.CONDITIONAL_LIMIT]
)
_TICKS = st.one_of(st.integers(-8, 8), st.integers(-8, 8), st.integers(-400, 400))
"""Mostly near the base, so orders cross often; sometimes far, to reach VI triggers."""
_NEW = st.builds(
    New,
    symbol=st.sampled_from([KOSPI_STOCK] * 3 + [ETF]),
    side=st.sampled_from(Side),
    qty=st.integers(1, 40),
    kind=_KINDS,
    tif=st.sampled_from([TimeInForce.DAY] * 3 + [TimeInForce.IOC, TimeInForce.FOK]),
    price_index=_TICKS,
)
_CANCEL = st.builds(Cancel, which=st.integers(0, 99), qty=st.none() | st.integers(1, 30))
_MODIFY = st.builds(
    Modify,
    which=st.integers(0, 99),
    price_index=st.none() | _TICKS,
    qty=st.none() | st.integers(1, 30),
)
_WAIT = st.builds(Wait, seconds=st.integers(0, 200))
_OP_MIX = (_NEW,) * 7 + (_CANCEL, _MODIFY, _WAIT)
"""Seven new orders to each cancel, modification and pause (`one_of` would weigh them 1:1)."""
_OPS = st.lists(
    st.integers(0, len(_OP_MIX) - 1).flatmap(lambda k: _OP_MIX[k]),
    min_size=10,
    max_size=60,
)

Op = New | Cancel | Modify | Wait


def price_of(symbol: str, ticks: int) -> int:
    prices = PRICES[symbol]
    return prices[min(max(BASE_INDEX[symbol] + ticks, 0), len(prices) - 1)]


def run(ops: list[Op], *, check_book: bool = True) -> Harness:
    """Apply `ops` to a fresh exchange in continuous trading; check the book after each."""
    market = continuous()
    accepted: list[str] = []
    for op in ops:
        if isinstance(op, New):
            price = price_of(op.symbol, op.price_index) if op.kind.needs_price else None
            answer = market.submit(op.symbol, op.side, op.qty, price, kind=op.kind, tif=op.tif)
            if answer.venue_order_id:
                accepted.append(answer.venue_order_id)
        elif isinstance(op, Wait):
            market.wait(op.seconds)
        elif accepted:
            order_id = accepted[op.which % len(accepted)]
            if isinstance(op, Cancel):
                market.ex.cancel(order_id, op.qty)
            else:
                working = market.ex.order(order_id)
                symbol = working.symbol if working is not None else KOSPI_STOCK
                price = None if op.price_index is None else price_of(symbol, op.price_index)
                market.ex.modify(order_id, price=price, qty=op.qty)
        if check_book:
            for symbol in SYMBOLS:
                check_book_of(market, symbol)
    return market


def check_book_of(market: Harness, symbol: str) -> None:
    """Not crossed while trading continuously; depth agrees with the resting orders."""
    book = market.ex.market(symbol).book
    if market.state(symbol) is SymbolState.CONTINUOUS:
        assert not book.is_crossed(), book
    for levels, orders in zip(book.depth(1_000), (book.bids(), book.asks()), strict=True):
        totals: dict[int, int] = {}
        for order in orders:
            assert order.leaves > 0, order
            totals[order.price] = totals.get(order.price, 0) + order.leaves
        assert {level.price: level.qty for level in levels} == totals


@settings(max_examples=120)
@given(_OPS)
def test_random_flow_keeps_the_exchange_invariants(ops: list[Op]) -> None:
    """One run per example, several checks: each run costs more than the checks."""
    market = run(ops)  # checks the book after every call
    volume_is_conserved(market)
    prints_are_valid_prices_inside_the_limits(market)
    order_updates_and_fills_add_up(market)


def volume_is_conserved(market: Harness) -> None:
    fills = market.of(Fill)
    bought = sum(f.qty for f in fills if f.side is Side.BUY)
    sold = sum(f.qty for f in fills if f.side is Side.SELL)
    printed = sum(t.qty for t in market.of(Tick))
    assert bought == sold == printed
    for symbol in SYMBOLS:
        volume = sum(t.qty for t in market.ticks(symbol))
        assert market.ex.market(symbol).volume == volume


def prints_are_valid_prices_inside_the_limits(market: Harness) -> None:
    for tick in market.of(Tick):
        rules = market.ex.market(tick.symbol).rules
        assert rules.valid_price(tick.price), tick
        assert rules.lower <= tick.price <= rules.upper, tick
        assert tick.qty > 0


def order_updates_and_fills_add_up(market: Harness) -> None:
    for update in market.of(OrderUpdate):
        assert update.leaves_qty >= 0, update
        assert 0 <= update.filled_qty <= update.qty or update.status is OrderStatus.REJECTED
        if update.status in WORKING:
            assert update.filled_qty + update.leaves_qty == update.qty, update
            assert update.leaves_qty > 0, update
    filled: dict[str, int] = {}
    for fill in market.of(Fill):
        assert fill.qty > 0
        assert fill.leaves_qty >= 0, fill
        assert fill.venue_order_id is not None
        filled[fill.venue_order_id] = filled.get(fill.venue_order_id, 0) + fill.qty
    for working in market.ex.open_orders():
        assert working.leaves > 0
        assert working.filled == filled.get(working.order_id, 0)
        assert working.filled + working.leaves == working.qty
    for order_id, qty in filled.items():
        first = market.updates(order_id)[0]
        assert first.status is OrderStatus.ACCEPTED
        assert qty <= first.qty


@settings(max_examples=40)
@given(_OPS)
def test_the_same_flow_gives_the_same_events(ops: list[Op]) -> None:
    assert run(ops, check_book=False).events == run(ops, check_book=False).events
