"""`SimExchange` volatility interruptions (KRX.md §7, §12 items 13-14): dynamic VI on every
prospective execution, static VI from the base and the last auction price, the 2-minute VI
auction with its random end, extensions of the opening and closing auctions, repeated VIs,
the closing-auction and after-hours rates, and no VI on a listing's first day."""

from __future__ import annotations

import pytest

from jts.core.enums import OrderType, TimeInForce
from jts.core.events import SymbolState, SymbolStatus
from jts.krx.volatility import ViGroup
from jts.venues.sim.orders import RejectCode

from .exchange_fixtures import ALNUM, KOSPI_STOCK, Harness, continuous, instrument, make_market

SECOND = 1_000_000_000
VI_NS = 120 * SECOND


def trade(market: Harness, symbol: str, price: int, qty: int = 1) -> None:
    """One print of `qty` shares at `price` (a resting sell met by a buy)."""
    market.sell(symbol, qty, price)
    market.buy(symbol, qty, price)


def vi_statuses(market: Harness, symbol: str) -> list[SymbolStatus]:
    return [s for s in market.statuses(symbol) if s.state is SymbolState.VI]


def sweep_into_vi(market: Harness) -> str:
    """Last 50,000; asks 50,500, 51,000 and 53,100 (10 each); a buy of 30 at 54,000.

    Dynamic VI (6%) triggers at 53,000, so the buy stops after 20 shares."""
    trade(market, KOSPI_STOCK, 50_000)
    for price in (50_500, 51_000, 53_100):
        market.sell(KOSPI_STOCK, 10, price)
    return market.accepted(market.buy(KOSPI_STOCK, 30, 54_000))


# --- dynamic and static VI in continuous trading ---------------------------------------------


def test_a_sweep_stops_at_the_dynamic_trigger_and_rests_into_a_two_minute_auction() -> None:
    market = continuous()
    buyer = sweep_into_vi(market)
    now = market.ex.now_ns()
    assert market.filled(buyer) == [(10, 50_500), (10, 51_000)]
    [vi] = vi_statuses(market, KOSPI_STOCK)
    assert (vi.reason, vi.reference, vi.trigger) == ("dynamic_vi", 50_000, 53_100)
    assert now + VI_NS <= vi.until_ns <= now + VI_NS + 30 * SECOND
    working = market.ex.order(buyer)
    assert working is not None
    assert working.leaves == 10
    market.ex.advance_to(vi.until_ns - 1)
    assert market.prints(KOSPI_STOCK)[-1] == (51_000, 10)
    market.ex.advance_to(vi.until_ns)
    assert market.prints(KOSPI_STOCK)[-1] == (53_100, 10)
    assert market.ticks(KOSPI_STOCK)[-1].auction
    assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS


def test_a_vi_auction_takes_call_auction_orders_only_and_publishes_expected_prices() -> None:
    market = continuous()
    sweep_into_vi(market)
    assert market.state(KOSPI_STOCK) is SymbolState.VI
    ioc = market.buy(KOSPI_STOCK, 1, 53_100, tif=TimeInForce.IOC)
    assert ioc.reject_code == RejectCode.WRONG_SESSION
    best = market.buy(KOSPI_STOCK, 1, kind=OrderType.BEST_LIMIT)
    assert best.reject_code == RejectCode.WRONG_SESSION
    by_market = market.buy(KOSPI_STOCK, 5)
    assert by_market.reject_code == ""
    assert market.prints(KOSPI_STOCK)[-1] == (51_000, 10)  # collected, not matched
    assert market.expected(KOSPI_STOCK)[-1].qty == 10


def test_a_sell_sweep_triggers_downwards_too() -> None:
    market = continuous()
    trade(market, KOSPI_STOCK, 50_000)
    market.buy(KOSPI_STOCK, 10, 49_000)
    market.buy(KOSPI_STOCK, 10, 46_950)  # 50,000 - 6% = 47,000: the trigger
    seller = market.accepted(market.sell(KOSPI_STOCK, 20))
    assert market.filled(seller) == [(10, 49_000)]
    [vi] = vi_statuses(market, KOSPI_STOCK)
    assert (vi.reason, vi.trigger) == ("dynamic_vi", 46_950)


