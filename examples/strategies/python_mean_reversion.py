"""Mean reversion with the Python strategy API (jts.strategy.api).

Buy `qty` shares at market when flat and the close is more than `k` (a fraction) below its
`n`-bar mean; sell the whole position when the close is back above the mean. Per symbol, long
only. Run it with `jts.strategy.python_runtime.run_python(MeanReversion(), bars)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from jts.core.models import Bar
from jts.strategy.api import Strategy, StrategyContext


class MeanReversion(Strategy):
    API_VERSION = 1
    name = "python_mean_reversion"
    default_params: ClassVar[Mapping[str, Any]] = {"n": 20, "k": 0.01, "qty": 10}
    history_size = 60

    def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
        n = int(ctx.params["n"])
        closes = ctx.history(bar.symbol, "close", n)
        if len(closes) < n:
            return
        mean = sum(closes) / n
        close = closes[-1]
        if ctx.position(bar.symbol) == 0:
            if close < mean * (1.0 - float(ctx.params["k"])):
                ctx.buy(bar.symbol, int(ctx.params["qty"]))
        elif close > mean:
            ctx.close(bar.symbol)
