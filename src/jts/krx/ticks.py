"""KRX tick sizes (호가가격단위), date-effective, and rounding prices onto the tick grid.

Prices are `int` KRW. The tick of a price depends on the price itself (KRX.md §4), so a
price is valid when it is a multiple of its *own* tick. Each table is a tuple of
`(upper_bound_exclusive, tick)` rows; the last row's bound is `_NO_CEILING`. Every table
is nested: each tick divides the next larger one and every band boundary is a multiple of
the tick above it. The rounding and the limit algorithm rely on that; a test pins it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, TypeVar

from jts.core.clock import kst_today
from jts.core.enums import Market
from jts.core.errors import InvalidInput, InvalidPrice

TickTable = tuple[tuple[int, int], ...]
_T = TypeVar("_T")

_NO_CEILING: Final = 2**63

STOCK_TICKS: Final[TickTable] = (
    (2_000, 1),
    (5_000, 5),
    (20_000, 10),
    (50_000, 50),
    (200_000, 100),
    (500_000, 500),
    (_NO_CEILING, 1_000),
)
"""All stock markets since 2023-01-25 (KRX.md §4)."""

KOSPI_TICKS_PRE_2023: Final[TickTable] = (
    (1_000, 1),
    (5_000, 5),
    (10_000, 10),
    (50_000, 50),
    (100_000, 100),
    (500_000, 500),
    (_NO_CEILING, 1_000),
)
"""KOSPI stocks before 2023-01-25, for backtests."""

# Unverified: KRX.md reports KOSDAQ capped the tick at 100 for prices >= 50,000 before
# 2023-01-25; KONEX is assumed to have used the KOSDAQ table.
KOSDAQ_TICKS_PRE_2023: Final[TickTable] = (
    (1_000, 1),
    (5_000, 5),
    (10_000, 10),
    (50_000, 50),
    (_NO_CEILING, 100),
)
"""KOSDAQ and KONEX stocks before 2023-01-25, for backtests (unverified, see above)."""

ETF_TICKS: Final[TickTable] = ((2_000, 1), (_NO_CEILING, 5))
"""ETF/ETN since `ETF_TICKS_SINCE`."""

ETF_TICKS_FLAT: Final[TickTable] = ((_NO_CEILING, 5),)
"""ETF/ETN before `ETF_TICKS_SINCE`: a flat 5 KRW."""

UNIFIED_STOCK_TICKS_SINCE: Final = datetime.date(2023, 1, 25)

ETF_TICKS_SINCE: Final = datetime.date(2023, 12, 18)
"""First day of the 1-KRW ETF/ETN tick below 2,000 KRW.

The October 2023 announcement was reported as both Dec 8 and Dec 18 (unverified which).
We take Dec 18 (a Monday, when KRX usually switches rules) because it is the safe error:
every price on the old flat 5-KRW grid is also valid on the new grid, so in the disputed
window we never accept a price that either rule would reject.
"""

_StockEpoch = tuple[datetime.date, Mapping[Market, TickTable]]

STOCK_TICK_EPOCHS: Final[tuple[_StockEpoch, ...]] = (
    (
        datetime.date.min,
        MappingProxyType(
            {
                Market.KOSPI: KOSPI_TICKS_PRE_2023,
                Market.KOSDAQ: KOSDAQ_TICKS_PRE_2023,
                Market.KONEX: KOSDAQ_TICKS_PRE_2023,
            }
        ),
    ),
    (UNIFIED_STOCK_TICKS_SINCE, MappingProxyType(dict.fromkeys(Market, STOCK_TICKS))),
)
"""Stock tick tables by market, each row in force from its date until the next row's."""

ETF_TICK_EPOCHS: Final[tuple[tuple[datetime.date, TickTable], ...]] = (
    (datetime.date.min, ETF_TICKS_FLAT),
    (ETF_TICKS_SINCE, ETF_TICKS),
)
"""ETF/ETN tick tables (KOSPI-listed, so no market column)."""

ROUNDING_MODES: Final = ("down", "up", "nearest")


