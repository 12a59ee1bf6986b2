"""What each symbol's agents know before the day starts, and the knobs of the whole flow.

Why a plan: the agents (`agents.py`) act hundreds of thousands of times a day, so everything
that does not change during the day is computed once per symbol here — the ladder of valid
prices inside the daily limits, the latent price path, the activity level, the target spread,
the order sizes — from the synthetic market's day (`LatentDay`) and the exchange's rules.
Liquidity is the log of the day's synthetic traded value mapped onto [0, 1] (100 million KRW
→ 0, 1 trillion KRW → 1); it sets the number of arrivals, spreads, quote sizes and requote
periods. Units: prices KRW, sizes shares, times ns UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import numpy as np

from jts.core.errors import InvalidInput
from jts.krx.ticks import TickTable, tick_table
from jts.venues.sim.exchange import SimExchange

__all__ = [
    "MINUTE_NS",
    "FlowConfig",
    "LatentDay",
    "SymbolPlan",
    "plan_symbol",
    "valid_prices",
    "widening",
]

Array = np.ndarray[Any, Any]

MINUTE_NS: Final = 60_000_000_000
_LIQUID_VALUE: Final = (8.0, 12.0)
"""log10 of daily traded KRW mapped to liquidity 0 and 1."""


class FlowConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How much and what kind of background flow the agents send (defaults: a plausible day).

    Activity: a symbol trading the median daily value (`median_value_krw`, KRW) gets
    `orders_per_day` noise arrivals; others scale with value ** `liquidity_exponent`, clipped
    to [`min_orders_per_day`, `max_orders_per_day`]. Momentum and each auction's intake add
    `momentum_share` / `auction_share` of that; `closing_price_orders` and
    `after_hours_orders` are mean counts per session. Spreads: a target in basis points from
    `spread_bps_liquid` to `spread_bps_illiquid`, times 1 + `open_widening` (decaying over
    `widening_minutes` after the open) + `close_widening` (rising into the close). Sizes:
    log-normal with `size_sigma`, median so that the flow roughly trades the synthetic volume,
    capped at `max_order_value_krw`. Noise arrivals are passive limits (`passive_share`),
    marketable limits (`marketable_share`) or IOC market orders (the rest); at most
    `max_resting_noise` passive orders per symbol are kept working (older ones are cancelled).
    `refill_ms`: makers' reaction time after a fill;
    requote timers tick every `requote_s_liquid`..`requote_s_illiquid` seconds.
    """

    orders_per_day: int = 400
    min_orders_per_day: int = 150
    max_orders_per_day: int = 2_000
    median_value_krw: float = 4e9
    liquidity_exponent: float = 0.25
    makers_per_side: int = 3
    spread_bps_liquid: float = 6.0
    spread_bps_illiquid: float = 50.0
    open_widening: float = 2.0
    close_widening: float = 1.0
    widening_minutes: float = 15.0
    passive_share: float = 0.55
    marketable_share: float = 0.30
    momentum_share: float = 0.12
    auction_share: float = 0.06
    closing_price_orders: float = 3.0
    after_hours_orders: float = 4.0
    max_resting_noise: int = 40
    size_sigma: float = 0.9
    max_order_value_krw: int = 100_000_000
    refill_ms: int = 1_000
    requote_s_liquid: float = 10.0
    requote_s_illiquid: float = 60.0

    def __post_init__(self) -> None:
        if not 0 < self.min_orders_per_day <= self.max_orders_per_day:
            raise InvalidInput("orders_per_day", "need 0 < min_orders_per_day <= max")
        if self.makers_per_side < 1 or self.max_resting_noise < 1:
            raise InvalidInput("makers_per_side", "makers and resting caps must be >= 1")
        if not 0 <= self.passive_share + self.marketable_share <= 1:
            raise InvalidInput("passive_share", "passive + marketable shares must be in [0, 1]")


