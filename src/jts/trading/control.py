"""What the API and the dashboard steer on any trading service, paper or live: the running
node's strategies, the kill switch, the order book and the venue's status.

`TradingService` is the base of `PaperTrading` (the simulated market) and `LiveTrading` (a
broker's venue): both own one `TradingNode`; only where its venue and its clock come from
differs. `jts.app` plugs either into the gateway's desk and control.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from jts.core.errors import InvalidInput, JtsError
from jts.core.lifecycle import Service
from jts.core.models import BookLevel
from jts.oms import OrderStore
from jts.strategy.lang.compiler import compile_program
from jts.trading.node import TradingNode

__all__ = ["TradingService"]


class TradingService(Service):
    """A service that runs one `TradingNode`; subclasses start and feed it."""

    venue_name = "sim"
    """The venue's name in `/system` (sim, kis, ...)."""

    def __init__(self, name: str, *, cash: int) -> None:
        super().__init__(name)
        self.node: TradingNode | None = None
        self.store: OrderStore | None = None
        self.default_cash = cash
        """What a strategy started without a cash figure trades with."""
        self._task: asyncio.Task[None] | None = None
        """What drives the node's clock (a subclass starts it)."""

    async def _stop_node(self) -> None:
        """Stop the clock task, then the node (it persists), then close the journal."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.node is not None:
            await self.node.stop()
        if self.store is not None:
            self.store.close()

    async def kill_switch(self, reason: str) -> dict[str, Any]:
        """Halt the account's trading and cancel its working orders."""
        if self.node is None:
            return {"halted": False, "cancelled": 0, "reason": f"{self.name} is not running"}
        cancelled = await self.node.kill_switch(reason)
        return {"halted": True, "cancelled": cancelled, "reason": reason}

    def strategies(self) -> list[dict[str, Any]]:
        return self.node.describe() if self.node is not None else []

    async def control_strategy(self, name: str, action: str) -> dict[str, Any]:
        """Pause, resume or stop a running strategy (KeyError when there is none so named)."""
        node = self._running()
        if name not in node.strategies:
            raise KeyError(name)
        if action == "pause":
            node.pause(name)
        elif action == "resume":
            node.resume(name)
        elif action == "stop":
            cancelled = await node.remove_strategy(name)
            return {"name": name, "state": "stopped", "cancelled": cancelled}
        else:
            raise InvalidInput("action", f"{action!r} is not pause, resume or stop")
        return next(item for item in node.describe() if item["name"] == name)

    def add_strategy(self, source: str, cash: int | None) -> dict[str, Any]:
        """Start a strategy from its text; `InvalidInput` (with line and column) when it does
        not compile or its name is taken."""
        node = self._running()
        try:
            program = compile_program(source)
        except JtsError as exc:
            raise InvalidInput("source", str(exc)) from None
        if program.name in node.strategies:
            raise InvalidInput("source", f"a strategy named {program.name!r} is running")
        node.add_strategy(program.name, program, cash or self.default_cash)
        return next(item for item in node.describe() if item["name"] == program.name)

    def book(self, symbol: str, levels: int) -> tuple[Sequence[BookLevel], Sequence[BookLevel]]:
        """The venue's order book of `symbol` (bids, asks; best first)."""
        raise InvalidInput("book", f"{self.name} has no order book of {symbol}")

    async def show(self, symbols: set[str]) -> None:
        """The symbols the dashboard shows now (a venue that streams everything ignores it)."""

    def clock_ns(self) -> int:
        """The venue's clock (the simulated one on paper)."""
        return self.node.venue_now() if self.node is not None else 0

    def venue_status(self) -> dict[str, Any] | None:
        """The venue as the monitoring page lists it; None while nothing runs."""
        node = self.node
        if node is None:
            return None
        return {
            "name": self.venue_name,
            "account": node.account,
            "connected": self.state.value == "running",
            "trading_state": node.risk.state.value,
            "clock_ns": self.clock_ns(),
            "symbols": len(node.instruments),
        }

    def _running(self) -> TradingNode:
        if self.node is None:
            raise InvalidInput(self.name, f"{self.name} trading is not running")
        return self.node

    def _health_details(self) -> dict[str, Any]:
        return self.summary() if self.node is not None else {}

    def summary(self) -> dict[str, Any]:
        """Orders, fills, rejects, positions and equity of the session so far."""
        node = self.node
        if node is None:
            return {}
        stats = node.stats
        positions = {p.symbol: p.qty for p in node.manager.positions.positions()}
        return {
            "symbols": len(node.instruments),
            "orders": stats.orders,
            "fills": stats.fills,
            "rejects": stats.risk_rejects + stats.venue_rejects,
            "positions": len(positions),
            "position_shares": sum(positions.values()),
            "equity": node.context.equity(),
            "cash": node.context.cash,
            "errors": len(stats.errors),
            "trading_state": node.risk.state.value,
        }
