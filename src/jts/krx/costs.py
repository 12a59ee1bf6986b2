"""Trading costs on KRX: broker commission on both sides and the securities transaction tax
on sells (KRX.md §9).

Rates are `Decimal` fractions of the traded amount (0.0020 = 0.20%); amounts are `int`
KRW, truncated to whole won as brokers do (the exact broker rule is unverified). The tax
rate is chosen by the *settlement* date, not the trade date: a sell executed 2024-12-27
settled 2025-01-02 and paid the 2025 rate.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Final

import msgspec

from jts.core.enums import InstrumentKind, Market, Side
from jts.core.errors import InvalidInput
from jts.krx.calendar import settlement_date
from jts.krx.ticks import as_market

DEFAULT_COMMISSION_RATE: Final = Decimal("0.000140527")
"""KIS BanKIS online stock commission, 0.0140527% incl. exchange/depository fees.

KIS charges ETFs 0.0146527%; other brokers and branch accounts charge far more. Pass the
account's own rate; this default only suits a KIS online stock account.
"""


class TaxRow(msgspec.Struct, frozen=True):
    """Sell-side tax rates (transaction tax + agricultural special tax) from `settled_from`."""

    settled_from: datetime.date
    kospi: Decimal
    kosdaq: Decimal
    konex: Decimal

    def rate(self, market: Market) -> Decimal:
        """This row's rate for `market`, a fraction of the sell amount."""
        columns = {Market.KOSPI: self.kospi, Market.KOSDAQ: self.kosdaq, Market.KONEX: self.konex}
        return columns[market]


SELL_TAX_SCHEDULE: Final[tuple[TaxRow, ...]] = (
    # Unverified: 0.30% on all three markets is the long-standing pre-2019 rate (KOSPI
    # 0.15% + 0.15% agricultural tax); applied to every earlier date so old backtests run.
    TaxRow(datetime.date.min, Decimal("0.0030"), Decimal("0.0030"), Decimal("0.0030")),
    TaxRow(datetime.date(2019, 6, 3), Decimal("0.0025"), Decimal("0.0025"), Decimal("0.0010")),
    TaxRow(datetime.date(2021, 1, 1), Decimal("0.0023"), Decimal("0.0023"), Decimal("0.0010")),
    TaxRow(datetime.date(2023, 1, 1), Decimal("0.0020"), Decimal("0.0020"), Decimal("0.0010")),
    TaxRow(datetime.date(2024, 1, 1), Decimal("0.0018"), Decimal("0.0018"), Decimal("0.0010")),
    TaxRow(datetime.date(2025, 1, 1), Decimal("0.0015"), Decimal("0.0015"), Decimal("0.0010")),
    TaxRow(datetime.date(2026, 1, 1), Decimal("0.0020"), Decimal("0.0020"), Decimal("0.0010")),
)
"""Sell tax by settlement date (KRX.md §9); each row holds until the next row's date."""

TAX_EXEMPT_KINDS: Final = frozenset({InstrumentKind.ETF, InstrumentKind.ETN})
"""Kinds whose sells pay no transaction tax (ETF per KRX.md; ETN unverified)."""


class Costs(msgspec.Struct, frozen=True):
    """Costs of one fill in whole KRW: `total` = `commission` + `tax`."""

    commission: int
    tax: int
    total: int


def sell_tax_rate(settlement_date: datetime.date, market: Market | str) -> Decimal:
    """Tax on a sell of a `market` stock settling on `settlement_date`, a fraction."""
    wanted = as_market(market)
    rate = SELL_TAX_SCHEDULE[0].rate(wanted)
    for row in SELL_TAX_SCHEDULE:
        if row.settled_from <= settlement_date:
            rate = row.rate(wanted)
    return rate


def trade_costs(
    side: Side | str,
    qty: int,
    price: int,
    trade_date: datetime.date,
    market: Market | str,
    *,
    commission_rate: Decimal = DEFAULT_COMMISSION_RATE,
    kind: InstrumentKind | str = InstrumentKind.STOCK,
) -> Costs:
    """Commission and tax in KRW for `qty` shares filled at `price` KRW on `trade_date`.

    Commission (both sides) and tax (sells of taxable kinds, by the T+2 settlement date of
    `trade_date`) are each truncated to whole won.
    """
    side, kind, market = _as_side(side), _as_kind(kind), as_market(market)
    _require_positive("qty", qty)
    _require_positive("price", price)
    if commission_rate < 0:
        raise InvalidInput("commission_rate", f"{commission_rate} is negative")
    amount = qty * price
    commission = _truncate_won(amount * commission_rate)
    tax = _sell_tax(amount, trade_date, market) if _pays_tax(side, kind) else 0
    return Costs(commission=commission, tax=tax, total=commission + tax)


def _sell_tax(amount: int, trade_date: datetime.date, market: Market | str) -> int:
    return _truncate_won(amount * sell_tax_rate(settlement_date(trade_date), market))


def _pays_tax(side: Side, kind: InstrumentKind) -> bool:
    return side is Side.SELL and kind not in TAX_EXEMPT_KINDS


def _truncate_won(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_DOWN))


def _as_side(side: Side | str) -> Side:
    try:
        return Side(str(side).lower())
    except ValueError:
        raise InvalidInput("side", f"{side!r} is not 'buy' or 'sell'") from None


def _as_kind(kind: InstrumentKind | str) -> InstrumentKind:
    try:
        return InstrumentKind(str(kind).lower())
    except ValueError:
        valid = ", ".join(k.value for k in InstrumentKind)
        raise InvalidInput("kind", f"{kind!r} is not one of {valid}") from None


def _require_positive(field: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(field, f"{value!r} is not a positive whole number")
