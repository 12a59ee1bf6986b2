"""What a fill costs in a backtest: KRX commission and sell tax, or nothing.

`KrxCosts` gives exactly what `jts.krx.trade_costs` gives (commission on both sides, sell tax
by the T+2 settlement date, each truncated to whole won; ETF/ETN sells pay no tax), but in
integer arithmetic with the rates cached per day and market: a backtest prices hundreds of
thousands of fills, and `Decimal` per fill would cost more than the rest of the fill path.
A test pins the two to each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Protocol

from jts.core.enums import Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.krx import DEFAULT_COMMISSION_RATE, sell_tax_rate, settlement_date
from jts.krx.costs import TAX_EXEMPT_KINDS

__all__ = ["COST_MODELS", "CostModel", "KrxCosts", "NoCosts", "cost_model"]


class CostModel(Protocol):
    """(commission, tax) in whole KRW of one fill."""

    name: str

    def costs(
        self, side: str, qty: int, price: int, day: dt.date, instrument: Instrument
    ) -> tuple[int, int]: ...


class NoCosts:
    """Free trading: for comparisons with tools that ignore costs."""

    name = "none"

    def costs(
        self, side: str, qty: int, price: int, day: dt.date, instrument: Instrument
    ) -> tuple[int, int]:
        return 0, 0


class KrxCosts:
    """KRX costs with a configurable commission rate (a fraction: 0.00015 is 0.015%)."""

    name = "krx"

    def __init__(self, commission_rate: Decimal | float | str = DEFAULT_COMMISSION_RATE) -> None:
        rate = Decimal(str(commission_rate))
        if not rate.is_finite() or rate < 0 or rate >= 1:
            raise InvalidInput("commission_rate", f"{commission_rate} is not a fraction in [0, 1)")
        self.commission_rate = rate
        self._commission = rate.as_integer_ratio()
        self._tax: dict[tuple[dt.date, Market], tuple[int, int]] = {}

    def costs(
        self, side: str, qty: int, price: int, day: dt.date, instrument: Instrument
    ) -> tuple[int, int]:
        amount = qty * price
        num, den = self._commission
        commission = amount * num // den
        if side != "sell" or instrument.kind in TAX_EXEMPT_KINDS:
            return commission, 0
        num, den = self._tax_ratio(day, instrument.market)
        return commission, amount * num // den

    def _tax_ratio(self, day: dt.date, market: Market) -> tuple[int, int]:
        key = (day, market)
        ratio = self._tax.get(key)
        if ratio is None:
            ratio = sell_tax_rate(settlement_date(day), market).as_integer_ratio()
            self._tax[key] = ratio
        return ratio


COST_MODELS = ("krx", "none")


def cost_model(name: str, commission_rate: Decimal | float | str | None = None) -> CostModel:
    """The cost model called `name` (`krx` or `none`)."""
    if name == "none":
        return NoCosts()
    if name == "krx":
        return KrxCosts(DEFAULT_COMMISSION_RATE if commission_rate is None else commission_rate)
    raise InvalidInput("costs", f"{name!r} is not one of {', '.join(COST_MODELS)}")
