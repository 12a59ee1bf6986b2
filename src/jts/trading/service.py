"""Paper trading as a service of `jts run`: the simulated market, the trading node and the demo
strategy, started and stopped with the rest of the process.

`PaperTrading` owns a `PaperMarket` (synthetic KRX day, agents, one account) and a
`TradingNode` on its venue. While running it advances the market at `speed` and lets the node
feed bars after each step; `summary()` is what `jts run` prints at the end (and health shows).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from jts.core.lifecycle import Service
from jts.risk import RiskLimits
from jts.strategy.lang.ast import Program
from jts.strategy.lang.compiler import compile_program
from jts.trading.node import TradingNode
from jts.trading.paper import PaperMarket

__all__ = ["DEMO_STRATEGY", "PaperConfig", "PaperTrading"]

DEMO_STRATEGY = """\
strategy "demo_sma_cross"
description "The demo of jts run: a fast moving-average crossover on 1-minute bars, long only"
universe all
timeframe 1m
param fast = 3 in 2..10
param slow = 10 in 5..60
param qty = 10
let fast_ma = sma(close, fast)
let slow_ma = sma(close, slow)
when position == 0 and crosses_above(fast_ma, slow_ma): buy qty shares at market
when position > 0 and crosses_below(fast_ma, slow_ma): sell all at market
"""
"""The strategy `jts run` trades when none is given (examples/strategies/sma_cross.jts with
shorter averages, so that a demo trades within minutes of the open)."""


@dataclass(frozen=True, kw_only=True)
class PaperConfig:
    """What a paper session trades: `symbols` synthetic instruments under `seed` on `day`,
    `cash` KRW in account `account`, at `speed` simulated seconds per wall second."""

    day: date
    symbols: int = 200
    seed: int = 0
    cash: int = 100_000_000
    speed: float = 1.0
    account: str = "paper"
    strategy: str = DEMO_STRATEGY
    limits: RiskLimits | None = None


class PaperTrading(Service):
    """The simulated market and one account's strategies trading it."""

    def __init__(self, config: PaperConfig, *, duration_s: float | None = None) -> None:
        super().__init__("paper")
        self.config = config
        self.duration_s = duration_s
        self.market: PaperMarket | None = None
        self.node: TradingNode | None = None
        self.finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _on_start(self) -> None:
        config = self.config
        market = PaperMarket(
            config.symbols, config.seed, config.day, account=config.account, cash=config.cash
        )
        node = TradingNode(
            market.venue,
            config.account,
            market.instruments,
            market.base_prices,
            market.day,
            limits=config.limits,
        )
        program: Program = compile_program(config.strategy)
        node.add_strategy(program.name, program, config.cash)
        await node.start()
        self.market, self.node = market, node
        self._task = asyncio.create_task(self._run(market, node), name="paper-market")

    async def _run(self, market: PaperMarket, node: TradingNode) -> None:
        try:
            await market.run(self.config.speed, duration_s=self.duration_s, on_step=node.on_clock)
            await asyncio.sleep(0)  # the node takes the last answers
        finally:
            self.finished.set()

    async def _on_stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.node is not None:
            await self.node.stop()

    def _health_details(self) -> dict[str, Any]:
        return self.summary() if self.node is not None else {}

    def summary(self) -> dict[str, Any]:
        """Orders, fills, rejects, positions and equity of the session so far."""
        node, market = self.node, self.market
        if node is None or market is None:
            return {}
        stats = node.stats
        positions = {p.symbol: p.qty for p in node.manager.positions.positions()}
        return {
            "day": market.day.isoformat(),
            "sim_time_ns": market.now_ns(),
            "symbols": len(market.instruments),
            "orders": stats.orders,
            "fills": stats.fills,
            "rejects": stats.risk_rejects + stats.venue_rejects,
            "positions": len(positions),
            "position_shares": sum(positions.values()),
            "equity": node.context.equity(),
            "cash": node.context.cash,
            "errors": len(stats.errors),
        }
