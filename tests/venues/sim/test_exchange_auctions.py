"""`SimExchange` call auctions (KRX.md §12 items 5-7, 10, 14): order intake and expected prices,
the seeded random end, the uncross price and its allocation, size rounds at a limit, the
conditional-limit conversion at 15:20, and the closing auction that fixes the close."""

from __future__ import annotations

from jts.core.enums import OrderStatus, OrderType, TimeInForce
from jts.core.events import ExpectedPrice, SymbolState
from jts.core.models import BookLevel, BookUpdate
from jts.venues.sim.orders import RejectCode

from .exchange_fixtures import (
    ALNUM,
    KOSDAQ_STOCK,
    KOSPI_STOCK,
    Harness,
    continuous,
    instrument,
    make_market,
)

SECOND = 1_000_000_000
FOK = TimeInForce.FOK


def opening_cross(market: Harness) -> None:
    """A buy of 10 at 50,100 and a sell of 10 at 49,900 in the KOSPI stock (base 50,000)."""
    market.buy(KOSPI_STOCK, 10, 50_100)
    market.sell(KOSPI_STOCK, 10, 49_900)


# --- item 5: opening auction intake, expected prices, random end ----------------------------


def test_opening_orders_are_taken_from_0830_and_collected_without_matching() -> None:
    market = make_market()
    market.at(8, 29, 59)
    assert market.buy(KOSPI_STOCK, 10, 50_100).reject_code == RejectCode.MARKET_CLOSED
    market.at(8, 30)
    assert market.state(KOSPI_STOCK) is SymbolState.CALL
    opening_cross(market)
    market.at(8, 59, 59)
    assert market.ticks() == []
    assert market.ex.market(KOSPI_STOCK).book.is_crossed()


def test_expected_opening_prices_are_published_from_0850_only() -> None:
    market = make_market()
    market.at(8, 35)
    opening_cross(market)
    market.at(8, 45)
    market.sell(KOSPI_STOCK, 5, 50_000)
    market.at(8, 49, 59)
    assert market.expected(KOSPI_STOCK) == []
    market.at(8, 50)
    [first] = market.expected(KOSPI_STOCK)
    assert first.ts_ns == market.kst(8, 50)
    assert (first.price, first.qty) == (50_000, 10)
    assert first.bids == (BookLevel(50_100, 10),)
    assert first.asks == (BookLevel(49_900, 10), BookLevel(50_000, 5))
    market.buy(KOSPI_STOCK, 5, 50_000)
    assert market.expected(KOSPI_STOCK)[-1].qty == 15


def test_no_book_updates_are_published_during_an_auction() -> None:
    market = make_market()
    market.at(8, 31)
    opening_cross(market)
    market.at(8, 59)
    assert market.books(KOSPI_STOCK) == []


def test_the_opening_uncrosses_within_30_seconds_after_0900_at_the_seeded_instant() -> None:
    instants = set()
    for seed in range(4):
        market = make_market(seed=seed)
        market.at(8, 40)
        opening_cross(market)
        market.at(9, 1)
        [tick] = market.ticks(KOSPI_STOCK)
        assert market.kst(9) <= tick.ts_ns <= market.kst(9, 0, 30)
        assert tick.auction
        assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS
        instants.add(tick.ts_ns)
        again = make_market(seed=seed)
        again.at(8, 40)
        opening_cross(again)
        again.at(9, 1)
        assert again.ticks(KOSPI_STOCK)[0].ts_ns == tick.ts_ns
    assert len(instants) > 1


def test_orders_entered_before_the_random_end_still_join_the_opening() -> None:
    market = make_market()
    uncross = market.ex.schedule.at(market.kst(9)).end_ns
    market.at(8, 40)
    market.buy(KOSPI_STOCK, 10, 50_000)
    market.ex.advance_to(uncross - 1)
    assert market.state(KOSPI_STOCK) is SymbolState.CALL
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.ex.advance_to(uncross)
    assert market.prints(KOSPI_STOCK) == [(50_000, 10)]


def test_a_book_interval_conflates_updates_to_one_per_interval() -> None:
    market = continuous(book_interval_ms=1_000)
    start = market.ex.now_ns()
    market.buy(KOSPI_STOCK, 1, 49_000)
    market.wait(0.1)
    market.buy(KOSPI_STOCK, 2, 49_100)
    market.wait(0.1)
    market.buy(KOSPI_STOCK, 3, 49_200)
    market.wait(3)
    books = market.books(KOSPI_STOCK)
    assert [b.ts_ns - start for b in books] == [0, SECOND]
    assert books[-1].bids == (BookLevel(49_200, 3), BookLevel(49_100, 2), BookLevel(49_000, 1))


