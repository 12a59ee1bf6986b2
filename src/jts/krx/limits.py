"""KRX daily price limits (가격제한폭) and the narrower bands derived from them.

All arithmetic is on `int` KRW and integer percentages, never floats, following the KRX
rule as KRX.md §5 quotes it: the band width is truncated to the base price's tick first,
then each limit is truncated onto its own tick. Truncating `base * 0.7` directly is wrong
for the lower limit: it can land below -30%.
"""

from __future__ import annotations

import datetime
from typing import Final

from jts.core.enums import Market
from jts.core.errors import InvalidInput, InvalidPrice
from jts.krx.ticks import (
    TickTable,
    as_market,
    round_to_tick,
    rules_date,
    tick_of,
    tick_table,
)

_LimitEpoch = tuple[datetime.date, Market, int]

LIMIT_PERCENT_EPOCHS: Final[tuple[_LimitEpoch, ...]] = (
    (datetime.date.min, Market.KOSPI, 15),
    (datetime.date.min, Market.KOSDAQ, 15),
    (datetime.date.min, Market.KONEX, 15),
    (datetime.date(2015, 6, 15), Market.KOSPI, 30),
    (datetime.date(2015, 6, 15), Market.KOSDAQ, 30),
)
"""Daily band in percent of the base price, by market, each row in force from its date on.

KONEX has kept ±15% throughout. Leveraged ETFs multiply the band (see `price_limits`).
"""

IPO_LOWER_PERCENT: Final = 60
IPO_UPPER_PERCENT: Final = 400
"""IPO-day band, percent of the offer price (KRX page quoted in KRX.md §5)."""

SINGLE_PRICE_PERCENT: Final = 10
"""After-hours single-price band, percent of the day's close (KRX.md §2, §5)."""


def limit_percent(market: Market | str, on: datetime.date | None = None) -> int:
    """The daily band of `market` in percent of the base price on `on` (default today)."""
    day, wanted = rules_date(on), as_market(market)
    percent = 0
    for since, row_market, row_percent in LIMIT_PERCENT_EPOCHS:
        if row_market is wanted and since <= day:
            percent = row_percent
    return percent


def price_limits(
    base_price: int,
    *,
    etf: bool = False,
    market: Market | str = Market.KOSPI,
    leverage: int = 1,
    on: datetime.date | None = None,
) -> tuple[int, int]:
    """(lower, upper) daily limit prices in KRW for a listing whose base price is `base_price`.

    `base_price` is KRX's 기준가격 (normally the previous close). `leverage`, the absolute
    whole multiple of a leveraged or inverse ETF, widens the band (2 → ±60%); a band of 100%
    or more would push the lower limit to zero or below, so the lower limit never falls
    below the smallest valid price.
    """
    _require_positive("base_price", base_price)
    if leverage < 1:
        raise InvalidInput("leverage", f"{leverage} is not a leverage factor (>= 1)")
    table = tick_table(etf=etf, on=on, market=market)
    percent = limit_percent(market, on) * leverage
    lower, upper = _band(table, base_price, percent)
    return max(lower, _smallest_price(table)), upper


def ipo_price_limits(
    offer_price: int,
    *,
    etf: bool = False,
    on: datetime.date | None = None,
    market: Market | str = Market.KOSPI,
) -> tuple[int, int]:
    """(lower, upper) limits in KRW on a listing day: 60%-400% of `offer_price`, on ticks.

    Both limits lie inside the band: the lower is rounded up, the upper down. KRX.md quotes
    the 60-400% rule without a start date (the reform is reported as 2023-06-26, unverified);
    the older regime (opening price at 90-200% of the offer, then ±30%) is not modelled.
    """
    _require_positive("offer_price", offer_price)
    lowest = -(-offer_price * IPO_LOWER_PERCENT // 100)
    highest = offer_price * IPO_UPPER_PERCENT // 100
    lower = round_to_tick(lowest, mode="up", etf=etf, on=on, market=market)
    upper = round_to_tick(highest, mode="down", etf=etf, on=on, market=market)
    return lower, upper


def single_price_band(
    close: int,
    daily_lower: int,
    daily_upper: int,
    *,
    etf: bool = False,
    on: datetime.date | None = None,
    market: Market | str = Market.KOSPI,
) -> tuple[int, int]:
    """(lower, upper) in KRW for after-hours single-price trading (16:00-18:00).

    ±10% of today's `close`, clipped to the day's limits. KRX's rounding for this band is
    unverified; we apply the daily-limit algorithm, which keeps both ends on valid ticks.
    """
    _require_positive("close", close)
    if not daily_lower <= close <= daily_upper:
        raise InvalidInput(
            "close", f"{close} KRW is outside the daily limits [{daily_lower}, {daily_upper}]"
        )
    table = tick_table(etf=etf, on=on, market=market)
    lower, upper = _band(table, close, SINGLE_PRICE_PERCENT)
    return max(lower, daily_lower), min(upper, daily_upper)


def _band(table: TickTable, base: int, percent: int) -> tuple[int, int]:
    """(lower, upper) at ±`percent` % of `base` by the KRX integer algorithm (KRX.md §5)."""
    width = _truncate(table, base * percent // 100, price=base)
    upper = _truncate(table, base + width, price=base + width)
    lower = _truncate(table, base - width, price=base - width)
    return lower, upper


def _truncate(table: TickTable, amount: int, *, price: int) -> int:
    """`amount` truncated to a multiple of the tick of `price` (0 if that is <= 0)."""
    if price <= 0:
        return 0
    return amount - amount % tick_of(table, price)


def _smallest_price(table: TickTable) -> int:
    """The lowest valid price of `table`: its first tick (1 KRW, or 5 under flat ETF ticks)."""
    return table[0][1]


def _require_positive(field: str, value: int) -> None:
    if value <= 0:
        raise InvalidPrice(field, f"{value} KRW is not a price: KRX prices are >= 1 KRW")
