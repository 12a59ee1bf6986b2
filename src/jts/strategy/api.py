"""The Python strategy API: for what the strategy language cannot say, in the same runtime.

    class MyStrategy(Strategy):
        API_VERSION = 1
        default_params = {"qty": 10}

        def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
            if ctx.position(bar.symbol) == 0 and bar.close > bar.open:
                ctx.buy(bar.symbol, ctx.params["qty"])

    intents = run_python(MyStrategy(), bars)        # jts.strategy.python_runtime

One hook is required, `on_bar`; `on_start`, `on_tick`, `on_fill` and `on_stop` default to doing
nothing. `API_VERSION` is the version of this interface the strategy was written against; the
runner refuses any other. An exception raised by a hook becomes a `StrategyError` that the runner
records, and the run goes on (STYLE.md practice 12).

Orders placed through `StrategyContext` follow the rules of the language executors
(`jts.strategy.engine`): decided at the close of a bar, filled whole at the open of the symbol's
next bar (limits only if touched), long only, no costs, buys cut to the cash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from jts.core.models import Bar, Fill, Tick

if TYPE_CHECKING:  # the engine loads NumPy kernels; the API itself stays light to import
    from jts.strategy.engine import OrderIntent

__all__ = ["API_VERSION", "FIELDS", "Strategy", "StrategyContext"]

API_VERSION = 1
"""The version of the interface below; bumped on any incompatible change."""

FIELDS = ("open", "high", "low", "close", "volume", "value")
"""The bar fields `StrategyContext.history` keeps."""


class StrategyContext(Protocol):
    """What a strategy sees of the runtime and how it places orders."""

    @property
    def now_ns(self) -> int:
        """Start of the bar being decided (a tick's time in `on_tick`); 0 before the first."""
        ...

    @property
    def params(self) -> Mapping[str, Any]:
        """The strategy's parameters (defaults overridden by the runner's), read-only."""
        ...

    @property
    def cash(self) -> float:
        """Cash now (fills change it; orders not yet filled do not)."""
        ...

    @property
    def equity(self) -> float:
        """Cash plus every position at its symbol's last close."""
        ...

    def position(self, symbol: str) -> int:
        """Shares held of `symbol` (0 when flat; never negative)."""
        ...

    def entry_price(self, symbol: str) -> float | None:
        """Average price paid for the position (not changed by sells); None when flat."""
        ...

    def buy(
        self, symbol: str, qty: int, *, limit: float | None = None, reason: str = "python"
    ) -> OrderIntent | None:
        """Buy `qty` shares at the next open, or at `limit` (rounded down onto a tick).

        Cut to the cash left at the reference price (the limit, else the last close);
        returns the order, or None when nothing is placed. `reason` tags the OrderIntent."""
        ...

    def sell(
        self, symbol: str, qty: int, *, limit: float | None = None, reason: str = "python"
    ) -> OrderIntent | None:
        """Sell up to the shares held (long only); a limit is rounded up onto a tick."""
        ...

    def close(self, symbol: str, *, reason: str = "python") -> OrderIntent | None:
        """Sell the whole position at market; None when flat."""
        ...

    def history(self, symbol: str, field: str, n: int) -> list[float]:
        """The last `n` values of a bar field, oldest first, the current bar last.

        Fewer when fewer bars were seen; `n` may not exceed `Strategy.history_size`."""
        ...

    def log(self, event: str, **fields: Any) -> None:
        """A structured log line tagged with the strategy's name."""
        ...


class Strategy:
    """Base class of Python strategies: override `on_bar`, optionally the other hooks.

    Class attributes a subclass may set: `API_VERSION` (must equal `api.API_VERSION`),
    `name` (defaults to the class name), `default_params` (the parameters and their defaults;
    the runner accepts overrides of these keys only) and `history_size` (bars kept per symbol
    for `StrategyContext.history`).
    """

    API_VERSION: ClassVar[int] = API_VERSION
    name: ClassVar[str] = ""
    default_params: ClassVar[Mapping[str, Any]] = {}
    history_size: ClassVar[int] = 200

    @property
    def strategy_name(self) -> str:
        """`name`, or the class name when it is empty."""
        return self.name or type(self).__name__

    def on_start(self, ctx: StrategyContext) -> None:
        """Once, before the first bar."""

    def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
        """Required: at the close of every bar of every symbol, in (ts, symbol) order."""
        raise NotImplementedError

    def on_tick(self, ctx: StrategyContext, tick: Tick) -> None:
        """On every trade print the runner is given."""

    def on_fill(self, ctx: StrategyContext, fill: Fill) -> None:
        """When an order fills, at the open of the symbol's bar, before any `on_bar` of it."""

    def on_stop(self, ctx: StrategyContext) -> None:
        """Once, after the last bar."""
