"""Volatility controls as data for the simulated exchange: per-stock volatility
interruption (VI, 변동성완화장치), the market-wide circuit breaker and the sidecar (KRX.md §7-8).

Rates and moves are `Decimal` fractions (0.03 = 3%) of a reference; durations are whole
seconds. Phases are the strings "continuous" (09:00-15:20 continuous trading),
"closing_auction" (15:20-15:30 call auction) and "after_hours" (16:00-18:00 single-price
rounds); a StrEnum with those values is accepted too.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import msgspec

from jts.core.enums import Market, Side
from jts.core.errors import InvalidInput, InvalidPrice
from jts.krx.ticks import round_to_tick


class ViGroup(StrEnum):
    """Which dynamic-VI rates a listing gets.

    LARGE: KOSPI200 constituents and KOSPI200/100/50, KRX100, inverse and bond ETFs.
    OTHER: every other KOSPI stock, all KOSDAQ, and leveraged, sector, foreign-index and
    commodity ETFs.
    """

    LARGE = "large"
    OTHER = "other"


VI_PHASES: Final = ("continuous", "closing_auction", "after_hours")

DYNAMIC_VI_RATES: Final = MappingProxyType(
    {
        (ViGroup.LARGE, "continuous"): Decimal("0.03"),
        (ViGroup.LARGE, "closing_auction"): Decimal("0.02"),
        (ViGroup.LARGE, "after_hours"): Decimal("0.03"),
        (ViGroup.OTHER, "continuous"): Decimal("0.06"),
        (ViGroup.OTHER, "closing_auction"): Decimal("0.04"),
        (ViGroup.OTHER, "after_hours"): Decimal("0.06"),
    }
)
"""Dynamic VI rate by (group, phase), a fraction of the last execution price."""

EXPIRY_DAY_CLOSING_VI_RATE: Final = Decimal("0.01")
"""Dynamic rate in the closing auction of a derivatives expiry day, for KOSPI200, KOSDAQ150
and sector-index constituents and single-stock-futures underlyings."""

STATIC_VI_RATE: Final = Decimal("0.10")
"""Static VI rate, a fraction of the base price or the last call-auction price."""

VI_AUCTION_SECONDS: Final = 120
"""Length of the call auction a VI switches to (or extends a running auction by)."""

VI_RANDOM_END_MAX_SECONDS: Final = 30
"""A VI auction ends at a random instant up to this many seconds after its scheduled end."""


def dynamic_vi_rate(group: ViGroup | str, phase: str, *, expiry_day: bool = False) -> Decimal:
    """The dynamic VI rate of a `group` listing in `phase`, a fraction.

    `expiry_day` means: today is a derivatives expiry day *and* the listing is one of those
    the 1% closing-auction rate covers (see `EXPIRY_DAY_CLOSING_VI_RATE`); the caller
    decides membership. It changes only the closing-auction rate.
    """
    group, phase = _as_group(group), _as_phase(phase)
    if expiry_day and phase == "closing_auction":
        return EXPIRY_DAY_CLOSING_VI_RATE
    return DYNAMIC_VI_RATES[(group, phase)]


def vi_trigger_prices(
    reference: int,
    rate: Decimal,
    *,
    etf: bool = False,
    on: datetime.date | None = None,
    market: Market | str = Market.KOSPI,
) -> tuple[int, int]:
    """(down, up) trigger prices in KRW around `reference` KRW at `rate`.

    `up` is the first valid price at or above `reference * (1 + rate)`, `down` the first at or
    below `reference * (1 - rate)`; an execution at or beyond either triggers VI. KRX's own
    rounding is unverified; this matches observed triggers at +10.0x%. `down` is 0 when no
    positive price lies that far below (a tiny `reference`): nothing can trigger downwards.
    """
    if reference <= 0:
        raise InvalidInput("reference", f"{reference} KRW is not positive")
    if not Decimal(0) < rate < Decimal(1):
        raise InvalidInput("rate", f"{rate} is not a fraction between 0 and 1")
    up_raw = int((reference * (1 + rate)).to_integral_value(rounding=ROUND_CEILING))
    down_raw = int((reference * (1 - rate)).to_integral_value(rounding=ROUND_FLOOR))
    up = round_to_tick(up_raw, mode="up", etf=etf, on=on, market=market)
    down = _tick_at_or_below(down_raw, etf=etf, on=on, market=market)
    return down, up


class CircuitBreakerStage(msgspec.Struct, frozen=True, kw_only=True):
    """One stage of the market-wide circuit breaker (per market, KOSPI and KOSDAQ apart)."""

    level: int
    min_drop: Decimal
    """Index fall from the previous close that arms the stage, a fraction (0.08 = 8%)."""
    min_further_drop: Decimal
    """Extra fall below the index level at which the previous stage fired, a fraction."""
    persistence_seconds: int
    """How long the fall must last before the stage fires."""
    halt_seconds: int
    """Trading halt (new orders refused, cancels allowed); 0 when the stage ends the day."""
    auction_seconds: int
    """Call auction that sets the first price after the halt; 0 when the day ends."""
    ends_day: bool
    """Trading ends for the day; not even cancels are accepted afterwards."""
    blocked_before_close_seconds: int
    """The stage cannot fire this close to the close (2,400 s = from 14:50 on 15:30 days)."""


CIRCUIT_BREAKER_STAGES: Final = (
    CircuitBreakerStage(
        level=1,
        min_drop=Decimal("0.08"),
        min_further_drop=Decimal(0),
        persistence_seconds=60,
        halt_seconds=1_200,
        auction_seconds=600,
        ends_day=False,
        blocked_before_close_seconds=2_400,
    ),
    CircuitBreakerStage(
        level=2,
        min_drop=Decimal("0.15"),
        min_further_drop=Decimal("0.01"),
        persistence_seconds=60,
        halt_seconds=1_200,
        auction_seconds=600,
        ends_day=False,
        blocked_before_close_seconds=2_400,
    ),
    CircuitBreakerStage(
        level=3,
        min_drop=Decimal("0.20"),
        min_further_drop=Decimal("0.01"),
        persistence_seconds=60,
        halt_seconds=0,
        auction_seconds=0,
        ends_day=True,
        blocked_before_close_seconds=0,
    ),
)
"""Circuit-breaker stages in firing order; each fires at most once a day (KRX.md §8)."""


class CircuitBreakerFiring(msgspec.Struct, frozen=True):
    """A stage that has fired today and the index level at which it fired."""

    level: int
    index: Decimal


def circuit_breaker_stage(
    index: Decimal,
    prev_close: Decimal,
    seconds_to_close: int,
    last_fired: CircuitBreakerFiring | None = None,
) -> CircuitBreakerStage | None:
    """The stage a fall of the index to `index` fires, or None.

    Call it once the fall has lasted `persistence_seconds`. Stages fire in order: the first
    stage above `last_fired` that is not blocked by `seconds_to_close` (seconds left in the
    regular session) is the only candidate, so a -21% gap fires stage 1 first. A stage after
    the first also needs the index `min_further_drop` below the level of the last stage that
    fired; when stages 1-2 were blocked late in the day, stage 3 is measured against
    whichever fired last (unverified how KRX treats that case).
    """
    if prev_close <= 0:
        raise InvalidInput("prev_close", f"{prev_close} is not a positive index level")
    fired_level = last_fired.level if last_fired else 0
    for stage in CIRCUIT_BREAKER_STAGES:
        if stage.level <= fired_level or seconds_to_close < stage.blocked_before_close_seconds:
            continue
        return stage if _stage_armed(stage, index, prev_close, last_fired) else None
    return None


def _stage_armed(
    stage: CircuitBreakerStage,
    index: Decimal,
    prev_close: Decimal,
    last_fired: CircuitBreakerFiring | None,
) -> bool:
    fell_enough = index <= prev_close * (1 - stage.min_drop)
    if last_fired is None:
        return fell_enough
    return fell_enough and index <= last_fired.index * (1 - stage.min_further_drop)


class SidecarRule(msgspec.Struct, frozen=True, kw_only=True):
    """When program trading is paused for a market (KRX.md §8)."""

    market: Market
    futures_move: Decimal
    """Move of the front futures (KOSPI200 / KOSDAQ150) from its base price, a fraction."""
    index_move: Decimal | None
    """Move the spot index (KOSDAQ150) must also make, a fraction; None when not required."""
    persistence_seconds: int = 60
    hold_seconds: int = 300
    """How long program orders on the moving side are held before they are released."""
    blocked_after_open_seconds: int = 300
    blocked_before_close_seconds: int = 2_400
    max_per_day: int = 1


SIDECAR_RULES: Final = MappingProxyType(
    {
        Market.KOSPI: SidecarRule(
            market=Market.KOSPI, futures_move=Decimal("0.05"), index_move=None
        ),
        Market.KOSDAQ: SidecarRule(
            market=Market.KOSDAQ, futures_move=Decimal("0.06"), index_move=Decimal("0.03")
        ),
    }
)
"""Sidecar rules by market; KONEX has none."""


def sidecar_held_side(
    rule: SidecarRule,
    futures_move: Decimal,
    index_move: Decimal,
    *,
    seconds_since_open: int,
    seconds_to_close: int,
    fired_today: int = 0,
) -> Side | None:
    """The program-order side the sidecar holds (BUY on a rise, SELL on a fall), or None.

    Moves are signed fractions from the base price that have lasted `persistence_seconds`.
    When `rule` also needs the index, both must move beyond their thresholds the same way.
    """
    if not _sidecar_may_fire(rule, seconds_since_open, seconds_to_close, fired_today):
        return None
    if abs(futures_move) < rule.futures_move:
        return None
    if rule.index_move is not None and not _index_confirms(
        rule.index_move, futures_move, index_move
    ):
        return None
    return Side.BUY if futures_move > 0 else Side.SELL


def _sidecar_may_fire(rule: SidecarRule, since_open: int, to_close: int, fired: int) -> bool:
    """Whether the time of day and today's count still allow the sidecar."""
    return (
        fired < rule.max_per_day
        and since_open >= rule.blocked_after_open_seconds
        and to_close >= rule.blocked_before_close_seconds
    )


def _index_confirms(threshold: Decimal, futures_move: Decimal, index_move: Decimal) -> bool:
    same_way = (futures_move > 0) == (index_move > 0)
    return same_way and abs(index_move) >= threshold


def _tick_at_or_below(
    price: int, *, etf: bool, on: datetime.date | None, market: Market | str
) -> int:
    """Largest valid price <= `price` KRW, or 0 when there is none."""
    if price <= 0:
        return 0
    try:
        return round_to_tick(price, mode="down", etf=etf, on=on, market=market)
    except InvalidPrice:
        return 0


def _as_group(group: ViGroup | str) -> ViGroup:
    try:
        return ViGroup(str(group).lower())
    except ValueError:
        valid = ", ".join(g.value for g in ViGroup)
        raise InvalidInput("group", f"{group!r} is not one of {valid}") from None


def _as_phase(phase: str) -> str:
    value = str(phase)
    if value not in VI_PHASES:
        raise InvalidInput("phase", f"{phase!r} is not one of {', '.join(VI_PHASES)}")
    return value
