"""Pre-trade risk: limits, the checks, the engine that runs them with a trading state, and
the position sizing models that decide how large an entry is before it is checked.

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
from jts.risk.sizing import (
    FixedShares,
    FixedValue,
    PercentOfEquity,
    PositionSizer,
    VolatilityTarget,
    atr,
    true_range,
)

__all__ = [
    "BreachListener",
    "Check",
    "FixedShares",
    "FixedValue",
    "PercentOfEquity",
    "PositionSizer",
    "RateLimiter",
    "ReasonCode",
    "RiskContext",
    "RiskEngine",
    "RiskLimits",
    "RiskRejection",
    "StateListener",
    "TradingState",
    "VolatilityTarget",
    "atr",
    "open_qty",
    "true_range",
    "valuation_price",
]
