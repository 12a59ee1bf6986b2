"""Volatility interruption bands per symbol (KRX.md §7) and the market-wide circuit breaker
and sidecar (§8) as the simulated exchange runs them."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import NS_PER_SECOND, kst_ns
from jts.core.enums import InstrumentKind, Market, Side
from jts.core.models import Instrument
from jts.krx.sessions import Phase
from jts.krx.ticks import round_to_tick
from jts.krx.volatility import SIDECAR_RULES, ViGroup
from jts.venues.sim.controls import CircuitBreaker, Sidecar, ViBand
from jts.venues.sim.rules import SymbolRules, symbol_rules

DAY = date(2026, 3, 5)
STOCK = Instrument(symbol="005930", name="Samsung Elec", market=Market.KOSPI)
P = Phase
S = NS_PER_SECOND


def vi(
    base: int = 10_000,
    group: ViGroup = ViGroup.OTHER,
    *,
    ipo_offer_price: int | None = None,
    static_vi: bool = True,
    instrument: Instrument = STOCK,
) -> ViBand:
    rules = symbol_rules(
        instrument,
        DAY,
        base,
        ipo_offer_price=ipo_offer_price,
        vi_group=group,
        static_vi=static_vi,
    )
    return ViBand(rules)


def at(hhmmss: str) -> int:
    return kst_ns(DAY, time.fromisoformat(hhmmss))


# -- dynamic VI ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "phase", "band"),
    [
        (ViGroup.LARGE, P.CONTINUOUS, (9_710, 10_290)),  # 3%
        (ViGroup.OTHER, P.CONTINUOUS, (9_410, 10_590)),  # 6%
        (ViGroup.LARGE, P.CLOSING_AUCTION, (9_810, 10_190)),  # 2%
        (ViGroup.OTHER, P.CLOSING_AUCTION, (9_610, 10_390)),  # 4%
        (ViGroup.LARGE, P.AFTER_HOURS, (9_710, 10_290)),  # 3%
        (ViGroup.OTHER, P.AFTER_HOURS, (9_410, 10_590)),  # 6%
    ],
)
def test_dynamic_band_sits_strictly_inside_the_triggers(
    group: ViGroup, phase: Phase, band: tuple[int, int]
) -> None:
    assert vi(group=group).band(phase, 10_000) == band


def test_dynamic_band_follows_the_last_execution_price() -> None:
    assert vi(group=ViGroup.LARGE).band(P.CONTINUOUS, 10_200) == (9_900, 10_500)


def test_no_execution_yet_measures_the_dynamic_band_from_the_base() -> None:
    band = vi(group=ViGroup.LARGE)
    assert band.band(P.CONTINUOUS, 0) == band.band(P.CONTINUOUS, 10_000)


def test_expiry_day_closing_auction_band_is_one_percent() -> None:
    band = vi(group=ViGroup.LARGE).band(P.CLOSING_AUCTION, 10_000, expiry_day=True)
    assert band == (9_910, 10_090)


def test_an_execution_at_the_dynamic_trigger_fires_dynamic_vi() -> None:
    band = vi(group=ViGroup.LARGE)
    assert band.trigger(10_300, P.CONTINUOUS, 10_000) == "dynamic_vi"
    assert band.trigger(9_700, P.CONTINUOUS, 10_000) == "dynamic_vi"
    assert band.trigger(10_290, P.CONTINUOUS, 10_000) == ""


@pytest.mark.parametrize("phase", [P.PRE_OPEN_CLOSING_PRICE, P.POST_CLOSE_CLOSING_PRICE])
def test_closing_price_sessions_have_no_vi(phase: Phase) -> None:
    band = vi()
    assert band.band(phase, 10_000) == (7_000, 13_000)
    assert band.trigger(12_000, phase, 10_000) == ""


# -- static VI ----------------------------------------------------------------------------------


def test_opening_auction_has_only_the_static_band_around_the_base() -> None:
    assert vi().band(P.OPENING_AUCTION, 0) == (9_010, 10_990)


def test_static_band_caps_a_dynamic_band_that_drifted_past_it() -> None:
    assert vi().band(P.CONTINUOUS, 10_800) == (10_160, 10_990)


def test_static_reference_is_the_base_until_an_auction_prints() -> None:
    assert vi(base=25_000).static_reference == 25_000


def test_an_auction_print_moves_the_static_reference() -> None:
    band = vi()
    band.auction_printed(11_500)
    assert band.static_reference == 11_500
    assert band.band(P.OPENING_AUCTION, 11_500) == (10_360, 12_640)


def test_static_vi_fires_again_at_each_further_ten_percent_step() -> None:
    band = vi()
    assert band.trigger(11_000, P.CONTINUOUS, 10_900) == "static_vi"
    band.auction_printed(11_000)
    assert band.trigger(11_000, P.CONTINUOUS, 10_900) == ""
    assert band.trigger(12_100, P.CONTINUOUS, 12_000) == "static_vi"
    band.auction_printed(12_100)
    assert band.trigger(13_310, P.CONTINUOUS, 13_200) == "static_vi"


def test_static_wins_when_both_fire() -> None:
    assert vi().trigger(11_200, P.CONTINUOUS, 10_500) == "static_vi"


def test_static_vi_is_not_applied_after_hours() -> None:
    band = vi()
    band.auction_printed(10_000)
    assert band.trigger(11_000, P.AFTER_HOURS, 10_500) == ""


def test_static_vi_can_be_switched_off_per_symbol() -> None:
    band = vi(static_vi=False)
    assert band.band(P.OPENING_AUCTION, 0) == (7_000, 13_000)
    assert band.band(P.CONTINUOUS, 10_800) == (10_160, 11_440)


def test_a_price_outside_only_the_daily_limits_is_no_vi() -> None:
    band = vi()  # limits 7,000 / 13,000
    band.auction_printed(12_900)
    assert band.band(P.CONTINUOUS, 12_950)[1] == 13_000
    assert band.trigger(13_100, P.CONTINUOUS, 12_950) == ""


# -- IPO day ------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", [P.OPENING_AUCTION, P.CONTINUOUS, P.CLOSING_AUCTION])
def test_ipo_day_has_no_vi_only_the_ipo_limits(phase: Phase) -> None:
    band = vi(ipo_offer_price=10_000)
    assert band.band(phase, 10_000) == (6_000, 40_000)
    assert band.trigger(30_000, phase, 10_000) == ""


# -- the band as a property ---------------------------------------------------------------------

phases = st.sampled_from(list(Phase))
groups = st.sampled_from(list(ViGroup))
kinds = st.sampled_from([InstrumentKind.STOCK, InstrumentKind.ETF])


def _valid_inside(rules: SymbolRules, raw: int) -> int:
    """A valid price inside the limits, from an arbitrary positive integer."""
    price = min(max(raw, rules.lower), rules.upper)
    down = round_to_tick(
        price, mode="down", etf=rules.etf_ticks, on=rules.day, market=rules.instrument.market
    )
    return max(down, rules.lower)


@given(
    st.integers(min_value=1, max_value=3_000_000),
    st.integers(min_value=1, max_value=4_000_000),
    phases,
    groups,
    kinds,
    st.booleans(),
)
def test_band_holds_the_last_price_and_its_ends_are_valid_prices_inside_the_limits(
    base: int, raw_last: int, phase: Phase, group: ViGroup, kind: InstrumentKind, expiry: bool
) -> None:
    instrument = Instrument(symbol="069500", name="x", market=Market.KOSPI, kind=kind)
    band = vi(base, group, instrument=instrument)
    rules = band.rules
    last = _valid_inside(rules, raw_last)
    lo_static, hi_static = band.static_triggers(Phase.CONTINUOUS)
    if not lo_static < last < hi_static:
        band.auction_printed(last)  # a reachable state: that far from base only via an auction
    lo, hi = band.band(phase, last, expiry_day=expiry)
    assert lo <= last <= hi
    assert rules.lower <= lo
    assert hi <= rules.upper
    assert rules.valid_price(lo)
    assert rules.valid_price(hi)
    assert band.trigger(last, phase, last) == ""


# -- circuit breaker ----------------------------------------------------------------------------

PREV = 2_500.0
CLOSE = at("15:30")


def breaker() -> CircuitBreaker:
    return CircuitBreaker(Market.KOSPI, PREV, CLOSE)


def test_stage_one_needs_the_fall_to_last_sixty_seconds() -> None:
    cb = breaker()
    assert cb.observe(at("10:00:00"), 2_290.0) is None  # -8.4%
    assert cb.observe(at("10:00:59"), 2_290.0) is None
    stage = cb.observe(at("10:01:00"), 2_290.0)
    assert stage is not None
    assert stage.level == 1
    assert cb.stage == 1


def test_a_recovery_restarts_the_minute() -> None:
    cb = breaker()
    cb.observe(at("10:00:00"), 2_290.0)
    cb.observe(at("10:00:30"), 2_400.0)
    assert cb.observe(at("10:01:00"), 2_290.0) is None
    assert cb.observe(at("10:01:59"), 2_290.0) is None
    assert cb.observe(at("10:02:00"), 2_290.0) is not None


def test_stage_one_halts_twenty_minutes_then_a_ten_minute_auction() -> None:
    cb = breaker()
    cb.observe(at("10:00:00"), 2_290.0)
    cb.observe(at("10:01:00"), 2_290.0)
    assert cb.halted_until_ns == at("10:21:00")
    assert cb.auction_until_ns == at("10:31:00")
    assert not cb.day_ended


def test_stage_one_fires_once_a_day() -> None:
    cb = breaker()
    cb.observe(at("10:00:00"), 2_290.0)
    cb.observe(at("10:01:00"), 2_290.0)
    fired = [cb.observe(at("11:00:00") + k * 10 * S, 2_280.0) for k in range(30)]
    assert fired == [None] * 30
    assert cb.stage == 1


def test_stage_one_is_blocked_from_1450() -> None:
    cb = breaker()
    cb.observe(at("14:49:00"), 2_290.0)
    assert cb.observe(at("14:50:00"), 2_290.0) is None
    assert cb.observe(at("14:55:00"), 2_290.0) is None


def test_stage_one_may_still_fire_just_before_1450() -> None:
    cb = breaker()
    cb.observe(at("14:48:59"), 2_290.0)
    assert cb.observe(at("14:49:59"), 2_290.0) is not None


def test_stage_two_needs_a_further_one_percent_below_stage_one() -> None:
    cb = breaker()
    cb.observe(at("10:00:00"), 2_112.5)  # -15.5%: stage 1 fires first
    cb.observe(at("10:01:00"), 2_112.5)
    cb.observe(at("10:31:00"), 2_100.0)  # -16%, but only 0.6% below stage 1's level
    assert cb.observe(at("10:32:00"), 2_100.0) is None
    cb.observe(at("10:33:00"), 2_090.0)  # 1.06% below
    stage = cb.observe(at("10:34:00"), 2_090.0)
    assert stage is not None
    assert stage.level == 2


def test_falls_during_the_halt_do_not_count() -> None:
    cb = breaker()
    cb.observe(at("10:00:00"), 2_112.5)
    cb.observe(at("10:01:00"), 2_112.5)
    cb.observe(at("10:05:00"), 2_000.0)
    assert cb.observe(at("10:20:59"), 2_000.0) is None
    assert cb.observe(at("10:21:00"), 2_000.0) is None  # the minute starts after the halt
    assert cb.observe(at("10:22:00"), 2_000.0) is not None


def test_stage_three_ends_the_day_and_may_fire_after_1450() -> None:
    cb = breaker()
    cb.observe(at("15:00:00"), 1_990.0)  # -20.4%; stages 1-2 are blocked now
    stage = cb.observe(at("15:01:00"), 1_990.0)
    assert stage is not None
    assert stage.level == 3
    assert cb.day_ended
    assert cb.observe(at("15:10:00"), 1_000.0) is None


def test_breaker_accepts_decimal_levels() -> None:
    cb = CircuitBreaker(Market.KOSDAQ, Decimal("800.00"), CLOSE)
    cb.observe(at("10:00:00"), Decimal("736.00"))  # exactly -8%
    assert cb.observe(at("10:01:00"), Decimal("736.00")) is not None


# -- sidecar ------------------------------------------------------------------------------------

UP, DOWN, FLAT = Decimal("0.051"), Decimal("-0.051"), Decimal(0)


def kospi_sidecar() -> Sidecar:
    return Sidecar(SIDECAR_RULES[Market.KOSPI], at("09:00"), CLOSE)


def test_sidecar_fires_after_a_minute_and_holds_program_buys() -> None:
    car = kospi_sidecar()
    assert car.observe(at("10:00:00"), UP, FLAT) is None
    assert car.observe(at("10:00:59"), UP, FLAT) is None
    assert car.observe(at("10:01:00"), UP, FLAT) is Side.BUY
    assert car.held_side(at("10:01:00")) is Side.BUY


def test_sidecar_on_a_fall_holds_program_sells() -> None:
    car = kospi_sidecar()
    car.observe(at("10:00:00"), DOWN, FLAT)
    assert car.observe(at("10:01:00"), DOWN, FLAT) is Side.SELL


def test_sidecar_releases_after_five_minutes() -> None:
    car = kospi_sidecar()
    car.observe(at("10:00:00"), UP, FLAT)
    car.observe(at("10:01:00"), UP, FLAT)
    assert car.held_side(at("10:05:59")) is Side.BUY
    assert car.held_side(at("10:06:00")) is None


def test_sidecar_fires_once_a_day() -> None:
    car = kospi_sidecar()
    car.observe(at("10:00:00"), UP, FLAT)
    car.observe(at("10:01:00"), UP, FLAT)
    car.observe(at("11:00:00"), DOWN, FLAT)
    assert car.observe(at("11:01:00"), DOWN, FLAT) is None
    assert car.held_side(at("11:01:00")) is None


def test_sidecar_does_not_fire_in_the_first_five_minutes() -> None:
    car = kospi_sidecar()
    car.observe(at("09:00:00"), UP, FLAT)
    assert car.observe(at("09:04:59"), UP, FLAT) is None
    assert car.observe(at("09:05:00"), UP, FLAT) is None  # the minute starts at 09:05
    assert car.observe(at("09:06:00"), UP, FLAT) is Side.BUY


def test_sidecar_does_not_fire_in_the_last_forty_minutes() -> None:
    car = kospi_sidecar()
    car.observe(at("14:49:30"), UP, FLAT)
    assert car.observe(at("14:50:30"), UP, FLAT) is None


def test_kosdaq_sidecar_needs_the_index_to_confirm() -> None:
    car = Sidecar(SIDECAR_RULES[Market.KOSDAQ], at("09:00"), CLOSE)
    futures = Decimal("-0.061")
    car.observe(at("10:00:00"), futures, Decimal("-0.02"))
    assert car.observe(at("10:01:00"), futures, Decimal("-0.02")) is None
    car.observe(at("10:02:00"), futures, Decimal("-0.031"))
    assert car.observe(at("10:03:00"), futures, Decimal("-0.031")) is Side.SELL