# --- item 6: the uncross price and its allocation ---------------------------------------------


def test_the_opening_price_maximizes_the_executed_volume() -> None:
    """KOSDAQ stock, base 9,980: 9,900 would trade 200, 10,000 500, 10,100 900 shares."""
    market = make_market()
    market.at(8, 40)
    for qty, price in ((300, 10_300), (200, 10_200), (300, 10_100), (200, 10_100), (400, 10_000)):
        market.buy(KOSDAQ_STOCK, qty, price)
    for qty, price in ((200, 9_900), (300, 10_000), (400, 10_100), (600, 10_200)):
        market.sell(KOSDAQ_STOCK, qty, price)
    market.at(9, 1)
    assert {p for p, _ in market.prints(KOSDAQ_STOCK)} == {10_100}
    assert sum(q for _, q in market.prints(KOSDAQ_STOCK)) == 900
    assert market.ex.market(KOSDAQ_STOCK).open_price == 10_100


def test_the_base_price_wins_among_equal_volumes_else_the_nearest_price() -> None:
    market = make_market()
    market.at(8, 40)
    market.buy(KOSDAQ_STOCK, 500, 10_200)
    market.sell(KOSDAQ_STOCK, 500, 9_900)
    market.buy(KOSPI_STOCK, 500, 52_000)
    market.sell(KOSPI_STOCK, 500, 51_000)
    market.at(9, 1)
    assert market.prints(KOSDAQ_STOCK) == [(9_980, 500)]  # the base price lies inside
    assert market.prints(KOSPI_STOCK) == [(51_000, 500)]  # nearest to the base 50,000


def test_one_side_fills_completely_and_the_other_in_price_time_order() -> None:
    market = make_market()
    market.at(8, 40)
    first = market.accepted(market.buy(KOSDAQ_STOCK, 300, 10_000))
    second = market.accepted(market.buy(KOSDAQ_STOCK, 300, 10_000))
    better = market.accepted(market.buy(KOSDAQ_STOCK, 50, 10_010))
    seller = market.accepted(market.sell(KOSDAQ_STOCK, 400, 9_980))
    market.at(9, 1)
    assert market.filled(seller) == [(50, 10_000), (300, 10_000), (50, 10_000)]
    assert market.filled(better) == [(50, 10_000)]
    assert market.filled(first) == [(300, 10_000)]
    assert market.filled(second) == [(50, 10_000)]
    assert market.books(KOSDAQ_STOCK)[-1].bids == (BookLevel(10_000, 250),)


def test_after_the_uncross_the_book_and_its_totals_are_consistent() -> None:
    market = make_market()
    market.at(8, 40)
    market.buy(KOSPI_STOCK, 30, 50_000)
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.at(9, 1)
    book = market.books(KOSPI_STOCK)[-1]
    assert (book.bids, book.asks) == ((BookLevel(50_000, 20),), ())
    killed = market.accepted(market.sell(KOSPI_STOCK, 21, 50_000, tif=FOK))
    assert market.updates(killed)[-1].reject_code == RejectCode.FOK_UNFILLABLE
    whole = market.accepted(market.sell(KOSPI_STOCK, 20, 50_000, tif=FOK))
    assert market.filled(whole) == [(20, 50_000)]


# --- item 7: size rounds when the opening price is a limit ------------------------------------


