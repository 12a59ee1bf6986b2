"""`SimExchange` market-wide controls and symbol regimes (KRX.md §8, §12 items 12, 16-17):
circuit-breaker stages fed through `observe_index`, the sidecar holding program orders,
단기과열 call auctions, and trading halts with their resumption auction."""

from __future__ import annotations

from decimal import Decimal

from jts.core.enums import Market, OrderStatus, OrderType, TimeInForce
from jts.core.events import MarketControl, SymbolState
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

KOSPI, KOSDAQ = Market.KOSPI, Market.KOSDAQ


def controls(market: Harness) -> list[tuple[MarketControl, str]]:
    return [(s.control, s.market) for s in market.market_statuses()]


def fall(market: Harness, level: float, start: tuple[int, int, int], minutes: int = 1) -> None:
    """Feed the KOSPI index `level` at `start` and once more each minute for `minutes`."""
    hour, minute, second = start
    market.at(hour, minute, second)
    market.ex.observe_index(KOSPI, level)
    for _ in range(minutes):
        market.wait(60)
        market.ex.observe_index(KOSPI, level)


# --- item 16: circuit breaker ----------------------------------------------------------------


def test_stage_one_fires_after_a_full_minute_at_minus_eight_percent() -> None:
    market = continuous()
    market.at(10)
    market.ex.observe_index(KOSPI, 925.0)  # -7.5%: nothing
    market.wait(30)
    market.ex.observe_index(KOSPI, 920.0)
    market.wait(59)
    market.ex.observe_index(KOSPI, 920.0)
    assert controls(market) == []
    market.wait(1)
    market.ex.observe_index(KOSPI, 920.0)
    assert controls(market) == [(MarketControl.CB_STAGE1, "KOSPI")]
    stage = market.market_statuses()[0]
    assert stage.until_ns == stage.ts_ns + 20 * 60 * 1_000_000_000


def test_a_recovery_inside_the_minute_resets_the_count() -> None:
    market = continuous()
    market.at(10)
    market.ex.observe_index(KOSPI, 900.0)
    market.wait(45)
    market.ex.observe_index(KOSPI, 990.0)
    market.wait(15)
    market.ex.observe_index(KOSPI, 900.0)
    assert controls(market) == []


def test_stage_one_halts_the_market_twenty_minutes_then_a_ten_minute_auction() -> None:
    market = continuous()
    resting = market.accepted(market.buy(KOSPI_STOCK, 10, 49_000))
    other = market.accepted(market.buy(KOSPI_STOCK, 10, 48_000))
    fall(market, 920.0, (10, 0, 0))
    for symbol in (KOSPI_STOCK, ETF, ALNUM):
        assert market.state(symbol) is SymbolState.HALTED
    assert market.state(KOSDAQ_STOCK) is SymbolState.CONTINUOUS  # KOSPI's breaker only
    assert market.buy(KOSPI_STOCK, 1, 49_000).reject_code == RejectCode.MARKET_HALTED
    assert market.ex.modify(resting, price=49_100).reject_code == RejectCode.MARKET_HALTED
    assert market.ex.cancel(other).status is OrderStatus.CANCELLED  # cancels are accepted
    market.sell(KOSDAQ_STOCK, 1, 9_980)
    assert market.buy(KOSDAQ_STOCK, 1, 9_980).reject_code == ""
    assert market.prints(KOSDAQ_STOCK) == [(9_980, 1)]
    market.at(10, 20, 59)
    assert market.buy(KOSPI_STOCK, 1, 49_000).reject_code == RejectCode.MARKET_HALTED
    market.at(10, 21)
    assert controls(market)[-1] == (MarketControl.CB_RESUME, "KOSPI")
    assert market.state(KOSPI_STOCK) is SymbolState.VI  # the resumption call auction
    seller = market.accepted(market.sell(KOSPI_STOCK, 10, 48_500))
    assert market.fills(seller) == []  # collected, not matched
    market.at(10, 30, 59)
    assert market.fills(seller) == []
    market.at(10, 31, 31)
    assert market.filled(resting) == [(10, 49_000)]  # nearest to the base: no trade yet
    assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS


def test_stage_two_needs_fifteen_percent_and_one_percent_below_stage_one() -> None:
    market = continuous()
    fall(market, 920.0, (10, 0, 0))
    fall(market, 915.0, (10, 35, 0))  # stage 1 fired already; not 15% down
    fall(market, 850.0, (10, 40, 0))
    assert [c for c, _ in controls(market)] == [
        MarketControl.CB_STAGE1,
        MarketControl.CB_RESUME,
        MarketControl.CB_STAGE2,
    ]


def test_stages_one_and_two_are_blocked_from_1450_by_the_scheduled_close() -> None:
    """The closing auction's random end (15:30:19 with seed 0) does not move 14:50."""
    market = continuous()
    fall(market, 900.0, (14, 49, 10))  # would fire at 14:50:10
    assert controls(market) == []
    early = continuous()
    fall(early, 900.0, (14, 48, 59))
    assert controls(early) == [(MarketControl.CB_STAGE1, "KOSPI")]


