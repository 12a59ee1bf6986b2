"""Live feeds of a running account for push channels: quotes, bars, orders, fills, positions,
P&L and system state, handed to a `publish(channel, data, key=None)` function.

The trading runtime knows nothing of WebSockets: `jts.app` passes the realtime hub's `publish`.
Quotes and bars go out on every change (the hub conflates per symbol); orders and fills on
every change, positions and P&L right after each fill and, since prices move them too, at most
once a second while they change; the system channel every few seconds. Each pulse also marks
the equity history the desk serves (`GET /pnl/history`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from jts.core.lifecycle import Service
from jts.core.models import Bar, Fill, Order
from jts.trading.desk import fill_dict, order_dict
from jts.trading.quotes import TIMEFRAMES, Quote
from jts.trading.views import TradingViews


class Publish(Protocol):
    def __call__(self, channel: str, data: Any, *, key: str | None = None) -> None: ...


class LiveFeeds(Service):
    def __init__(
        self,
        views: TradingViews,
        publish: Publish,
        *,
        system: Callable[[], dict[str, Any]] | None = None,
        pulse_s: float = 1.0,
        system_every: int = 5,
    ) -> None:
        super().__init__("feeds")
        self._views = views
        self._publish = publish
        self._system = system
        self._pulse_s = pulse_s
        self._system_every = system_every
        self._task: asyncio.Task[None] | None = None
        self._last_pnl: dict[str, Any] | None = None
        self._last_positions: list[dict[str, Any]] | None = None

    async def _on_start(self) -> None:
        views = self._views
        if views.board is not None:
            views.board.listeners.append(self._on_quote)
            views.board.bar_listeners.append(self._on_bar)
        views.order_listeners.append(self._on_order)
        views.fill_listeners.append(self._on_fill)
        self._task = asyncio.create_task(self._pulse(), name="live-feeds")

    async def _on_stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        views = self._views
        if views.board is not None:
            _drop(views.board.listeners, self._on_quote)
            _drop(views.board.bar_listeners, self._on_bar)
        _drop(views.order_listeners, self._on_order)
        _drop(views.fill_listeners, self._on_fill)

    def _on_quote(self, quote: Quote) -> None:
        self._publish(
            f"quotes:{quote.symbol}", {**msgspec.to_builtins(quote), "pub_ns": time.time_ns()}
        )

    def _on_bar(self, bar: Bar) -> None:
        board = self._views.board
        if board is None:
            return
        self._publish(f"bars:{bar.symbol}:1m", msgspec.to_builtins(bar))
        for timeframe in TIMEFRAMES:
            if timeframe != "1m":
                merged = board.bars(bar.symbol, timeframe, 1)
                if merged:
                    self._publish(f"bars:{bar.symbol}:{timeframe}", msgspec.to_builtins(merged[-1]))

    def _on_order(self, order: Order) -> None:
        self._publish("orders", order_dict(order), key=order.request.client_order_id)

    def _on_fill(self, fill: Fill) -> None:
        self._publish("fills", fill_dict(fill), key=fill.fill_id)
        self._account(force=True)

    def _account(self, *, force: bool = False) -> None:
        """Positions and P&L when they changed (or always, after a fill)."""
        desk = self._views.desk
        if not desk.running() or self._views.board is None:
            return
        positions = desk.positions()
        if force or positions != self._last_positions:
            self._last_positions = positions
            self._publish("positions", positions)
        pnl = desk.pnl()
        if pnl["ts_ns"]:
            desk.equity.record(pnl["ts_ns"], pnl["equity"], pnl["daily_pnl"])
        moved = {k: v for k, v in pnl.items() if k != "ts_ns"}
        last = self._last_pnl
        if force or last is None or moved != {k: v for k, v in last.items() if k != "ts_ns"}:
            self._last_pnl = pnl
            self._publish("pnl", pnl)

    async def _pulse(self) -> None:
        beat = 0
        while True:
            await asyncio.sleep(self._pulse_s)
            self._account()
            beat += 1
            if self._system is not None and beat % self._system_every == 0:
                self._publish("system", self._system())

    def snapshot_orders(self) -> list[dict[str, Any]]:
        """The open orders (what a new `orders` subscriber starts from)."""
        desk = self._views.desk
        return desk.orders(status="open") if desk.running() else []

    def snapshot_positions(self) -> list[dict[str, Any]]:
        desk = self._views.desk
        return desk.positions() if desk.running() and self._views.board else []

    def snapshot_pnl(self) -> dict[str, Any] | None:
        desk = self._views.desk
        return desk.pnl() if desk.running() and self._views.board else None


def _drop(listeners: list[Any], listener: object) -> None:
    with contextlib.suppress(ValueError):
        listeners.remove(listener)
