"""`SimExchange` order handling, driven through its public API (KRX.md §12 items 1-3, 8, 9,
11, 12, 20): prices and quantities, daily limits and base prices, continuous matching, market
orders, 최유리/최우선, modify and cancel, order ids, alphanumeric codes."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from jts.core.enums import InstrumentKind, Market, OrderStatus, OrderType, Side, TimeInForce
from jts.core.models import BookLevel, Instrument, OrderRequest
from jts.venues.sim.orders import RejectCode

from .exchange_fixtures import (
    ALNUM,
    ETF,
    KOSDAQ_STOCK,
    KOSPI_STOCK,
    Harness,
    continuous,
    instrument,
    make_market,
)

IOC, FOK = TimeInForce.IOC, TimeInForce.FOK


def code(update: object) -> str:
    return getattr(update, "reject_code", "")


# --- item 1: tick grid and lot ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "price", "expected"),
    [
        (KOSPI_STOCK, 50_100, ""),
        (KOSPI_STOCK, 50_050, RejectCode.OFF_TICK),  # 100-won tick from 50,000
        (KOSPI_STOCK, 49_950, ""),  # 50-won tick below 50,000
        (KOSPI_STOCK, 49_960, RejectCode.OFF_TICK),
        (KOSDAQ_STOCK, 9_985, RejectCode.OFF_TICK),  # 10-won tick for 5,000-20,000
        (ETF, 30_005, ""),  # ETF: 5 won at or above 2,000
        (ETF, 30_003, RejectCode.OFF_TICK),
        (ALNUM, 20_050, ""),
        (ALNUM, 20_010, RejectCode.OFF_TICK),
    ],
)
def test_price_must_lie_on_the_tick_of_its_own_band(symbol: str, price: int, expected: str) -> None:
    market = continuous()
    assert code(market.buy(symbol, 1, price)) == expected


def test_quantity_must_be_a_positive_multiple_of_the_lot() -> None:
    market = continuous(extra=[instrument("580001", lot_size=10)])
    assert code(market.buy(KOSPI_STOCK, 0, 50_000)) == RejectCode.BAD_QUANTITY
    assert code(market.buy(KOSPI_STOCK, -5, 50_000)) == RejectCode.BAD_QUANTITY
    assert code(market.buy("580001", 15, 10_000)) == RejectCode.BAD_QUANTITY
    assert code(market.buy("580001", 20, 10_000)) == ""


@pytest.mark.parametrize(
    ("day", "stock_ok", "etf_ok"),
    [(date(2022, 6, 15), False, False), (date(2026, 3, 10), True, True)],
)
def test_tick_tables_follow_the_trading_day(day: date, stock_ok: bool, etf_ok: bool) -> None:
    """10,010 is off the pre-2023-01-25 50-won grid; 1,501 off the pre-Dec-2023 ETF 5-won grid."""
    market = continuous(day, base_prices={KOSDAQ_STOCK: 10_000, ETF: 1_500})
    assert (code(market.buy(KOSDAQ_STOCK, 1, 10_010)) == "") is stock_ok
    assert (code(market.buy(ETF, 1, 1_501)) == "") is etf_ok


# --- item 2: daily limits ----------------------------------------------------------------------

LIMIT_ROWS = [  # KRX.md §5 worked examples: base, upper, lower, naive floor(base * 0.7)
    (9_980, 12_970, 6_990, 6_980),
    (10_010, 13_010, 7_010, 7_000),
    (15_550, 20_200, 10_890, 10_880),
    (1_999, 2_595, 1_400, 1_399),
    (4_990, 6_480, 3_495, 3_490),
    (170_100, 221_000, 119_100, 119_000),
    (49_950, 64_900, 35_000, 34_950),
]


@pytest.mark.parametrize(("base", "upper", "lower", "naive"), LIMIT_ROWS)
def test_limit_prices_outside_the_integer_daily_band_are_rejected(
    base: int, upper: int, lower: int, naive: int
) -> None:
    market = make_market(extra=[instrument("100000", Market.KOSDAQ)], base_prices={"100000": base})
    market.at(8, 45)
    rules = market.ex.market("100000").rules
    assert (rules.lower, rules.upper) == (lower, upper)
    tick_above = rules.tick(upper + 1)
    assert code(market.sell("100000", 1, upper)) == ""
    assert code(market.sell("100000", 1, upper + tick_above)) == RejectCode.OUTSIDE_LIMITS
    assert code(market.buy("100000", 1, lower)) == ""
    assert code(market.buy("100000", 1, naive)) == RejectCode.OUTSIDE_LIMITS


# --- item 3: base prices -------------------------------------------------------------------


def test_ipo_day_uses_the_offer_price_and_a_60_to_400_percent_band() -> None:
    market = continuous(
        extra=[instrument("400000", Market.KOSDAQ)], ipo_offer_prices={"400000": 10_000}
    )
    rules = market.ex.market("400000").rules
    assert (rules.base_price, rules.lower, rules.upper, rules.ipo_day) == (
        10_000,
        6_000,
        40_000,
        True,
    )
    assert code(market.buy("400000", 1, 40_000)) == ""
    assert code(market.buy("400000", 1, 40_050)) == RejectCode.OUTSIDE_LIMITS
    assert code(market.sell("400000", 1, 5_990)) == RejectCode.OUTSIDE_LIMITS


@pytest.mark.parametrize(
    ("listing", "lower", "upper"),
    [
        (instrument("122630", kind=InstrumentKind.ETF, leverage=2), 4_000, 16_000),
        (instrument("200000", Market.KONEX), 8_500, 11_500),
    ],
)
def test_leveraged_etfs_and_konex_get_their_own_bands(
    listing: Instrument, lower: int, upper: int
) -> None:
    symbol = listing.symbol
    market = continuous(extra=[listing], base_prices={symbol: 10_000})
    assert code(market.buy(symbol, 1, lower)) == ""
    assert code(market.sell(symbol, 1, upper)) == ""
    step = market.ex.market(symbol).rules.tick(upper)
    assert code(market.sell(symbol, 1, upper + step)) == RejectCode.OUTSIDE_LIMITS
    assert code(market.buy(symbol, 1, lower - step)) == RejectCode.OUTSIDE_LIMITS


# --- item 8: continuous matching ------------------------------------------------------------


def test_continuous_matching_is_price_then_time_at_the_resting_price() -> None:
    market = continuous()
    late_better = [market.accepted(market.sell(KOSPI_STOCK, 10, 50_100))]
    first = market.accepted(market.sell(KOSPI_STOCK, 10, 50_000))
    second = market.accepted(market.sell(KOSPI_STOCK, 10, 50_000))
    taker = market.accepted(market.buy(KOSPI_STOCK, 25, 50_100))
    assert market.filled(first) == [(10, 50_000)]
    assert market.filled(second) == [(10, 50_000)]
    assert market.filled(late_better[0]) == [(5, 50_100)]
    assert market.filled(taker) == [(10, 50_000), (10, 50_000), (5, 50_100)]
    assert [t.side for t in market.ticks()] == [Side.BUY] * 3
    assert [f.leaves_qty for f in market.fills(taker)] == [15, 5, 0]


def test_a_partly_filled_limit_order_rests_with_its_remainder() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    taker = market.accepted(market.buy(KOSPI_STOCK, 15, 50_000))
    assert market.filled(taker) == [(10, 50_000)]
    working = market.ex.order(taker)
    assert working is not None
    assert (working.leaves, working.filled) == (5, 10)
    book = market.books(KOSPI_STOCK)[-1]
    assert (book.bids, book.asks) == ((BookLevel(50_000, 5),), ())


def test_ioc_fills_what_it_can_and_cancels_the_rest() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    taker = market.accepted(market.buy(KOSPI_STOCK, 15, 50_000, tif=IOC))
    assert market.filled(taker) == [(10, 50_000)]
    last = market.updates(taker)[-1]
    assert (last.status, last.filled_qty, last.leaves_qty) == (OrderStatus.CANCELLED, 10, 0)
    assert market.ex.order(taker) is None


def test_fok_fills_whole_or_not_at_all() -> None:
    market = continuous()
    resting = market.accepted(market.sell(KOSPI_STOCK, 10, 50_000))
    killed = market.accepted(market.buy(KOSPI_STOCK, 11, 50_000, tif=FOK))
    assert market.fills() == []
    assert market.updates(killed)[-1].reject_code == RejectCode.FOK_UNFILLABLE
    assert market.updates(killed)[-1].status is OrderStatus.CANCELLED
    whole = market.accepted(market.buy(KOSPI_STOCK, 10, 50_000, tif=FOK))
    assert market.filled(whole) == [(10, 50_000)]
    assert market.filled(resting) == [(10, 50_000)]


def test_an_account_may_trade_with_itself() -> None:
    """Self-trade prevention is the risk engine's job (book.py); the exchange matches."""
    market = continuous()
    sell = market.accepted(market.sell(KOSPI_STOCK, 10, 50_000, account="A1"))
    buy = market.accepted(market.buy(KOSPI_STOCK, 10, 50_000, account="A1"))
    assert market.filled(sell) == market.filled(buy) == [(10, 50_000)]