def test_stage_three_ends_the_day_and_nothing_is_accepted_afterwards() -> None:
    market = continuous()
    resting = market.accepted(market.buy(KOSPI_STOCK, 10, 49_000))
    kosdaq = market.accepted(market.buy(KOSDAQ_STOCK, 10, 9_900))
    fall(market, 790.0, (14, 55, 0))  # stages 1-2 blocked so late: stage 3 (-20%) only
    assert controls(market) == [(MarketControl.CB_STAGE3, "KOSPI")]
    assert market.updates(resting)[-1].status is OrderStatus.EXPIRED
    assert market.ex.cancel(resting).status is OrderStatus.REJECTED
    assert market.buy(KOSPI_STOCK, 1, 49_000).reject_code == RejectCode.MARKET_HALTED
    market.at(15, 45)
    closing = market.buy(KOSPI_STOCK, 1, kind=OrderType.CLOSING_PRICE)
    assert closing.reject_code == RejectCode.MARKET_HALTED
    market.at(16, 5)
    assert market.buy(ETF, 1, 30_000).reject_code == RejectCode.MARKET_HALTED
    assert market.updates(kosdaq)[-1].status is OrderStatus.EXPIRED  # at its own close
    assert market.buy(KOSDAQ_STOCK, 1, 9_900).reject_code == ""


def test_the_breaker_measures_against_the_given_index_close() -> None:
    market = continuous(index_closes={KOSPI: 2_500.0})
    fall(market, 2_320.0, (10, 0, 0))  # -7.2%
    assert controls(market) == []
    fall(market, 2_300.0, (10, 10, 0))  # -8%
    assert controls(market) == [(MarketControl.CB_STAGE1, "KOSPI")]


def test_a_symbol_halted_on_its_own_stays_halted_after_the_breaker() -> None:
    market = continuous()
    market.ex.halt(ALNUM, "disclosure")
    fall(market, 920.0, (10, 0, 0))
    market.at(10, 40)
    assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS
    assert market.state(ALNUM) is SymbolState.HALTED


# --- item 16: sidecar ---------------------------------------------------------------------


def sidecar(market: Harness, futures: str, index: str = "0", venue: Market = KOSPI) -> None:
    market.ex.observe_futures(venue, Decimal(futures), Decimal(index))
    market.wait(60)
    market.ex.observe_futures(venue, Decimal(futures), Decimal(index))


def test_the_sidecar_holds_program_orders_of_the_moving_side_for_five_minutes() -> None:
    market = continuous()
    market.buy(KOSPI_STOCK, 30, 50_000)
    market.at(10)
    sidecar(market, "-0.05")
    assert controls(market) == [(MarketControl.SIDECAR, "KOSPI")]
    held = market.sell(KOSPI_STOCK, 10, 50_000, program=True)
    assert (held.status, held.message) == (OrderStatus.ACCEPTED, "held by sidecar")
    assert market.fills(held.venue_order_id) == []
    plain = market.accepted(market.sell(KOSPI_STOCK, 10, 50_000))
    assert market.filled(plain) == [(10, 50_000)]
    buying = market.accepted(market.buy(KOSPI_STOCK, 1, 49_000, program=True))
    assert market.ex.market(KOSPI_STOCK).book.best_bid() == 50_000
    assert market.ex.order(buying) is not None
    dropped = market.accepted(market.sell(KOSPI_STOCK, 5, 50_000, program=True))
    assert market.ex.cancel(dropped).status is OrderStatus.CANCELLED
    assert market.ex.modify(held.venue_order_id, price=49_900).reject_code == "program_held"
    assert market.ex.cancel(held.venue_order_id, qty=3).leaves_qty == 7
    assert market.ex.modify(held.venue_order_id, qty=6).leaves_qty == 6
    assert market.ex.modify(held.venue_order_id, qty=7).reject_code == "not_modifiable"
    market.at(10, 5, 59)
    assert market.fills(held.venue_order_id) == []
    market.at(10, 6)
    assert controls(market)[-1] == (MarketControl.SIDECAR_RELEASE, "KOSPI")
    assert market.filled(held.venue_order_id) == [(6, 50_000)]
    assert market.fills(dropped) == []


def test_the_sidecar_waits_five_minutes_after_the_open_and_fires_once() -> None:
    market = continuous()
    market.at(9, 3)
    sidecar(market, "0.06")
    assert controls(market) == []
    market.at(9, 10)
    sidecar(market, "0.06")
    market.at(11)
    sidecar(market, "0.06")
    assert [c for c, _ in controls(market)] == [
        MarketControl.SIDECAR,
        MarketControl.SIDECAR_RELEASE,
    ]


def test_the_kosdaq_sidecar_needs_the_index_to_confirm() -> None:
    market = continuous()
    market.at(10)
    sidecar(market, "-0.06", "-0.02", KOSDAQ)
    assert controls(market) == []
    sidecar(market, "-0.06", "-0.03", KOSDAQ)
    assert controls(market) == [(MarketControl.SIDECAR, "KOSDAQ")]
    held = market.sell(KOSDAQ_STOCK, 1, 9_980, program=True)
    assert held.message == "held by sidecar"
    assert market.sell(KOSPI_STOCK, 1, 50_000, program=True).message == ""


