"""`SimExchange` sessions (KRX.md §2-3, §12 items 4, 15, 18, 21): the phase timeline of an
ordinary, a first-of-year, a CSAT and a planned-2026 day, order types by phase, the
closing-price sessions, after-hours single-price rounds, and a deterministic event stream."""

from __future__ import annotations

from datetime import date

import pytest

from jts.core.enums import OrderStatus, OrderType, TimeInForce
from jts.core.events import ExpectedPrice, MarketControl, MarketStatus, OrderUpdate, SymbolStatus
from jts.core.models import BookUpdate, Fill, Tick
from jts.krx.sessions import Phase
from jts.venues.sim.orders import RejectCode

from .exchange_fixtures import (
    ETF,
    KOSDAQ_STOCK,
    KOSPI_STOCK,
    Harness,
    continuous,
    instrument,
    make_market,
)

T, IOC, FOK, DAY_TIF = OrderType, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.DAY
CP = OrderType.CLOSING_PRICE
NEW_YEAR, CSAT = date(2026, 1, 2), date(2026, 11, 19)


def phases(market: Harness) -> list[str]:
    return [s.detail for s in market.of(MarketStatus) if s.control is MarketControl.PHASE]


# --- item 4: the session state machine -------------------------------------------------------

ORDINARY_DAY = [  # KST time, the main phase (closing-price sessions run beside it)
    ((8, 29), Phase.CLOSED),
    ((8, 35), Phase.OPENING_AUCTION),
    ((9, 1), Phase.CONTINUOUS),
    ((15, 19), Phase.CONTINUOUS),
    ((15, 25), Phase.CLOSING_AUCTION),
    ((15, 35), Phase.GAP),
    ((15, 45), Phase.GAP),
    ((16, 5), Phase.AFTER_HOURS),
    ((17, 55), Phase.AFTER_HOURS),
    ((18, 1), Phase.CLOSED),
]


def test_an_ordinary_day_runs_through_the_krx_phases() -> None:
    market = make_market()
    for (hour, minute), phase in ORDINARY_DAY:
        market.at(hour, minute)
        assert market.phase() is phase, (hour, minute)
    assert phases(market)[:7] == [
        "pre_open_closing_price",
        "opening_auction",
        "continuous",
        "closing_auction",
        "gap",
        "post_close_closing_price",
        "after_hours",
    ]
    assert phases(market)[-1] == "closed"


ORDER_KINDS = [  # KST time, type, condition, reject code ("" = accepted)
    ((7, 59), T.LIMIT, DAY_TIF, RejectCode.MARKET_CLOSED),
    ((8, 35), T.LIMIT, DAY_TIF, ""),
    ((8, 35), T.MARKET, DAY_TIF, ""),
    ((8, 35), T.CONDITIONAL_LIMIT, DAY_TIF, ""),
    ((8, 35), T.LIMIT, IOC, RejectCode.WRONG_SESSION),
    ((8, 35), T.MARKET, FOK, RejectCode.WRONG_SESSION),
    ((8, 35), T.BEST_LIMIT, DAY_TIF, RejectCode.WRONG_SESSION),
    ((8, 35), T.BEST_PRIORITY, DAY_TIF, RejectCode.WRONG_SESSION),
    ((9, 1), T.LIMIT, IOC, ""),
    ((9, 1), T.LIMIT, FOK, RejectCode.FOK_UNFILLABLE),  # accepted, then killed
    ((9, 1), T.MARKET, IOC, ""),
    ((9, 1), T.CONDITIONAL_LIMIT, IOC, RejectCode.WRONG_SESSION),
    ((9, 1), CP, DAY_TIF, RejectCode.WRONG_SESSION),
    ((15, 25), T.LIMIT, DAY_TIF, ""),
    ((15, 25), T.MARKET, DAY_TIF, ""),
    ((15, 25), T.LIMIT, IOC, RejectCode.WRONG_SESSION),
    ((15, 25), T.CONDITIONAL_LIMIT, DAY_TIF, RejectCode.WRONG_SESSION),
    ((15, 25), T.BEST_LIMIT, DAY_TIF, RejectCode.WRONG_SESSION),
    ((15, 35), T.LIMIT, DAY_TIF, RejectCode.MARKET_CLOSED),
    ((15, 35), CP, DAY_TIF, RejectCode.WRONG_SESSION),
    ((15, 45), T.LIMIT, DAY_TIF, RejectCode.MARKET_CLOSED),
    ((15, 45), CP, DAY_TIF, ""),
    ((16, 5), T.LIMIT, DAY_TIF, ""),
    ((16, 5), T.MARKET, DAY_TIF, RejectCode.WRONG_SESSION),
    ((16, 5), CP, DAY_TIF, RejectCode.WRONG_SESSION),
    ((18, 1), T.LIMIT, DAY_TIF, RejectCode.MARKET_CLOSED),
]