# --- item 9: market orders --------------------------------------------------------------------


def test_a_market_order_sweeps_the_opposite_side_at_the_resting_prices() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.sell(KOSPI_STOCK, 10, 50_100)
    taker = market.accepted(market.buy(KOSPI_STOCK, 15))
    assert market.filled(taker) == [(10, 50_000), (5, 50_100)]
    assert market.updates(taker)[0].price == 0  # a market order shows no price


def test_market_order_residue_rests_at_the_limit_in_time_order_with_limit_orders() -> None:
    """IPO day (no VI): the market buy's rest ranks at the upper limit between two limits."""
    market = continuous(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    limit_first = market.accepted(market.buy("400000", 10, 40_000))
    by_market = market.accepted(market.buy("400000", 10))
    limit_last = market.accepted(market.buy("400000", 10, 40_000))
    assert market.books("400000")[-1].bids == (BookLevel(40_000, 30),)
    market.sell("400000", 25, 40_000)
    assert market.filled(limit_first) == [(10, 40_000)]
    assert market.filled(by_market) == [(10, 40_000)]
    assert market.filled(limit_last) == [(5, 40_000)]
    assert all(6_000 <= t.price <= 40_000 for t in market.ticks())


def test_a_market_sell_never_prints_below_the_lower_limit() -> None:
    market = continuous(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    market.buy("400000", 5, 6_000)
    seller = market.accepted(market.sell("400000", 8))
    assert market.filled(seller) == [(5, 6_000)]
    assert market.books("400000")[-1].asks == (BookLevel(6_000, 3),)


def test_a_market_order_price_cannot_be_modified() -> None:
    market = continuous()
    order = market.accepted(market.buy(KOSPI_STOCK, 10))
    answer = market.ex.modify(order, price=50_000)
    assert answer.reject_code == RejectCode.NOT_MODIFIABLE
    reduced = market.ex.modify(order, qty=4)
    assert (reduced.reject_code, reduced.leaves_qty, reduced.qty) == ("", 4, 4)


def test_market_and_best_orders_carry_no_price_and_limits_need_one() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    assert code(market.buy(KOSPI_STOCK, 1, 50_000, kind=OrderType.MARKET)) == "price_not_allowed"
    assert code(market.buy(KOSPI_STOCK, 1, 50_000, kind=OrderType.BEST_LIMIT)) == (
        RejectCode.PRICE_NOT_ALLOWED
    )
    assert code(market.buy(KOSPI_STOCK, 1, None, kind=OrderType.LIMIT)) == (
        RejectCode.PRICE_REQUIRED
    )


# --- item 11: 최유리 / 최우선 -----------------------------------------------------------------


def test_best_limit_takes_the_opposite_best_price_and_rests_there() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_100)
    market.sell(KOSPI_STOCK, 10, 50_200)
    order = market.accepted(market.buy(KOSPI_STOCK, 15, kind=OrderType.BEST_LIMIT))
    assert market.updates(order)[0].price == 50_100
    assert market.filled(order) == [(10, 50_100)]
    assert market.books(KOSPI_STOCK)[-1].bids == (BookLevel(50_100, 5),)


def test_best_limit_ioc_cancels_its_rest() -> None:
    market = continuous()
    market.buy(KOSPI_STOCK, 10, 49_900)
    order = market.accepted(market.sell(KOSPI_STOCK, 15, kind=OrderType.BEST_LIMIT, tif=IOC))
    assert market.filled(order) == [(10, 49_900)]
    assert market.updates(order)[-1].status is OrderStatus.CANCELLED


def test_best_priority_joins_its_own_side_best_price() -> None:
    market = continuous()
    first = market.accepted(market.buy(KOSPI_STOCK, 10, 49_900))
    market.sell(KOSPI_STOCK, 10, 50_100)
    order = market.accepted(market.buy(KOSPI_STOCK, 5, kind=OrderType.BEST_PRIORITY))
    assert market.updates(order)[0].price == 49_900
    assert market.fills() == []
    market.sell(KOSPI_STOCK, 12, 49_900)
    assert market.filled(first) == [(10, 49_900)]
    assert market.filled(order) == [(2, 49_900)]


def test_best_orders_with_nothing_to_peg_to_are_refused() -> None:
    market = continuous()
    assert code(market.buy(KOSPI_STOCK, 1, kind=OrderType.BEST_LIMIT)) == RejectCode.NO_QUOTE
    assert code(market.sell(KOSPI_STOCK, 1, kind=OrderType.BEST_PRIORITY)) == RejectCode.NO_QUOTE
    market.buy(KOSPI_STOCK, 1, 49_900)
    assert code(market.sell(KOSPI_STOCK, 1, kind=OrderType.BEST_LIMIT)) == ""
    assert code(market.buy(KOSPI_STOCK, 1, kind=OrderType.BEST_PRIORITY, tif=IOC)) == (
        RejectCode.WRONG_SESSION
    )


def test_a_best_order_given_a_new_price_goes_on_as_a_limit_order() -> None:
    market = continuous()
    market.buy(KOSPI_STOCK, 10, 49_900)
    order = market.accepted(market.buy(KOSPI_STOCK, 5, kind=OrderType.BEST_PRIORITY))
    moved = market.ex.modify(order, price=49_800)
    assert (moved.reject_code, moved.price) == ("", 49_800)
    working = market.ex.order(order)
    assert working is not None
    assert working.order_type is OrderType.LIMIT


# --- item 12: modify and cancel ----------------------------------------------------------------


def two_bids(market: Harness, first_price: int = 49_900) -> tuple[str, str]:
    first = market.accepted(market.buy(KOSPI_STOCK, 10, first_price))
    second = market.accepted(market.buy(KOSPI_STOCK, 10, 49_900))
    return first, second


def test_a_price_change_loses_time_priority() -> None:
    market = continuous()
    first, second = two_bids(market, first_price=49_800)
    moved = market.ex.modify(first, price=49_900)
    assert (moved.status, moved.price) == (OrderStatus.ACCEPTED, 49_900)
    market.sell(KOSPI_STOCK, 10, 49_900)
    assert market.filled(second) == [(10, 49_900)]
    assert market.filled(first) == []


def test_a_price_change_to_a_crossing_price_trades_at_once() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    order = market.accepted(market.buy(KOSPI_STOCK, 10, 49_900))
    market.ex.modify(order, price=50_000)
    assert market.filled(order) == [(10, 50_000)]
    assert market.ex.order(order) is None


@pytest.mark.parametrize("how", ["cancel", "modify"])
def test_a_quantity_reduction_keeps_time_priority(how: str) -> None:
    market = continuous()
    first, second = two_bids(market)
    answer = market.ex.cancel(first, qty=4) if how == "cancel" else market.ex.modify(first, qty=6)
    assert (answer.status, answer.qty, answer.leaves_qty) == (OrderStatus.ACCEPTED, 6, 6)
    market.sell(KOSPI_STOCK, 6, 49_900)
    assert market.filled(first) == [(6, 49_900)]
    assert market.filled(second) == []


def test_a_price_change_during_an_auction_requeues_without_matching() -> None:
    market = make_market()
    market.at(8, 45)
    first = market.accepted(market.buy(KOSPI_STOCK, 10, 49_900))
    second = market.accepted(market.buy(KOSPI_STOCK, 10, 50_000))
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.ex.modify(first, price=50_000)  # crosses the ask, behind `second`
    assert market.fills() == []
    market.at(9, 1)
    assert market.filled(second) == [(10, 50_000)]
    assert market.filled(first) == []


def test_a_quantity_increase_is_refused_and_changes_nothing() -> None:
    market = continuous()
    first, _ = two_bids(market)
    answer = market.ex.modify(first, qty=20)
    assert answer.reject_code == RejectCode.NOT_MODIFIABLE
    assert answer.status is OrderStatus.ACCEPTED  # the order itself still works
    working = market.ex.order(first)
    assert working is not None
    assert (working.qty, working.leaves) == (10, 10)


def test_cancel_and_modify_of_finished_orders_are_refused_as_closed() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    filled = market.accepted(market.buy(KOSPI_STOCK, 10, 50_000))
    cancelled = market.accepted(market.buy(KOSPI_STOCK, 10, 49_000))
    assert market.ex.cancel(cancelled).status is OrderStatus.CANCELLED
    for order_id in (filled, cancelled):
        for answer in (market.ex.cancel(order_id), market.ex.modify(order_id, price=49_500)):
            assert answer.status is OrderStatus.REJECTED
            assert answer.reject_code == RejectCode.ORDER_CLOSED
            assert answer.venue_order_id == order_id


@pytest.mark.parametrize("order_id", ["0000000999", "no-such-order", "1", ""])
def test_cancel_and_modify_of_unknown_orders_are_refused_as_unknown(order_id: str) -> None:
    market = continuous()
    market.buy(KOSPI_STOCK, 10, 49_000)
    for answer in (market.ex.cancel(order_id), market.ex.modify(order_id, qty=1)):
        assert (answer.status, answer.reject_code) == (OrderStatus.REJECTED, "unknown_order")


def test_order_ids_count_accepted_orders_from_one() -> None:
    market = make_market()
    market.at(8, 45)
    ids = [market.buy(KOSPI_STOCK, 1, 49_000).venue_order_id for _ in range(3)]
    rejected = market.buy(KOSPI_STOCK, 1, 49_010)
    later = market.buy(KOSPI_STOCK, 1, 49_000).venue_order_id
    assert ids == ["0000000001", "0000000002", "0000000003"]
    assert (rejected.status, rejected.venue_order_id) == (OrderStatus.REJECTED, "")
    assert later == "0000000004"
    assert market.ex.cancel("0000000005").reject_code == RejectCode.UNKNOWN_ORDER


def test_a_client_order_id_cannot_be_reused_by_the_same_account() -> None:
    market = continuous()
    first = market.buy(KOSPI_STOCK, 1, 49_000)
    again = OrderRequest(
        client_order_id=first.client_order_id,
        account="A1",
        symbol=KOSPI_STOCK,
        side=Side.BUY,
        qty=1,
        price=49_000,
    )
    assert market.ex.submit(again).reject_code == RejectCode.DUPLICATE_ORDER
    other_account = msgspec.structs.replace(again, account="A2")
    assert market.ex.submit(other_account).reject_code == ""


# --- item 20: alphanumeric codes -----------------------------------------------------------


def test_alphanumeric_codes_trade_and_publish_end_to_end() -> None:
    market = make_market()
    market.at(8, 55)
    market.buy(ALNUM, 10, 20_000)
    market.sell(ALNUM, 4, 20_000)
    assert market.expected(ALNUM)[-1].price == 20_000
    market.at(9, 1)
    assert market.prints(ALNUM) == [(20_000, 4)]
    seller = market.accepted(market.sell(ALNUM, 6, 20_000))
    assert market.filled(seller) == [(6, 20_000)]
    assert {f.symbol for f in market.fills()} == {ALNUM}
    assert market.books(ALNUM)[-1].symbol == ALNUM
    assert code(market.buy("0037T1", 1, 20_000)) == RejectCode.UNKNOWN_SYMBOL
