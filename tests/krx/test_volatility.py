"""VI, circuit-breaker and sidecar tables (KRX.md §7-8): every row, and the small deciders."""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from jts.core.enums import Market, Side
from jts.core.errors import InvalidInput
from jts.krx.volatility import (
    CIRCUIT_BREAKER_STAGES,
    DYNAMIC_VI_RATES,
    SIDECAR_RULES,
    STATIC_VI_RATE,
    VI_AUCTION_SECONDS,
    VI_RANDOM_END_MAX_SECONDS,
    CircuitBreakerFiring,
    ViGroup,
    circuit_breaker_stage,
    dynamic_vi_rate,
    sidecar_held_side,
    vi_trigger_prices,
)

NOW = datetime.date(2025, 6, 2)
PREV = Decimal(2_500)
MIDDAY = 4 * 3600  # seconds to close at 11:30 on a 15:30 day


class Phase(StrEnum):
    CONTINUOUS = "continuous"
    CLOSING_AUCTION = "closing_auction"
    AFTER_HOURS = "after_hours"


@pytest.mark.parametrize(
    ("group", "phase", "rate"),
    [
        (ViGroup.LARGE, "continuous", "0.03"),
        (ViGroup.LARGE, "closing_auction", "0.02"),
        (ViGroup.LARGE, "after_hours", "0.03"),
        (ViGroup.OTHER, "continuous", "0.06"),
        (ViGroup.OTHER, "closing_auction", "0.04"),
        (ViGroup.OTHER, "after_hours", "0.06"),
    ],
)
def test_dynamic_vi_rate_by_group_and_phase(group: ViGroup, phase: str, rate: str) -> None:
    assert dynamic_vi_rate(group, phase) == Decimal(rate)


def test_dynamic_vi_table_has_exactly_the_six_documented_rows() -> None:
    assert len(DYNAMIC_VI_RATES) == 6


@pytest.mark.parametrize("group", list(ViGroup))
def test_expiry_day_closing_auction_rate_is_one_percent(group: ViGroup) -> None:
    assert dynamic_vi_rate(group, "closing_auction", expiry_day=True) == Decimal("0.01")


def test_expiry_day_leaves_continuous_rate_alone() -> None:
    assert dynamic_vi_rate(ViGroup.LARGE, "continuous", expiry_day=True) == Decimal("0.03")


def test_phase_may_be_a_str_enum_and_group_a_string() -> None:
    assert dynamic_vi_rate("other", Phase.CLOSING_AUCTION) == Decimal("0.04")


def test_unknown_phase_is_rejected_listing_valid_phases() -> None:
    with pytest.raises(InvalidInput, match="continuous, closing_auction, after_hours"):
        dynamic_vi_rate(ViGroup.LARGE, "lunch")


def test_unknown_group_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="group"):
        dynamic_vi_rate("huge", "continuous")


def test_static_vi_and_auction_constants() -> None:
    assert Decimal("0.10") == STATIC_VI_RATE
    assert VI_AUCTION_SECONDS == 120
    assert VI_RANDOM_END_MAX_SECONDS == 30


@pytest.mark.parametrize(
    ("reference", "rate", "down", "up"),
    [
        (10_000, "0.10", 9_000, 11_000),
        (10_010, "0.10", 9_000, 11_020),
        (19_000, "0.10", 17_100, 20_900),
        (50_000, "0.03", 48_500, 51_500),
        (10_010, "0.03", 9_700, 10_320),
        (1_999, "0.06", 1_879, 2_120),
    ],
)
def test_vi_triggers_are_the_first_ticks_at_or_beyond_the_rate(
    reference: int, rate: str, down: int, up: int
) -> None:
    assert vi_trigger_prices(reference, Decimal(rate), on=NOW) == (down, up)


def test_vi_triggers_use_the_etf_grid() -> None:
    assert vi_trigger_prices(10_010, Decimal("0.03"), etf=True, on=NOW) == (9_705, 10_315)


def test_vi_down_trigger_is_zero_when_no_price_lies_that_low() -> None:
    assert vi_trigger_prices(3, Decimal("0.10"), etf=True, on=datetime.date(2023, 1, 2))[0] == 0


@pytest.mark.parametrize("rate", ["0", "1", "-0.1"])
def test_vi_rate_outside_zero_to_one_is_rejected(rate: str) -> None:
    with pytest.raises(InvalidInput, match="rate"):
        vi_trigger_prices(10_000, Decimal(rate))


@pytest.mark.parametrize(
    ("level", "drop", "further", "halt", "auction", "ends_day", "blocked"),
    [
        (1, "0.08", "0", 1_200, 600, False, 2_400),
        (2, "0.15", "0.01", 1_200, 600, False, 2_400),
        (3, "0.20", "0.01", 0, 0, True, 0),
    ],
)
def test_circuit_breaker_stage_rows(
    level: int, drop: str, further: str, halt: int, auction: int, ends_day: bool, blocked: int
) -> None:
    stage = CIRCUIT_BREAKER_STAGES[level - 1]
    assert stage.level == level
    assert stage.min_drop == Decimal(drop)
    assert stage.min_further_drop == Decimal(further)
    assert stage.persistence_seconds == 60
    assert (stage.halt_seconds, stage.auction_seconds) == (halt, auction)
    assert stage.ends_day is ends_day
    assert stage.blocked_before_close_seconds == blocked


