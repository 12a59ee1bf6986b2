"""A service that lives on the bus: subscribes to its topics on start, runs one optional
periodic job, and unsubscribes and stops the job on stop.

Feed processors (bar builders, the feed quality monitor, later the strategy runtime) all have
this shape; they implement `on_event` and, when they need one, `_periodic`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import structlog

from jts.bus.base import Bus, Subscription
from jts.core.lifecycle import Service

log = structlog.get_logger(__name__)


class BusWorker(Service):
    """Subscribes `on_event` to `topics` of `bus` while running; calls `_periodic` every
    `period_s` seconds when that is set. A failing periodic job is logged and counted in
    `periodic_errors`; it never ends the loop."""

    def __init__(
        self,
        name: str,
        bus: Bus | None,
        topics: Sequence[str] = (),
        *,
        period_s: float | None = None,
    ) -> None:
        super().__init__(name)
        self._bus = bus
        self._topics = tuple(topics)
        self._period_s = period_s
        self._subscriptions: list[Subscription] = []
        self._task: asyncio.Task[None] | None = None
        self.periodic_errors = 0

    def on_event(self, event: Any) -> None:
        """Handle one event of a subscribed topic."""

    def _periodic(self) -> None:
        """The periodic job (flushing, checking ...)."""

    async def _on_start(self) -> None:
        if self._bus is not None:
            self._subscriptions = [self._bus.subscribe(t, self.on_event) for t in self._topics]
        if self._period_s is not None and self._period_s > 0:
            self._task = asyncio.create_task(self._loop(self._period_s), name=self.name)

    async def _on_stop(self) -> None:
        for subscription in self._subscriptions:
            subscription.cancel()
        self._subscriptions = []
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                self._periodic()
            except Exception:  # a bug in the job must not end it; health shows the count
                self.periodic_errors += 1
                log.exception("periodic_job_failed", service=self.name)