@pytest.mark.parametrize(("at", "kind", "tif", "expected"), ORDER_KINDS)
def test_each_phase_takes_the_order_types_of_krx_md_section_3(
    at: tuple[int, int], kind: OrderType, tif: TimeInForce, expected: str
) -> None:
    market = make_market()
    market.at(*at)
    price = 49_900 if kind.needs_price else None
    answer = market.buy(KOSPI_STOCK, 1, price, kind=kind, tif=tif)
    last = market.updates(answer.venue_order_id)[-1] if answer.venue_order_id else answer
    assert last.reject_code == expected


def test_a_holiday_takes_no_orders() -> None:
    market = make_market(date(2026, 3, 2))  # substitute holiday
    market.at(10)
    assert market.phase() is Phase.CLOSED
    assert market.buy(KOSPI_STOCK, 1, 49_900).reject_code == RejectCode.MARKET_CLOSED


def test_the_planned_2026_pre_and_after_markets_trade_continuously_only_when_asked() -> None:
    day = date(2026, 7, 1)
    off = make_market(day)
    off.at(7, 30)
    assert off.buy(KOSPI_STOCK, 1, 49_900).reject_code == RejectCode.MARKET_CLOSED
    market = make_market(day, planned_sessions=True)
    market.at(7, 30)
    assert market.phase() is Phase.PRE_MARKET
    resting = market.accepted(market.buy(KOSPI_STOCK, 10, 49_900))
    seller = market.accepted(market.sell(KOSPI_STOCK, 4, 49_900))
    assert market.filled(seller) == [(4, 49_900)]
    market.at(8, 1)
    assert market.updates(resting)[-1].status is OrderStatus.EXPIRED  # no carry-over
    market.at(16, 30)
    assert market.phase() is Phase.AFTER_MARKET
    market.buy(KOSPI_STOCK, 5, 49_900)
    late = market.accepted(market.sell(KOSPI_STOCK, 5, 49_900))
    assert market.filled(late) == [(5, 49_900)]
    assert market.ex.market(KOSPI_STOCK).open_price == 0  # no regular-session trade


# --- item 18: late opens (first trading day of the year, CSAT) --------------------------------


def test_the_first_trading_day_of_2026_opens_at_1000() -> None:
    market = make_market(NEW_YEAR)
    market.at(9, 29)
    assert market.buy(KOSPI_STOCK, 1, 49_900).reject_code == RejectCode.MARKET_CLOSED
    market.at(9, 35)
    assert market.phase() is Phase.OPENING_AUCTION
    buyer = market.accepted(market.buy(KOSPI_STOCK, 10, kind=CP))  # closing price 09:30-09:40
    market.sell(KOSPI_STOCK, 10, kind=CP)
    assert market.filled(buyer) == [(10, 50_000)]
    market.buy(KOSPI_STOCK, 10, 50_000)
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.at(9, 49)
    assert market.expected(KOSPI_STOCK) == []
    market.at(9, 50)
    assert market.expected(KOSPI_STOCK)[-1].price == 50_000
    market.at(9, 59)
    assert market.phase() is Phase.OPENING_AUCTION
    market.at(10, 1)
    assert market.phase() is Phase.CONTINUOUS
    assert [t.ts_ns >= market.kst(10) for t in market.ticks() if t.auction] == [True]
    market.at(15, 25)
    assert market.phase() is Phase.CLOSING_AUCTION


