"""`KisWatch`: how `KisVenue` watches more symbols than KIS lets it stream.

A KIS session takes 41 WebSocket registrations; a strategy universe or a market watch has
hundreds to thousands of symbols. The subscription scheduler (`kis.subscriptions`) ranks
every watched symbol (held positions and open orders, then what a strategy trades, then what
the dashboard shows, then the rest), streams the top of the ranking and polls the rest by
multi-price inquiries within the REST budget left after a reserve for orders. This module
puts that plan to work on the venue's one `KisStream` and its `KisRest`:

* registrations the plan drops are unsubscribed before those it adds are subscribed, so the
  session's cap is never crossed;
* polled answers become `Tick`s when a symbol's cumulative volume grew since the last answer
  (the volume in between, at the last price: coarser than the stream, but bars and strategies
  see every polled symbol trade);
* the plan is made again when priorities change and every `replan_s` (promotions that wait
  on the scheduler's settle time happen then), and `status()` is the monitoring page's table.

Every app key opens its own session (KIS allows one per key) and adds its registrations and
its REST budget; the primary key's session also carries the order/fill notices. Pacing and
staleness run on the wall clock; tick times on the venue's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jts.core.clock import Clock, LiveClock
from jts.core.errors import JtsError
from jts.core.models import Tick
from jts.venues.kis.account import kis_int
from jts.venues.kis.config import KisConfig
from jts.venues.kis.protocol.trs import Tr
from jts.venues.kis.rest import KisRest
from jts.venues.kis.stream import KisStream
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Poller,
    PollLane,
    Priority,
    SchedulerConfig,
    StalenessTracker,
    SubscriptionScheduler,
    SubscriptionStatus,
    Tier,
    snapshot,
)
from jts.venues.kis.throttle import Priority as Urgency

__all__ = ["KisWatch", "PolledQuote"]

_log = logging.getLogger(__name__)

PolledQuote = tuple[int, int]
"""(last price, cumulative volume) of one multi-price row."""


class KisWatch:
    """The scheduler, the poller and the stream's registrations of one `KisVenue`."""

    def __init__(
        self,
        config: KisConfig,
        rest: KisRest,
        streams: Mapping[str, KisStream],
        publish: Callable[[Tick], None],
        *,
        market_clock: Clock,
        notices: bool = True,
        scheduler: SchedulerConfig | None = None,
        replan_s: float = 5.0,
        wall: Clock | None = None,
    ) -> None:
        """`streams`: one WebSocket session per app key id (each session's registration cap is
        its registry's: 40, the cautious side of KIS's 41); the primary key's carries the
        notice feed when `notices`, which takes one of its registrations."""
        self._rest = rest
        self._streams = dict(streams)
        self._publish = publish
        self._market_clock = market_clock
        self._wall = wall or LiveClock()
        self._replan_s = replan_s
        primary = config.primary_key.key_id
        budgets = [
            AppKeyBudget(
                name=key.key_id,
                ws_slots=slots(self._streams.get(key.key_id)),
                reserved_slots=int(notices and key.key_id == primary and key.key_id in streams),
                rest_per_s=config.requests_per_second,
            )
            for key in config.app_keys
        ]
        self.scheduler = SubscriptionScheduler(budgets, scheduler or SchedulerConfig())
        self.tracker = StalenessTracker()
        lanes = [self._lane(budget.name) for budget in budgets]
        self.poller = Poller(lanes, self.tracker)
        self._universe: dict[str, None] = {}
        self._tiers: dict[str, dict[Tier, int]] = {}
        self._volumes: dict[str, int] = {}
        self._shown: set[str] = set()
        self.stream_updates: dict[str, int] = {}
        self.refused = 0
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    def _lane(self, key: str) -> PollLane[Urgency, PolledQuote]:
        return PollLane(
            key,
            fetch=self._fetch,
            acquire=_throttled_by_rest,
            priority=Urgency.QUOTE,
            clock=self._wall,
            tracker=self.tracker,
            on_quotes=self._on_quotes,
        )

    # -- priorities ---------------------------------------------------------------------------

    async def watch(self, codes: Iterable[str], tier: Tier) -> None:
        """Watch `codes` at least at `tier` (a symbol keeps its highest reason)."""
        changed = False
        for code in codes:
            self._universe.setdefault(code, None)
            held = self._tiers.setdefault(code, {})
            changed |= tier not in held
            held[tier] = held.get(tier, 0) + 1
        if changed:
            await self.replan()

    async def unwatch(self, codes: Iterable[str], tier: Tier) -> None:
        """Drop one `tier` reason of `codes` (they stay in the universe, polled at least)."""
        changed = False
        for code in codes:
            held = self._tiers.get(code, {})
            if held.get(tier, 0) > 1:
                held[tier] -= 1
            elif held.pop(tier, None) is not None:
                changed = True
        if changed:
            await self.replan()

    async def show(self, codes: Iterable[str]) -> None:
        """Exactly `codes` are on a dashboard now: they gain `Tier.DASHBOARD`, others lose it."""
        wanted = set(codes)
        gone = self._shown - wanted
        added = wanted - self._shown
        self._shown = wanted
        for code in gone:
            self._tiers.get(code, {}).pop(Tier.DASHBOARD, None)
        for code in added:
            self._universe.setdefault(code, None)
            self._tiers.setdefault(code, {})[Tier.DASHBOARD] = 1
        if gone or added:
            await self.replan()

    def priorities(self) -> dict[str, Priority]:
        return {code: Priority(max(tiers)) for code, tiers in self._tiers.items() if tiers}

    # -- the plan at work ---------------------------------------------------------------------

    async def replan(self) -> None:
        """Make the plan again and apply it: drop registrations, add new ones, re-poll."""
        async with self._lock:
            self.scheduler.set_universe(self._universe)
            self.scheduler.set_priorities(self.priorities())
            now = self._wall.now_ns()
            change = self.scheduler.replan(now)
            for reg in change.unsubscribe:
                with contextlib.suppress(JtsError):
                    await self._streams[reg.key].unsubscribe(reg.tr_id, reg.code)
            for reg in change.subscribe:
                try:
                    await self._streams[reg.key].subscribe(reg.tr_id, reg.code)
                except JtsError as exc:  # refused (cap, another session): polled instead
                    self.refused += 1
                    _log.warning("KIS registration %s %s refused: %s", reg.tr_id, reg.code, exc)
            self.poller.apply(change.plan, now)

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self.poller.run(), name="kis-poller"),
                asyncio.create_task(self._replan_loop(), name="kis-replan"),
            ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _replan_loop(self) -> None:
        while True:
            await asyncio.sleep(self._replan_s)
            try:
                await self.replan()
            except Exception:  # the next round tries again; polling goes on meanwhile
                _log.exception("KIS subscription re-plan failed")

    # -- polling ------------------------------------------------------------------------------

    async def _fetch(self, codes: Sequence[str]) -> Mapping[str, PolledQuote]:
        params: dict[str, str] = {}
        for i, code in enumerate(codes, start=1):
            params[f"FID_COND_MRKT_DIV_CODE_{i}"] = "J"
            params[f"FID_INPUT_ISCD_{i}"] = code
        answer = await self._rest.get(Tr.MULTI_PRICE, params, priority=Urgency.QUOTE)
        rows = answer.output if isinstance(answer.output, list) else []
        return {
            str(row.get("inter_shrn_iscd", "")): (
                kis_int(row.get("inter2_prpr")),
                kis_int(row.get("acml_vol")),
            )
            for row in rows
            if isinstance(row, dict)
        }

    def _on_quotes(self, quotes: Mapping[str, PolledQuote]) -> None:
        now = self._market_clock.now_ns()
        for code, (price, volume) in quotes.items():
            before = self._volumes.get(code)
            self._volumes[code] = volume
            if before is None or volume <= before or price <= 0:
                continue  # the first answer is the baseline; no new volume, no print
            self._publish(
                Tick(symbol=code, ts_ns=now, price=price, qty=volume - before, cum_volume=volume)
            )

    def on_streamed(self, tick: Tick) -> None:
        """A streamed print: its symbol's quote is fresh now (for `status`)."""
        self.stream_updates[tick.symbol] = self._wall.now_ns()
        if tick.cum_volume:
            self._volumes[tick.symbol] = tick.cum_volume

    # -- monitoring ---------------------------------------------------------------------------

    def status(self) -> SubscriptionStatus | None:
        """Per symbol: streamed or polled, the staleness bound, the held quote's age."""
        plan = self.scheduler.plan
        if plan is None:
            return None
        return snapshot(plan, self.tracker, self.stream_updates, self._wall.now_ns())


def slots(stream: KisStream | None) -> int:
    """Registrations a session takes (none without a session)."""
    return stream.registry.max_registrations if stream is not None else 0


async def _throttled_by_rest(_: Any) -> None:
    """`KisRest.get` takes the throttle itself (choosing the key): the lane must not too."""
