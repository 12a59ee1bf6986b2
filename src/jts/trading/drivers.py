"""One interface over the two kinds of strategy the trading node runs: a strategy-language
program (`StreamingExecutor` over the strategy `Engine`) and a Python-API `Strategy`
(`PythonStrategyRunner`). Both take bars, ticks and decide per timestamp; they differ in how a
tick is passed and where a late fill is booked, which these adapters hide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from jts.core.models import Instrument, Tick
from jts.strategy.api import Strategy
from jts.strategy.engine import Engine, Execution, OrderIntent
from jts.strategy.execute import StreamingExecutor
from jts.strategy.lang.ast import Program
from jts.strategy.python_runtime import PythonStrategyRunner
from jts.trading.orders import LiveOrders

__all__ = ["ProgramDriver", "PythonDriver", "StrategyDriver"]


class StrategyDriver(Protocol):
    @property
    def timestamp(self) -> int | None: ...

    def on_bar(
        self, symbol: str, ts: int, open: float, high: float, low: float, close: float,
        volume: float, value: float,
    ) -> list[OrderIntent]: ...  # fmt: skip

    def on_tick(self, symbol: str, ts: int, price: float) -> list[OrderIntent]: ...
    def end_of_timestamp(self) -> list[OrderIntent]: ...
    def book_late_fill(self, symbol: str, side: str, execution: Execution) -> None: ...


class ProgramDriver:
    """A strategy-language program on live bars."""

    def __init__(
        self,
        program: Program,
        symbols: Sequence[str],
        cash: int,
        orders: LiveOrders,
        instruments: Mapping[str, Instrument],
    ) -> None:
        self.engine = Engine(program, initial_cash=float(cash), fills=orders.fills,
                             gate=orders.gate, instruments=dict(instruments))  # fmt: skip
        self.executor = StreamingExecutor(program, symbols, engine=self.engine)
        self.on_bar = self.executor.on_bar
        self.on_tick = self.executor.on_tick
        self.end_of_timestamp = self.executor.end_of_timestamp
        self.book_late_fill = self.engine.book_late_fill

    @property
    def timestamp(self) -> int | None:
        return self.executor.timestamp


class PythonDriver:
    """A Python-API `Strategy` on live bars and ticks (its hooks errors are kept, not raised)."""

    def __init__(
        self,
        strategy: Strategy,
        symbols: Sequence[str],
        cash: int,
        orders: LiveOrders,
        instruments: Mapping[str, Instrument],
    ) -> None:
        self.runner = PythonStrategyRunner(
            strategy, symbols, initial_cash=float(cash), interval_s=60, account=orders.account,
            fills=orders.fills, gate=orders.gate, instruments=instruments,
        )  # fmt: skip
        self.on_bar = self.runner.on_bar
        self.end_of_timestamp = self.runner.end_of_timestamp
        self.book_late_fill = self.runner.book_late_fill

    @property
    def timestamp(self) -> int | None:
        return self.runner.timestamp

    def on_tick(self, symbol: str, ts: int, price: float) -> list[OrderIntent]:
        return self.runner.on_tick(Tick(symbol=symbol, ts_ns=ts, price=round(price), qty=0))