def test_large_caps_interrupt_at_three_percent() -> None:
    market = continuous(vi_groups={KOSPI_STOCK: ViGroup.LARGE})
    trade(market, KOSPI_STOCK, 50_000)
    trade(market, KOSPI_STOCK, 51_400)  # 2.8%: trades
    assert market.prints(KOSPI_STOCK)[-1] == (51_400, 1)
    market.sell(KOSPI_STOCK, 1, 53_000)  # 51,400 + 3% = 52,942 -> trigger 53,000
    market.buy(KOSPI_STOCK, 1, 53_000)
    assert market.prints(KOSPI_STOCK)[-1] == (51_400, 1)
    assert [s.reason for s in vi_statuses(market, KOSPI_STOCK)] == ["dynamic_vi"]


def test_static_vi_fires_ten_percent_from_the_base_after_small_steps() -> None:
    market = continuous()
    for price in (50_000, 52_900):  # each step under 6%
        trade(market, KOSPI_STOCK, price)
    market.sell(KOSPI_STOCK, 1, 55_000)  # 4% above 52,900, but 10% above the base
    market.buy(KOSPI_STOCK, 1, 55_000)
    [vi] = vi_statuses(market, KOSPI_STOCK)
    assert (vi.reason, vi.trigger) == ("static_vi", 55_000)


def test_vi_repeats_and_the_static_reference_moves_to_the_vi_auction_price() -> None:
    market = continuous()
    sweep_into_vi(market)
    market.wait(151)
    assert market.ex.market(KOSPI_STOCK).vi.static_reference == 53_100
    trade(market, KOSPI_STOCK, 55_500)  # 10% above the base, 4.5% above 53,100: trades
    assert market.prints(KOSPI_STOCK)[-1] == (55_500, 1)
    market.sell(KOSPI_STOCK, 1, 58_500)  # 53,100 + 10% = 58,410 -> static trigger 58,500
    market.buy(KOSPI_STOCK, 1, 58_500)
    reasons = [s.reason for s in vi_statuses(market, KOSPI_STOCK)]
    assert reasons == ["dynamic_vi", "static_vi"]
    market.wait(151)
    assert market.prints(KOSPI_STOCK)[-1] == (58_500, 1)
    assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS


def test_vi_auctions_of_different_symbols_end_at_different_random_instants() -> None:
    market = continuous(base_prices={ALNUM: 50_000})
    for symbol in (KOSPI_STOCK, ALNUM):
        trade(market, symbol, 50_000)
        market.sell(symbol, 1, 53_100)
        market.buy(symbol, 1, 53_100)
    [first], [second] = vi_statuses(market, KOSPI_STOCK), vi_statuses(market, ALNUM)
    assert first.ts_ns == second.ts_ns
    assert first.until_ns != second.until_ns