def test_an_opening_at_the_upper_limit_allocates_by_size_rounds() -> None:
    """IPO day (no VI; upper limit 40,000): 1,000 shares offered to 5,450 bid at the limit.

    Rounds of 100 then 500 more shares per order, largest first: 100 each (300), then the
    5,000-share order 500 more and the 300-share market order its last 200.
    """
    market = make_market(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    market.at(8, 40)
    big = market.accepted(market.buy("400000", 5_000, 40_000))
    by_market = market.accepted(market.buy("400000", 300))
    small = market.accepted(market.buy("400000", 150, 40_000))
    market.sell("400000", 1_000, 10_000)
    market.at(9, 1)
    assert {p for p, _ in market.prints("400000")} == {40_000}
    assert sum(q for q, _ in market.filled(big)) == 600
    assert sum(q for q, _ in market.filled(by_market)) == 300
    assert sum(q for q, _ in market.filled(small)) == 100


def test_an_opening_below_the_limit_allocates_in_time_order() -> None:
    market = make_market(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    market.at(8, 40)
    big = market.accepted(market.buy("400000", 5_000, 30_000))
    small = market.accepted(market.buy("400000", 150, 30_000))
    market.sell("400000", 1_000, 10_000)
    market.at(9, 1)
    assert market.filled(big) == [(1_000, 30_000)]
    assert market.filled(small) == []


def test_continuous_prints_at_the_limit_use_time_priority() -> None:
    market = continuous(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    big = market.accepted(market.buy("400000", 5_000, 40_000))
    small = market.accepted(market.buy("400000", 150, 40_000))
    market.sell("400000", 1_000, 40_000)
    assert market.filled(big) == [(1_000, 40_000)]
    assert market.filled(small) == []


# --- item 10: conditional limit orders ----------------------------------------------------


def test_a_conditional_limit_rests_as_a_limit_then_joins_the_close_as_a_market_order() -> None:
    market = continuous()
    conditional = market.accepted(
        market.buy(KOSPI_STOCK, 10, 49_900, kind=OrderType.CONDITIONAL_LIMIT)
    )
    plain = market.accepted(market.buy(KOSPI_STOCK, 10, 49_900))
    market.sell(KOSPI_STOCK, 5, 49_900)
    assert market.filled(conditional) == [(5, 49_900)]
    market.at(15, 20)
    converted = market.updates(conditional)[-1]
    assert (converted.price, converted.leaves_qty, converted.ts_ns) == (0, 5, market.kst(15, 20))
    assert converted.status is OrderStatus.PARTIALLY_FILLED
    market.sell(KOSPI_STOCK, 5, 50_000)
    market.at(15, 31)
    assert market.filled(conditional) == [(5, 49_900), (5, 50_000)]
    assert market.filled(plain) == []  # a plain limit stays a limit: 49,900 < the close


def test_conditional_limits_are_refused_in_the_closing_auction_and_at_the_limit() -> None:
    market = continuous()
    upper = market.ex.market(KOSPI_STOCK).rules.upper
    at_limit = market.buy(KOSPI_STOCK, 1, upper, kind=OrderType.CONDITIONAL_LIMIT)
    assert at_limit.reject_code == RejectCode.CONDITIONAL_AT_LIMIT
    market.at(15, 21)
    late = market.buy(KOSPI_STOCK, 1, 49_900, kind=OrderType.CONDITIONAL_LIMIT)
    assert late.reject_code == RejectCode.WRONG_SESSION
    assert market.buy(KOSPI_STOCK, 1, 49_900).reject_code == ""


# --- item 14: the closing auction fixes the close -----------------------------------------


def test_the_closing_auction_collects_from_1520_and_its_price_is_the_close() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.buy(KOSPI_STOCK, 10, 50_000)
    market.at(15, 20)
    assert market.state(KOSPI_STOCK) is SymbolState.CALL
    market.buy(KOSPI_STOCK, 10, 50_500)
    market.sell(KOSPI_STOCK, 10, 50_300)
    market.at(15, 29, 59)
    assert len(market.ticks(KOSPI_STOCK)) == 1
    market.at(15, 31)
    [close] = [t for t in market.ticks(KOSPI_STOCK) if t.auction]
    uncross = market.ex.schedule.at(market.kst(15, 25)).end_ns
    assert close.ts_ns == uncross
    assert market.kst(15, 30) <= close.ts_ns <= market.kst(15, 30, 30)
    assert close.price == 50_300  # nearest qualifying price to the last price, 50,000
    assert market.ex.market(KOSPI_STOCK).close_price == 50_300


def test_regular_orders_expire_when_the_closing_auction_ends() -> None:
    market = continuous()
    resting = market.accepted(market.buy(KOSPI_STOCK, 10, 49_000))
    market.at(15, 31)
    last = market.updates(resting)[-1]
    assert (last.status, last.leaves_qty) == (OrderStatus.EXPIRED, 0)
    assert market.ex.open_orders() == []


def test_without_trades_the_close_is_the_special_quotation_or_the_base() -> None:
    market = continuous()
    market.buy(KOSPI_STOCK, 10, 51_000)  # a bid above the base: 기세
    market.sell(KOSDAQ_STOCK, 10, 9_900)  # an ask below the base
    market.buy(ALNUM, 10, 19_000)  # neither: the base stays
    market.at(15, 31)
    closes = {s: market.ex.market(s).close_price for s in (KOSPI_STOCK, KOSDAQ_STOCK, ALNUM)}
    assert closes == {KOSPI_STOCK: 51_000, KOSDAQ_STOCK: 9_900, ALNUM: 20_000}


def test_expected_closing_prices_are_published_during_the_closing_auction() -> None:
    market = continuous()
    market.at(15, 21)
    market.buy(KOSPI_STOCK, 10, 50_000)
    market.sell(KOSPI_STOCK, 10, 50_000)
    last = market.expected(KOSPI_STOCK)[-1]
    assert isinstance(last, ExpectedPrice)
    assert (last.price, last.qty) == (50_000, 10)
    assert not [b for b in market.of(BookUpdate) if b.ts_ns > market.kst(15, 20, 1)]
