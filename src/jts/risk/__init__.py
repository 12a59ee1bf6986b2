"""Pre-trade risk: limits, the checks, and the engine that runs them with a trading state.

The only road from a strategy to the order manager. Independent of `jts.oms` (both sit on
`jts.core` and `jts.krx`): the caller answers the engine's questions through `RiskContext`.
"""

from jts.risk.checks import (
    Check,
    ReasonCode,
    RiskContext,
    RiskRejection,
    open_qty,
    valuation_price,
)
from jts.risk.engine import BreachListener, RateLimiter, RiskEngine, StateListener, TradingState
from jts.risk.limits import RiskLimits

__all__ = [
    "BreachListener",
    "Check",
    "RateLimiter",
    "ReasonCode",
    "RiskContext",
    "RiskEngine",
    "RiskLimits",
    "RiskRejection",
    "StateListener",
    "TradingState",
    "open_qty",
    "valuation_price",
]
