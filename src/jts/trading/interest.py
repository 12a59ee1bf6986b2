"""What the dashboard is looking at, handed to the trading service: a broker venue that
cannot stream every symbol (KIS) ranks the symbols a page shows above the rest.

`ShownSymbols` reads the set of shown symbols every `period_s` (in `jts.app`: the symbols of
the `bars:` channels someone subscribes to, i.e. open symbol pages) and passes it on when it
changed. Reading on a timer, not on each subscribe, keeps a page flipping between symbols
from re-planning a broker's subscriptions many times a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from jts.core.lifecycle import Service

__all__ = ["ShownSymbols"]

_log = logging.getLogger(__name__)


class ShownSymbols(Service):
    def __init__(
        self,
        source: Callable[[], set[str]],
        sink: Callable[[set[str]], Awaitable[None]],
        *,
        period_s: float = 2.0,
    ) -> None:
        super().__init__("shown-symbols")
        self._source = source
        self._sink = sink
        self._period_s = period_s
        self.shown: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    async def _on_start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="shown-symbols")

    async def _on_stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def check(self) -> None:
        """Pass the shown symbols on if they changed since the last check."""
        now = self._source()
        if now != self.shown:
            await self._sink(set(now))
            self.shown = set(now)

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the next round tries again
                _log.exception("passing the shown symbols on failed")
            await asyncio.sleep(self._period_s)
