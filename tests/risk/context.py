"""A `RiskContext` for tests: plain fields, changed per test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from jts.core import Order
from jts.krx import is_valid_price


@dataclass
class FakeContext:
    cash: int = 100_000_000
    positions: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=lambda: {"005930": 70_000})
    limits: dict[str, tuple[int, int]] = field(default_factory=lambda: {"005930": (49_000, 91_000)})
    gross: int = 0
    pnl: int = 0
    orders: list[Order] = field(default_factory=list)
    open: bool = True

    def available_cash(self) -> int:
        return self.cash

    def position(self, symbol: str) -> int:
        return self.positions.get(symbol, 0)

    def last_price(self, symbol: str) -> int | None:
        return self.last.get(symbol)

    def price_limits(self, symbol: str) -> tuple[int, int] | None:
        return self.limits.get(symbol)

    def tick_valid(self, symbol: str, price: int) -> bool:
        return is_valid_price(price)

    def gross_exposure(self) -> int:
        return self.gross

    def daily_pnl(self) -> int:
        return self.pnl

    def open_orders(self, symbol: str) -> Sequence[Order]:
        return [o for o in self.orders if o.request.symbol == symbol]

    def session_open(self, symbol: str) -> bool:
        return self.open