def valid_prices(lower: int, upper: int, table: TickTable) -> list[int]:
    """Every valid price in KRW from `lower` to `upper` (both on the grid), ascending.

    Why a ladder: agents move quotes by whole ticks across tick-band boundaries and snap
    any price with one bisect, so nothing they send can be off its tick (KRX.md §4).
    """
    prices: list[int] = []
    floor = 0
    for bound, tick in table:
        lo, hi = max(lower, floor), min(upper, bound - 1)
        if lo <= hi:
            prices.extend(range(-(-lo // tick) * tick, hi + 1, tick))
        if bound > upper:
            break
        floor = bound
    return prices


@dataclass(frozen=True, slots=True)
class SymbolPlan:
    """What one symbol's agents know before the day starts (built by `plan_symbol`).

    `ladder`: valid prices (KRW) inside the daily limits. `opens`/`closes`: the latent path per
    bar slot (slot 0 the opening auction, 1..`minutes` the continuous minutes starting at
    `t0` ns UTC, the last the closing auction), KRW floats. `orders_per_day`: noise arrivals
    expected today; `liquidity`: 0 (thinnest) to 1 (most traded). `half_ticks`: half the target
    spread in ticks; `gap`: ticks between a maker's levels; `tolerance`: ticks the latent
    price (or a quote) may drift before the makers requote — level j tolerates j more.
    Sizes in shares: `order_size` (median noise order), `quote_size` (a maker's first
    level), `skew_unit` (inventory per tick of skew). `passive_ticks`: mean distance of
    passive noise orders; `auction_ticks`: spread of auction limit prices around the latent
    price. `open_buy`/`close_buy`: chance an auction arrival buys. `momentum_threshold`:
    return that makes momentum traders act. `refill_ns`: makers' delay after a fill.
    """

    symbol: str
    lot: int
    ladder: list[int]
    opens: list[float]
    closes: list[float]
    t0: int
    minutes: int
    orders_per_day: int
    liquidity: float
    half_ticks: float
    gap: int
    tolerance: int
    order_size: int
    quote_size: int
    skew_unit: int
    passive_ticks: float
    auction_ticks: int
    open_buy: float
    close_buy: float
    momentum_threshold: float
    refill_ns: int


@dataclass(frozen=True, slots=True)
class LatentDay:
    """The synthetic market's day, which the agents follow (rows = symbols).

    `index`: each symbol's position in its universe (keys its random stream). `slot_ts`: start
    of each bar slot in int ns UTC — the opening auction, every continuous minute, the closing
    auction. `open`/`close` (rows, slots): the latent price path in KRW; `volume` (rows,
    slots): synthetic shares per slot, which sets each minute's activity.
    """

    symbols: tuple[str, ...]
    index: Array
    slot_ts: Array
    open: Array
    close: Array
    volume: Array


def plan_symbol(
    exchange: SimExchange,
    latent: LatentDay,
    row: int,
    config: FlowConfig,
    rng: np.random.Generator,
) -> SymbolPlan:
    """One symbol's plan: its valid prices, activity, spread and sizes from the latent day."""
    symbol = latent.symbols[row]
    rules = exchange.market(symbol).rules
    market = rules.instrument.market
    ladder = valid_prices(
        rules.lower, rules.upper, tick_table(etf=rules.etf_ticks, on=rules.day, market=market)
    )
    price, lot = float(rules.base_price), rules.instrument.lot_size
    liquidity, orders, order_size = _activity(config, float(latent.volume[row].sum()), price, lot)
    tick = rules.tick(rules.base_price) / price
    spread_bps = config.spread_bps_illiquid + liquidity * (
        config.spread_bps_liquid - config.spread_bps_illiquid
    )
    half_ticks = max(0.5, spread_bps / 2e4 / tick)
    bias = rng.uniform(-0.25, 0.25, 2)
    return SymbolPlan(
        symbol=symbol,
        lot=lot,
        ladder=ladder,
        opens=latent.open[row].tolist(),
        closes=latent.close[row].tolist(),
        t0=int(latent.slot_ts[1]),
        minutes=len(latent.slot_ts) - 2,
        orders_per_day=orders,
        liquidity=liquidity,
        half_ticks=half_ticks,
        gap=max(1, round(half_ticks / 2)),
        tolerance=int(half_ticks / 3),
        order_size=order_size,
        quote_size=max(lot, int(order_size * (1.0 + 2.0 * liquidity)) // lot * lot),
        skew_unit=max(lot, 10 * order_size),
        passive_ticks=2.0 + 2.0 * half_ticks,
        auction_ticks=max(3, round(0.01 / tick)),
        open_buy=0.5 + float(bias[0]),
        close_buy=0.5 + float(bias[1]),
        momentum_threshold=max(3.0 * tick, 0.002),
        refill_ns=config.refill_ms * 1_000_000,
    )


def _activity(config: FlowConfig, volume: float, price: float, lot: int) -> tuple[float, int, int]:
    """(liquidity 0-1, noise arrivals, median order in shares) of a symbol trading `volume`
    shares at about `price` KRW today: orders such that the flow roughly trades the volume."""
    value = max(volume * price, 1.0)
    lo, hi = _LIQUID_VALUE
    liquidity = min(max((math.log10(value) - lo) / (hi - lo), 0.0), 1.0)
    scaled = config.orders_per_day * (value / config.median_value_krw) ** config.liquidity_exponent
    orders = int(min(max(scaled, config.min_orders_per_day), config.max_orders_per_day))
    cap = max(config.max_order_value_krw / price, lot)
    order_size = int(min(max(2.0 * volume / orders, lot), cap)) // lot * lot or lot
    return liquidity, orders, order_size


def widening(config: FlowConfig, minutes: int) -> list[float]:
    """Spread multiplier per continuous minute: wide after the open, wider into the close."""
    k = np.arange(max(minutes, 1), dtype=np.float64)
    tau = config.widening_minutes
    factor = 1.0 + config.open_widening * np.exp(-k / tau)
    factor += config.close_widening * np.exp(-(k[-1] - k) / tau)
    values: list[float] = factor.tolist()
    return values