def test_no_vi_on_a_listing_day() -> None:
    market = continuous(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    trade(market, "400000", 10_000)
    for price in (12_000, 15_000, 20_000):
        market.sell("400000", 1, price)
    buyer = market.accepted(market.buy("400000", 3, 40_000))
    assert market.filled(buyer) == [(1, 12_000), (1, 15_000), (1, 20_000)]
    assert vi_statuses(market, "400000") == []


# --- VI extending scheduled auctions ------------------------------------------------------


def test_a_static_vi_extends_the_opening_auction_by_two_minutes() -> None:
    market = make_market()
    market.at(8, 40)
    market.buy(KOSPI_STOCK, 10, 56_000)
    market.sell(KOSPI_STOCK, 10, 55_500)  # 11% above the base
    market.at(9, 0, 31)
    [vi] = vi_statuses(market, KOSPI_STOCK)
    uncross = market.ex.schedule.at(market.kst(9)).end_ns
    assert (vi.ts_ns, vi.reason, vi.trigger) == (uncross, "static_vi", 55_500)
    assert uncross + VI_NS <= vi.until_ns <= uncross + VI_NS + 30 * SECOND
    assert market.ticks(KOSPI_STOCK) == []
    assert market.state(KOSPI_STOCK) is SymbolState.VI
    market.ex.advance_to(vi.until_ns)
    assert market.prints(KOSPI_STOCK) == [(55_500, 10)]
    assert market.ex.market(KOSPI_STOCK).open_price == 55_500
    assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS


CLOSING_CASES = [  # group, expiry-day symbol, closing price, extended
    (ViGroup.OTHER, False, 51_900, False),
    (ViGroup.OTHER, False, 52_000, True),  # 4%
    (ViGroup.LARGE, False, 50_900, False),
    (ViGroup.LARGE, False, 51_000, True),  # 2%
    (ViGroup.LARGE, True, 50_400, False),
    (ViGroup.LARGE, True, 50_500, True),  # 1% on a derivatives expiry day
]


@pytest.mark.parametrize(("group", "expiry", "price", "extended"), CLOSING_CASES)
def test_the_closing_auction_uses_its_own_dynamic_rates(
    group: ViGroup, expiry: bool, price: int, extended: bool
) -> None:
    market = continuous(
        vi_groups={KOSPI_STOCK: group}, expiry_day_symbols=[KOSPI_STOCK] if expiry else []
    )
    trade(market, KOSPI_STOCK, 50_000)
    market.at(15, 25)
    market.buy(KOSPI_STOCK, 10, price)
    market.sell(KOSPI_STOCK, 10, price)
    market.at(15, 31)
    statuses = vi_statuses(market, KOSPI_STOCK)
    assert bool(statuses) is extended
    if not extended:
        assert market.ex.market(KOSPI_STOCK).close_price == price
        return
    assert statuses[0].reason == "dynamic_vi"
    assert market.ex.market(KOSPI_STOCK).close_price == 0  # not fixed yet
    market.ex.advance_to(statuses[0].until_ns)
    assert market.prints(KOSPI_STOCK)[-1] == (price, 10)
    assert market.ex.market(KOSPI_STOCK).close_price == price


def test_a_vi_running_at_1520_merges_into_the_closing_auction() -> None:
    """The merged auction uncrosses with the close and is not interrupted a second time."""
    market = continuous()
    market.at(15, 19)
    buyer = sweep_into_vi(market)
    market.at(15, 20)
    assert market.state(KOSPI_STOCK) is SymbolState.CALL
    market.at(15, 31)
    assert len(vi_statuses(market, KOSPI_STOCK)) == 1
    [close] = [t for t in market.ticks(KOSPI_STOCK) if t.auction]
    assert close.ts_ns == market.ex.schedule.at(market.kst(15, 25)).end_ns
    assert (close.price, close.qty) == (53_100, 10)
    assert market.ex.market(KOSPI_STOCK).close_price == 53_100
    assert market.filled(buyer)[-1] == (10, 53_100)


def test_after_hours_rounds_interrupt_at_the_after_hours_rate() -> None:
    market = continuous()
    trade(market, KOSPI_STOCK, 50_000)
    market.at(16, 1)
    market.buy(KOSPI_STOCK, 10, 53_500)  # inside the ±10% band, 7% above the close
    market.sell(KOSPI_STOCK, 10, 53_500)
    market.at(16, 11)
    [vi] = vi_statuses(market, KOSPI_STOCK)
    assert vi.reason == "dynamic_vi"
    market.ex.advance_to(vi.until_ns)
    assert market.prints(KOSPI_STOCK)[-1] == (53_500, 10)
    assert market.ex.market(KOSPI_STOCK).close_price == 50_000  # after-hours prints no close
    assert market.state(KOSPI_STOCK) is SymbolState.CALL
