"""KRX market rules as data and code: ticks, limits, costs, calendar, sessions, VI and CB.

Everything else in JTS asks this package; nothing hard-codes a tick, a tax rate or a session
time. Rules that change over time are dated tables, so backtests apply the rules of their day.
Rules that ../shared/KRX.md marks unverified are marked so where they are defined.
"""

from jts.krx.calendar import (
    Closure,
    Corrections,
    LateOpen,
    LateOpenKind,
    holidays,
    is_late_open,
    is_trading_day,
    late_open,
    load_overrides,
    next_trading_day,
    previous_trading_day,
    set_overrides,
    settlement_date,
    supported_range,
    trading_days,
)
from jts.krx.costs import DEFAULT_COMMISSION_RATE, Costs, sell_tax_rate, trade_costs
from jts.krx.limits import ipo_price_limits, limit_percent, price_limits, single_price_band
from jts.krx.sessions import Phase, Session, active_sessions, phase_at, sessions
from jts.krx.ticks import is_valid_price, round_to_tick, tick_size
from jts.krx.volatility import (
    CIRCUIT_BREAKER_STAGES,
    DYNAMIC_VI_RATES,
    SIDECAR_RULES,
    STATIC_VI_RATE,
    VI_AUCTION_SECONDS,
    VI_RANDOM_END_MAX_SECONDS,
    CircuitBreakerStage,
    SidecarRule,
    ViGroup,
    circuit_breaker_stage,
    dynamic_vi_rate,
    sidecar_held_side,
    vi_trigger_prices,
)

__all__ = [
    "CIRCUIT_BREAKER_STAGES",
    "DEFAULT_COMMISSION_RATE",
    "DYNAMIC_VI_RATES",
    "SIDECAR_RULES",
    "STATIC_VI_RATE",
    "VI_AUCTION_SECONDS",
    "VI_RANDOM_END_MAX_SECONDS",
    "CircuitBreakerStage",
    "Closure",
    "Corrections",
    "Costs",
    "LateOpen",
    "LateOpenKind",
    "Phase",
    "Session",
    "SidecarRule",
    "ViGroup",
    "active_sessions",
    "circuit_breaker_stage",
    "dynamic_vi_rate",
    "holidays",
    "ipo_price_limits",
    "is_late_open",
    "is_trading_day",
    "is_valid_price",
    "late_open",
    "limit_percent",
    "load_overrides",
    "next_trading_day",
    "phase_at",
    "previous_trading_day",
    "price_limits",
    "round_to_tick",
    "sell_tax_rate",
    "sessions",
    "set_overrides",
    "settlement_date",
    "sidecar_held_side",
    "single_price_band",
    "supported_range",
    "tick_size",
    "trade_costs",
    "trading_days",
    "vi_trigger_prices",
]
