"""Paper trading as a service of `jts run`: the simulated market, the trading node and the demo
strategy, started and stopped with the rest of the process.

`PaperTrading` owns a `PaperMarket` (synthetic KRX day, agents, one account) and a
`TradingNode` on its venue. While running it advances the market at `speed` and lets the node
feed bars after each step; `summary()` is what `jts run` prints at the end (and health shows).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jts.core.errors import InvalidInput
from jts.core.models import BookLevel
from jts.oms import Journal, MemoryStore, OrderStore, ReconcileReport, restore
from jts.risk import RiskLimits
from jts.storage import SqlOrderStore, open_database
from jts.strategy.api import Strategy
from jts.strategy.lang.ast import Program
from jts.strategy.lang.compiler import compile_program
from jts.trading.control import TradingService
from jts.trading.node import TradingNode
from jts.trading.paper import PaperMarket
from jts.trading.reconcile import reconcile_with_venue
from jts.trading.session import PaperSession, SessionFile
from jts.venues.sim.ledger import FillLedger

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
    python: Strategy | None = None
    """A Python-API strategy to trade instead of the `strategy` text."""
    limits: RiskLimits | None = None
    freeze_gc: bool = False
    """Move everything alive after start-up out of the garbage collector's full scans (cuts
    100-200 ms pauses; for the `jts run` process, not for a test process that starts many)."""


class PaperTrading(TradingService):
    """The simulated market and one account's strategies trading it."""

    def __init__(
        self, config: PaperConfig, *, duration_s: float | None = None, var: Path | None = None
    ) -> None:
        """`var`: where the session's state lives (`jts.trading.session`); None keeps it in
        memory (nothing survives the process)."""
        super().__init__("paper", cash=config.cash)
        self.config = config
        self.duration_s = duration_s
        self.var = var
        self.resumed = False
        self.report: ReconcileReport | None = None
        self.session: PaperSession | None = None
        self.market: PaperMarket | None = None
        self.finished = asyncio.Event()

    async def _on_start(self) -> None:
        config = self.config
        session = PaperSession(self.var) if self.var is not None else None
        resume_ns, run_id = None, ""
        if session is not None:
            wanted = SessionFile(day=config.day, seed=config.seed, symbols=config.symbols,
                                 account=config.account, cash=config.cash)  # fmt: skip
            state, self.resumed = session.open(wanted)
            resume_ns, run_id = state.sim_ns or None, f"r{state.restarts}"
        market = PaperMarket(
            config.symbols, config.seed, config.day, account=config.account, cash=config.cash,
            resume_ns=resume_ns, session=run_id,
            ledger=FillLedger(session.ledger_path) if session is not None else None,
        )  # fmt: skip
        store: OrderStore = (
            SqlOrderStore(open_database(session.db_url)) if session is not None else MemoryStore()
        )
        manager = restore(config.account, store.load(config.account))
        journal = Journal(manager, store)
        node = TradingNode(
            market.venue, config.account, market.instruments, market.base_prices, market.day,
            manager=manager, limits=config.limits, persist=journal.flush,
        )  # fmt: skip
        if config.python is not None:
            node.add_strategy(config.python.strategy_name, config.python, config.cash)
        else:
            program: Program = compile_program(config.strategy)
            node.add_strategy(program.name, program, config.cash)
        await node.start()
        self.report = await reconcile_with_venue(
            manager, market.venue, since_ns=market.sim.start_ns, now_ns=market.now_ns()
        )
        journal.flush()
        node.warm_up(market.history)
        node.adopt_positions()
        self.market, self.node, self.store, self.session = market, node, store, session
        if self.config.freeze_gc:
            gc.collect()
            gc.freeze()  # start-up objects (universe, replayed day) leave the full scans
        self._task = asyncio.create_task(self._run(market, node), name="paper-market")

    async def _run(self, market: PaperMarket, node: TradingNode) -> None:
        session = self.session

        async def step(now: int) -> None:
            await node.on_clock(now)
            if session is not None:
                session.save_clock(now)

        try:
            await market.run(self.config.speed, duration_s=self.duration_s, on_step=step)
            await asyncio.sleep(0)  # the node takes the last answers
        finally:
            if session is not None:
                session.save_clock(market.now_ns(), every_s=0)
            self.finished.set()

    async def _on_stop(self) -> None:
        await self._stop_node()

    def book(self, symbol: str, levels: int) -> tuple[Sequence[BookLevel], Sequence[BookLevel]]:
        """The simulated exchange's order book of `symbol` (bids, asks; best first)."""
        if self.market is None:
            raise InvalidInput("paper", "paper trading is not running")
        return self.market.exchange.markets[symbol].book.depth(levels)

    def clock_ns(self) -> int:
        return self.market.now_ns() if self.market is not None else 0

    def summary(self) -> dict[str, Any]:
        """The node's figures (`TradingService.summary`) with the simulated day's."""
        node, market = self.node, self.market
        if node is None or market is None:
            return {}
        return {
            "day": market.day.isoformat(),
            "sim_time_ns": market.now_ns(),
            **super().summary(),
            "resumed": self.resumed,
            "restart_discrepancies": len(self.report.discrepancies) if self.report else 0,
            "positions_match_venue": self.report.positions_match if self.report else True,
        }