def rules_date(on: datetime.date | None) -> datetime.date:
    """The date whose rules apply: `on`, or today in Korea (KST) when `on` is None."""
    return on if on is not None else kst_today()


def as_market(market: Market | str) -> Market:
    """`market` as a `Market`; accepts the enum or its name in any case."""
    try:
        return Market(str(market).upper())
    except ValueError:
        valid = ", ".join(m.value for m in Market)
        raise InvalidInput("market", f"{market!r} is not one of {valid}") from None


def tick_table(
    *, etf: bool = False, on: datetime.date | None = None, market: Market | str = Market.KOSPI
) -> TickTable:
    """The tick table in force on `on` (default: today) for stocks of `market`, or ETF/ETN."""
    day = rules_date(on)
    if etf:
        return _in_force(ETF_TICK_EPOCHS, day)
    return _in_force(STOCK_TICK_EPOCHS, day)[as_market(market)]


def tick_of(table: TickTable, price: int) -> int:
    """The tick in KRW of `price` under `table` (no validation: callers check price > 0)."""
    for upper, tick in table:
        if price < upper:
            return tick
    return table[-1][1]


def tick_size(
    price: int,
    *,
    etf: bool = False,
    on: datetime.date | None = None,
    market: Market | str = Market.KOSPI,
) -> int:
    """Tick in KRW for an order quoted at `price` KRW; raises `InvalidPrice` if price <= 0."""
    _require_positive(price)
    return tick_of(tick_table(etf=etf, on=on, market=market), price)


def is_valid_price(
    price: int,
    *,
    etf: bool = False,
    on: datetime.date | None = None,
    market: Market | str = Market.KOSPI,
) -> bool:
    """Whether `price` KRW lies on its own tick grid; False (never raises) for price <= 0."""
    if price <= 0:
        return False
    return price % tick_of(tick_table(etf=etf, on=on, market=market), price) == 0


def round_to_tick(
    price: int,
    *,
    mode: str = "down",
    etf: bool = False,
    on: datetime.date | None = None,
    market: Market | str = Market.KOSPI,
) -> int:
    """The valid price nearest `price` KRW in direction `mode`.

    "down" is the largest valid price <= `price` (for a buy that must not pay more), "up" the
    smallest valid price >= `price`, "nearest" the closer of the two with ties going up.
    The result lies on its own band's grid: 20,030 down is 20,000 and 19,996 up is 20,000.
    Raises `InvalidPrice` for price <= 0 or when no valid price lies at or below `price`
    (e.g. 3 KRW down under the flat 5-KRW ETF table), `InvalidInput` for an unknown mode.
    """
    if mode not in ROUNDING_MODES:
        raise InvalidInput("mode", f"{mode!r} is not one of {', '.join(ROUNDING_MODES)}")
    _require_positive(price)
    table = tick_table(etf=etf, on=on, market=market)
    if mode == "up":
        return _ceil_on(table, price)
    down = _floor_on(table, price)
    if mode == "down":
        return _require_reachable(down, price)
    up = _ceil_on(table, price)
    return down if down > 0 and price - down < up - price else up


def _in_force(epochs: tuple[tuple[datetime.date, _T], ...], day: datetime.date) -> _T:
    """The value of the last row of `epochs` (sorted by date) that starts on or before `day`."""
    current = epochs[0][1]
    for since, value in epochs:
        if since <= day:
            current = value
    return current


def _floor_on(table: TickTable, price: int) -> int:
    """Largest valid price <= `price`; 0 when none. Nested tables keep it on its own grid."""
    return price - price % tick_of(table, price)


def _ceil_on(table: TickTable, price: int) -> int:
    """Smallest valid price >= `price`; a band boundary is a multiple of the tick below it."""
    tick = tick_of(table, price)
    return -(-price // tick) * tick


def _require_positive(price: int) -> None:
    if price <= 0:
        raise InvalidPrice("price", f"{price} KRW is not a price: KRX prices are >= 1 KRW")


def _require_reachable(down: int, price: int) -> int:
    if down <= 0:
        raise InvalidPrice("price", f"no valid price at or below {price} KRW")
    return down