def test_the_csat_day_runs_one_hour_late_to_1630() -> None:
    market = make_market(CSAT)
    market.at(9, 45)
    assert market.phase() is Phase.OPENING_AUCTION
    market.at(10, 1)
    assert market.phase() is Phase.CONTINUOUS
    market.buy(KOSPI_STOCK, 10, 50_500)
    market.sell(KOSPI_STOCK, 10, 50_500)
    market.at(16, 19)
    assert market.phase() is Phase.CONTINUOUS
    market.at(16, 25)
    assert market.phase() is Phase.CLOSING_AUCTION
    market.at(16, 35)
    assert market.buy(KOSPI_STOCK, 1, kind=CP).reject_code == RejectCode.WRONG_SESSION
    market.at(16, 45)
    buyer = market.accepted(market.buy(KOSPI_STOCK, 1, kind=CP))
    market.sell(KOSPI_STOCK, 1, kind=CP)
    assert market.filled(buyer) == [(1, 50_500)]
    market.at(17, 5)
    assert market.phase() is Phase.AFTER_HOURS


# --- item 15: closing-price sessions and after-hours single price ---------------------------


def test_pre_open_closing_price_trades_fill_at_the_base_in_time_order() -> None:
    market = make_market()
    market.at(8, 30)
    first = market.accepted(market.buy(KOSPI_STOCK, 10, kind=CP))
    second = market.accepted(market.buy(KOSPI_STOCK, 10, kind=CP))
    seller = market.accepted(market.sell(KOSPI_STOCK, 15, kind=CP))
    assert market.filled(first) == [(10, 50_000)]
    assert market.filled(second) == [(5, 50_000)]
    assert market.filled(seller) == [(10, 50_000), (5, 50_000)]
    assert not any(t.auction for t in market.ticks())
    market.at(8, 40)
    assert market.updates(second)[-1].status is OrderStatus.EXPIRED
    assert market.buy(KOSPI_STOCK, 1, kind=CP).reject_code == RejectCode.WRONG_SESSION
    market.buy(KOSPI_STOCK, 10, 50_500)  # the opening still starts from the base price
    market.sell(KOSPI_STOCK, 10, 50_200)
    market.at(9, 1)
    assert market.ex.market(KOSPI_STOCK).open_price == 50_200


def test_post_close_closing_price_trades_fill_at_todays_close() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 10, 50_500)
    market.buy(KOSPI_STOCK, 10, 50_500)
    market.at(15, 40)
    seller = market.accepted(market.sell(KOSPI_STOCK, 10, kind=CP))
    buyer = market.accepted(market.buy(KOSPI_STOCK, 4, 99_999, kind=CP))  # own price ignored
    assert market.filled(buyer) == [(4, 50_500)]
    assert market.filled(seller) == [(4, 50_500)]
    market.at(16)
    assert market.updates(seller)[-1].status is OrderStatus.EXPIRED
    assert market.ex.market(KOSPI_STOCK).close_price == 50_500