# --- item 17: 단기과열 and trading halts -----------------------------------------------------


def test_an_overheated_symbol_trades_only_in_half_hourly_call_auctions() -> None:
    market = continuous()
    market.at(9, 10)
    market.ex.designate_overheated(KOSPI_STOCK)
    assert market.state(KOSPI_STOCK) is SymbolState.OVERHEATED
    market.buy(KOSPI_STOCK, 10, 50_000)
    market.sell(KOSPI_STOCK, 10, 50_000)
    assert market.ticks(KOSPI_STOCK) == []
    ioc = market.buy(KOSPI_STOCK, 1, 50_000, tif=TimeInForce.IOC)
    assert ioc.reject_code == RejectCode.WRONG_SESSION
    assert market.expected(KOSPI_STOCK)[-1].qty == 10
    market.at(9, 29, 59)
    assert market.ticks(KOSPI_STOCK) == []
    market.at(9, 30, 31)
    [tick] = market.ticks(KOSPI_STOCK)
    assert market.kst(9, 30) <= tick.ts_ns <= market.kst(9, 30, 30)
    assert tick.auction
    market.buy(KOSPI_STOCK, 5, 50_100)
    market.sell(KOSPI_STOCK, 5, 50_100)
    market.at(10, 0, 31)
    assert [t.price for t in market.ticks(KOSPI_STOCK)] == [50_000, 50_100]
    assert market.state(KOSPI_STOCK) is SymbolState.OVERHEATED
    market.buy(ETF, 1, 30_000)  # other symbols trade continuously
    market.sell(ETF, 1, 30_000)
    assert market.prints(ETF) == [(30_000, 1)]


def test_a_symbol_overheated_before_the_open_opens_normally_then_auctions() -> None:
    market = make_market()
    market.at(8, 0)
    market.ex.designate_overheated(ETF)
    market.at(8, 45)
    market.buy(ETF, 10, 30_000)
    market.sell(ETF, 10, 30_000)
    market.at(9, 1)
    assert market.prints(ETF) == [(30_000, 10)]  # the regular opening auction
    assert market.state(ETF) is SymbolState.OVERHEATED
    market.buy(ETF, 5, 30_050)
    market.sell(ETF, 5, 30_050)
    assert len(market.prints(ETF)) == 1
    market.at(9, 30, 31)
    assert market.prints(ETF)[-1] == (30_050, 5)


def test_a_halted_symbol_refuses_orders_and_reopens_with_a_call_auction() -> None:
    market = continuous()
    resting = market.accepted(market.buy(KOSPI_STOCK, 10, 49_000))
    market.at(10)
    market.ex.halt(KOSPI_STOCK, "disclosure")
    assert market.statuses(KOSPI_STOCK)[-1].reason == "disclosure"
    assert market.buy(KOSPI_STOCK, 1, 49_000).reject_code == RejectCode.HALTED
    assert market.ex.modify(resting, price=49_100).reject_code == RejectCode.HALTED
    assert market.ex.modify(resting, qty=8).leaves_qty == 8
    assert market.buy(ETF, 1, 30_000).reject_code == ""
    market.at(11)
    market.ex.resume(KOSPI_STOCK)
    assert market.state(KOSPI_STOCK) is SymbolState.VI
    market.sell(KOSPI_STOCK, 8, 49_000)
    market.at(11, 9, 59)
    assert market.fills(resting) == []
    market.at(11, 10, 31)
    assert market.filled(resting) == [(8, 49_000)]
    assert market.state(KOSPI_STOCK) is SymbolState.CONTINUOUS


def test_the_first_price_after_a_halt_at_the_limit_uses_size_rounds() -> None:
    market = continuous(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    market.ex.halt("400000")
    market.ex.resume("400000")
    big = market.accepted(market.buy("400000", 5_000, 40_000))
    small = market.accepted(market.buy("400000", 150, 40_000))
    market.sell("400000", 1_000, 39_000)
    market.wait(631)
    assert sum(q for q, _ in market.filled(big)) == 850  # 100 + 500 + 250 (small got 150)
    assert market.filled(small) == [(150, 40_000)]


def test_the_first_price_after_a_circuit_breaker_at_the_limit_uses_size_rounds() -> None:
    market = continuous(extra=[instrument("400000")], ipo_offer_prices={"400000": 10_000})
    fall(market, 920.0, (10, 0, 0))
    market.at(10, 21)
    big = market.accepted(market.buy("400000", 5_000, 40_000))
    small = market.accepted(market.buy("400000", 150, 40_000))
    market.sell("400000", 1_000, 39_000)
    market.at(10, 31, 31)
    assert sum(q for q, _ in market.filled(big)) == 850
    assert market.filled(small) == [(150, 40_000)]
