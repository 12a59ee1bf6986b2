"""The options of one backtest, validated once, shared by both runners."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from jts.backtest.costs import COST_MODELS, CostModel, cost_model
from jts.backtest.fills import FillModel
from jts.core.errors import InvalidInput

__all__ = ["ENGINES", "BacktestConfig"]

ENGINES: Final = ("vector", "event")


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """`engine` picks the runner; both give the same result for the same options."""

    engine: str = "vector"
    fill: FillModel = field(default_factory=FillModel)
    costs: str = "krx"
    commission_rate: Decimal | None = None
    """None: the KRX default (`jts.krx.DEFAULT_COMMISSION_RATE`)."""
    cash: int = 100_000_000
    settlement: bool = False
    """Spend sale proceeds only once they settle (T+2)."""

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InvalidInput("engine", f"{self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.costs not in COST_MODELS:
            raise InvalidInput("costs", f"{self.costs!r} is not one of {', '.join(COST_MODELS)}")
        if isinstance(self.cash, bool) or not isinstance(self.cash, int) or self.cash <= 0:
            raise InvalidInput("cash", f"{self.cash!r} is not a positive whole number of KRW")

    def cost_model(self) -> CostModel:
        return cost_model(self.costs, self.commission_rate)
