"""Risk limits: one frozen, validated value that says what the risk engine enforces.

Every numeric limit is optional: None means "no limit". The defaults set no numeric limit at all,
because sensible sizes depend on the account (a 10-million-won account and a fund differ by
orders of magnitude) and a backtest should not be shaped by limits nobody chose. What a venue or
the law enforces anyway stays on by default: tick grid, daily price band, session, enough cash
(`check_cash`), no naked short sales (`allow_short=False`; retail accounts in Korea cannot short
without borrowing) and no self-crossing (`prevent_self_cross`; wash trades are illegal).

Units: quantities in shares, money in int KRW, `fat_finger_pct` in percent (5.0 = 5%), rates in
orders per window. Invalid values raise `ConfigError` naming the key, at construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from jts.core.errors import ConfigError

_PREFIX = "risk"


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskLimits:
    """Pre-trade limits for one account (see the module docstring for units and defaults)."""

    max_order_qty: int | None = None
    """Largest quantity of one order, shares."""
    max_order_value: int | None = None
    """Largest value of one order (qty × price; market orders at their valuation price), KRW."""
    max_position_qty: int | None = None
    """Largest absolute position per symbol, shares, counting open orders on the same side."""
    max_gross_exposure: int | None = None
    """Largest Σ |position value| over all symbols after the order, KRW."""
    fat_finger_pct: float | None = None
    """Largest distance of a limit price from the last price, percent of the last price."""
    max_orders_per_second: int | None = None
    """Orders passed per sliding second (by the requests' ts_ns)."""
    max_orders_per_minute: int | None = None
    """Orders passed per sliding minute (by the requests' ts_ns)."""
    daily_loss_limit: int | None = None
    """Loss of the day, KRW, as a positive number; reaching it halts trading."""
    check_cash: bool = True
    """Refuse buys whose value exceeds the available cash."""
    allow_short: bool = False
    """Allow sells beyond the position held (short sales)."""
    prevent_self_cross: bool = True
    """Refuse orders that would trade against the account's own open orders."""
    block_identical_orders: bool = False
    """Refuse an order identical (side, type, price, qty) to one still open for the symbol —
    catches a strategy that re-sends the same order on every bar."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> Self:
        """Raise `ConfigError` for the first invalid field; return self when all are valid."""
        for name in _POSITIVE_INTS:
            _positive_int(name, getattr(self, name))
        pct = self.fat_finger_pct
        if pct is not None and (isinstance(pct, bool) or not isinstance(pct, int | float)):
            raise ConfigError(f"{_PREFIX}.fat_finger_pct", f"must be a number, got {pct!r}")
        if pct is not None and not 0 < pct < 1_000:
            raise ConfigError(
                f"{_PREFIX}.fat_finger_pct", f"must be a percentage above 0, got {pct!r}"
            )
        for name in _BOOLS:
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise ConfigError(f"{_PREFIX}.{name}", f"must be true or false, got {value!r}")
        return self

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """Build from configuration data; unknown keys are refused, not ignored."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{_PREFIX}.{unknown[0]}", f"unknown key; known keys: {', '.join(sorted(known))}"
            )
        return cls(**data)


_POSITIVE_INTS = (
    "max_order_qty",
    "max_order_value",
    "max_position_qty",
    "max_gross_exposure",
    "max_orders_per_second",
    "max_orders_per_minute",
    "daily_loss_limit",
)
_BOOLS = ("check_cash", "allow_short", "prevent_self_cross", "block_identical_orders")


def _positive_int(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{_PREFIX}.{name}", f"must be a whole number or null, got {value!r}")
    if value <= 0:
        raise ConfigError(f"{_PREFIX}.{name}", f"must be positive (null = no limit), got {value}")