def test_no_stage_fires_on_a_fall_under_8_percent() -> None:
    assert circuit_breaker_stage(Decimal(2_301), PREV, MIDDAY) is None


def test_stage_1_fires_at_an_8_percent_fall() -> None:
    stage = circuit_breaker_stage(Decimal(2_300), PREV, MIDDAY)
    assert stage is not None
    assert stage.level == 1


def test_stages_fire_in_order_even_on_a_deep_gap() -> None:
    stage = circuit_breaker_stage(Decimal(1_900), PREV, MIDDAY)
    assert stage is not None
    assert stage.level == 1


def test_stage_2_needs_15_percent_and_1_percent_below_stage_1() -> None:
    fired = CircuitBreakerFiring(level=1, index=Decimal(2_100))  # stage 1 fired late, at -16%
    assert circuit_breaker_stage(Decimal(2_100), PREV, MIDDAY, fired) is None
    assert circuit_breaker_stage(Decimal(2_080), PREV, MIDDAY, fired) is None
    stage = circuit_breaker_stage(Decimal(2_079), PREV, MIDDAY, fired)
    assert stage is not None
    assert stage.level == 2


def test_stage_3_fires_at_20_percent_after_stage_2() -> None:
    fired = CircuitBreakerFiring(level=2, index=Decimal(2_125))
    stage = circuit_breaker_stage(Decimal(2_000), PREV, MIDDAY, fired)
    assert stage is not None
    assert stage.ends_day


def test_each_stage_fires_at_most_once_and_nothing_follows_stage_3() -> None:
    fired = CircuitBreakerFiring(level=3, index=Decimal(2_000))
    assert circuit_breaker_stage(Decimal(1_000), PREV, MIDDAY, fired) is None


def test_stages_1_and_2_cannot_fire_in_the_last_40_minutes() -> None:
    assert circuit_breaker_stage(Decimal(2_200), PREV, 2_399) is None
    assert circuit_breaker_stage(Decimal(2_200), PREV, 2_400) is not None


def test_stage_3_can_fire_in_the_last_40_minutes() -> None:
    stage = circuit_breaker_stage(Decimal(1_990), PREV, 600)
    assert stage is not None
    assert stage.level == 3


def test_circuit_breaker_rejects_a_non_positive_previous_close() -> None:
    with pytest.raises(InvalidInput, match="prev_close"):
        circuit_breaker_stage(Decimal(1), Decimal(0), MIDDAY)


@pytest.mark.parametrize(
    ("market", "futures_move", "index_move"),
    [(Market.KOSPI, "0.05", None), (Market.KOSDAQ, "0.06", "0.03")],
)
def test_sidecar_rule_rows(market: Market, futures_move: str, index_move: str | None) -> None:
    rule = SIDECAR_RULES[market]
    assert rule.futures_move == Decimal(futures_move)
    assert rule.index_move == (Decimal(index_move) if index_move else None)
    assert (rule.persistence_seconds, rule.hold_seconds) == (60, 300)
    assert (rule.blocked_after_open_seconds, rule.blocked_before_close_seconds) == (300, 2_400)
    assert rule.max_per_day == 1


def test_konex_has_no_sidecar() -> None:
    assert Market.KONEX not in SIDECAR_RULES


def _held(market: Market, futures: str, index: str = "0", **kwargs: int) -> Side | None:
    window = {"seconds_since_open": 3_600, "seconds_to_close": MIDDAY} | kwargs
    return sidecar_held_side(SIDECAR_RULES[market], Decimal(futures), Decimal(index), **window)


def test_kospi_sidecar_holds_program_buys_on_a_5_percent_rise() -> None:
    assert _held(Market.KOSPI, "0.05") is Side.BUY
    assert _held(Market.KOSPI, "-0.05") is Side.SELL
    assert _held(Market.KOSPI, "0.0499") is None


def test_kosdaq_sidecar_needs_the_index_to_confirm_the_same_way() -> None:
    assert _held(Market.KOSDAQ, "-0.06", "-0.03") is Side.SELL
    assert _held(Market.KOSDAQ, "-0.06", "-0.029") is None
    assert _held(Market.KOSDAQ, "-0.06", "0.03") is None


def test_sidecar_is_blocked_near_the_open_and_close_and_after_firing() -> None:
    assert _held(Market.KOSPI, "0.06", seconds_since_open=299) is None
    assert _held(Market.KOSPI, "0.06", seconds_to_close=2_399) is None
    assert _held(Market.KOSPI, "0.06", fired_today=1) is None