def test_after_hours_rounds_trade_every_ten_minutes_inside_ten_percent_of_the_close() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 1, 50_000)
    market.buy(KOSPI_STOCK, 1, 50_000)
    market.at(16, 1)
    assert market.buy(KOSPI_STOCK, 1, 55_100).reject_code == RejectCode.OUTSIDE_LIMITS
    assert market.sell(KOSPI_STOCK, 1, 44_900).reject_code == RejectCode.OUTSIDE_LIMITS
    assert market.buy(KOSPI_STOCK, 1, 55_000).reject_code == ""
    market.sell(KOSPI_STOCK, 1, 45_000)
    market.buy(KOSPI_STOCK, 10, 50_500)
    market.sell(KOSPI_STOCK, 10, 50_500)
    market.at(16, 9, 59)
    assert len(market.ticks(KOSPI_STOCK)) == 1
    market.at(16, 11)
    first_round = [t for t in market.ticks(KOSPI_STOCK) if t.auction]
    assert {t.price for t in first_round} == {50_500}
    assert sum(t.qty for t in first_round) == 11
    [instant] = {t.ts_ns for t in first_round}
    assert market.kst(16, 10) <= instant <= market.kst(16, 10, 30)
    market.buy(KOSPI_STOCK, 10, 51_000)
    market.sell(KOSPI_STOCK, 10, 50_000)
    market.at(16, 21)
    assert market.prints(KOSPI_STOCK)[-1] == (50_500, 10)  # the previous round's price
    resting = market.accepted(market.buy(KOSPI_STOCK, 1, 46_000))
    market.at(17, 59)
    assert market.ex.order(resting) is not None  # carried from round to round
    market.at(18, 1)
    assert market.updates(resting)[-1].status is OrderStatus.EXPIRED


def test_nxt_listed_symbols_are_excluded_from_after_hours_single_price() -> None:
    market = continuous(extra=[instrument("035420", nxt_eligible=True)])
    assert market.buy("035420", 1, 9_900).reject_code == ""
    market.at(16, 5)
    assert market.buy("035420", 1, 9_900).reject_code == RejectCode.WRONG_SESSION
    assert market.buy(KOSDAQ_STOCK, 1, 9_900).reject_code == ""


# --- item 21: the event stream ------------------------------------------------------------


def scripted_day(seed: int) -> list[object]:
    """A day touching every event kind: auctions, continuous trading, a VI, a close."""
    market = make_market(seed=seed, book_interval_ms=250)
    market.at(8, 45)
    market.buy(KOSPI_STOCK, 10, 50_100)
    market.sell(KOSPI_STOCK, 10, 49_900)
    market.buy(ETF, 5, 30_000)
    market.sell(ETF, 5, 30_000)
    market.buy(KOSPI_STOCK, 1, 49_910)  # off tick: rejected
    market.at(9, 1)
    for price in (50_500, 51_000, 53_100):
        market.sell(KOSPI_STOCK, 10, price)
    market.buy(KOSPI_STOCK, 30, 54_000)  # sweeps into a VI
    market.at(10)
    market.buy(ETF, 3, 30_050)
    market.sell(ETF, 3, kind=OrderType.MARKET)
    market.at(15, 25)
    market.buy(ETF, 2, 30_100)
    market.sell(ETF, 2, 30_000)
    market.at(18, 5)
    return market.events


def test_the_same_seed_and_orders_give_the_same_event_stream() -> None:
    first, again = scripted_day(7), scripted_day(7)
    assert first == again
    kinds = {type(e) for e in first}
    assert kinds >= {OrderUpdate, Fill, Tick, BookUpdate, ExpectedPrice, SymbolStatus, MarketStatus}
    assert scripted_day(8) != first  # other random auction ends
    stamps = [getattr(e, "ts_ns") for e in first]  # noqa: B009 - every event has one
    assert stamps == sorted(stamps)


def test_rejects_carry_a_reason_code_and_no_order_id() -> None:
    market = continuous()
    answer = market.buy(KOSPI_STOCK, 1, 49_910)
    assert (answer.status, answer.reject_code, answer.venue_order_id) == (
        OrderStatus.REJECTED,
        RejectCode.OFF_TICK,
        "",
    )
    assert answer.message
    assert market.of(OrderUpdate) == [answer]


def test_fills_report_quantity_price_time_and_what_is_left() -> None:
    market = continuous()
    market.sell(KOSPI_STOCK, 4, 50_000)
    market.wait(1.5)
    buyer = market.accepted(market.buy(KOSPI_STOCK, 10, 50_000))
    [fill] = market.fills(buyer)
    assert (fill.qty, fill.price, fill.leaves_qty) == (4, 50_000, 6)
    assert fill.ts_ns == market.kst(9, 1, 1) + 500_000_000
    assert fill.client_order_id == market.updates(buyer)[0].client_order_id
