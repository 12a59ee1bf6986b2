"""Runs the background agents (`agents.py`) on the exchange's virtual clock, many symbols at once.

Why a schedule drawn up front: a day of hundreds of symbols is several hundred thousand agent
arrivals and about a million order messages, so the per-arrival Python work must stay tiny.
Every arrival of the day — noise, momentum and auction orders, closing-price and after-hours
orders, the makers' requote timers — is drawn per symbol with numpy before the day starts,
then all symbols' arrivals are merged into one time-sorted array. `AgentFlow.run` walks it:
move the exchange clock to the arrival (the exchange runs its own timeline on the way:
auctions uncross, VIs end, books are published), call one handler. The only reactive work,
makers putting quotes back a latency after a fill, goes through a small heap merged into the
walk.

Determinism: each symbol draws from `numpy.random.default_rng((seed, stream, universe
position, day))`, the same stream whatever else runs, and the merge breaks time ties by row
then by draw order; the exchange is deterministic under its own seed. So the same (seed,
symbols, day) gives the same trades. Times are int ns UTC, prices int KRW, sizes int shares.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from jts.krx.sessions import Phase, sessions
from jts.venues.sim.agent_plan import (
    MINUTE_NS,
    FlowConfig,
    LatentDay,
    SymbolPlan,
    plan_symbol,
    widening,
)
from jts.venues.sim.agents import Agents, FlowStats
from jts.venues.sim.exchange import SimExchange

__all__ = ["AgentFlow", "FlowConfig", "LatentDay"]

Array = np.ndarray[Any, Any]
Handler = Callable[[int, int, float, float, float], None]

NOISE, MOMENTUM, AUCTION, CLOSING_PRICE, AFTER_HOURS, TIMER = range(6)
"""Arrival kinds, in the order of `AgentFlow`'s handler table."""

_STREAM: Final = 0x41_47_45_4E_54  # "AGENT": keeps these draws apart from other seeded streams
_NS: Final = 1_000_000_000
_MAX_SIZE_MULTIPLE: Final = 20.0
"""No single order is more than this many median orders."""


@dataclass(frozen=True, slots=True)
class _Windows:
    """When each kind of off-continuous arrival may come: [start, end) ns UTC, (0, 0) = never."""

    opening: tuple[int, int]
    closing: tuple[int, int]
    pre_close_price: tuple[int, int]
    post_close_price: tuple[int, int]
    after_hours: tuple[int, int]

    @classmethod
    def of(cls, exchange: SimExchange) -> _Windows:
        day = exchange.day
        found = {
            s.phase: (s.start_ns(day), s.end_ns(day))
            for s in sessions(day, exchange.config.venue, planned=exchange.config.planned_sessions)
        }
        never = (0, 0)
        return cls(
            found.get(Phase.OPENING_AUCTION, never),
            found.get(Phase.CLOSING_AUCTION, never),
            found.get(Phase.PRE_OPEN_CLOSING_PRICE, never),
            found.get(Phase.POST_CLOSE_CLOSING_PRICE, never),
            found.get(Phase.AFTER_HOURS, never),
        )


class AgentFlow:
    """The agents of every symbol of `latent` trading on `exchange` (listens to its events)."""

    def __init__(
        self,
        exchange: SimExchange,
        latent: LatentDay,
        *,
        seed: int,
        config: FlowConfig | None = None,
    ) -> None:
        self.exchange = exchange
        self.config = config or FlowConfig()
        day = exchange.day
        rngs = [
            np.random.default_rng([seed, _STREAM, int(position), day.toordinal()])
            for position in latent.index.tolist()
        ]
        plans = [
            plan_symbol(exchange, latent, row, self.config, rng) for row, rng in enumerate(rngs)
        ]
        minutes = len(latent.slot_ts) - 2
        self.agents = Agents(exchange, plans, rngs, self.config, widening(self.config, minutes))
        exchange.add_listener(self.agents.on_event)
        windows = _Windows.of(exchange)
        drawn = [
            _draw_symbol(rng, plans[row], latent, row, windows, self.config, _nxt(exchange, plan))
            for row, (rng, plan) in enumerate(zip(rngs, plans, strict=True))
        ]
        self._ts, self._row, self._kind, self._size, self._u = _merge(drawn)
        self._next = 0
        a = self.agents
        self._handlers: tuple[Handler, ...] = (
            a.noise, a.momentum, a.auction, a.closing_price, a.after_hours, a.timer,
        )  # fmt: skip

    @property
    def stats(self) -> FlowStats:
        return self.agents.stats

    @property
    def arrivals(self) -> int:
        """Scheduled arrivals of the whole day (each may send zero or more orders)."""
        return len(self._ts)

    def run(self, until_ns: int) -> None:
        """Play every arrival up to `until_ns` and leave the exchange clock there."""
        ts, rows, kinds, sizes, u = self._ts, self._row, self._kind, self._size, self._u
        handlers, refills, exchange = self._handlers, self.agents.refills, self.exchange
        i, end = self._next, len(ts)
        while i < end and ts[i] <= until_ns:
            now = ts[i]
            while refills and refills[0][0] <= now:
                self._refill()
            if now > exchange.now_ns():
                exchange.advance_to(now)
            first = 3 * i
            handlers[kinds[i]](rows[i], sizes[i], u[first], u[first + 1], u[first + 2])
            i += 1
        self._next = i
        while refills and refills[0][0] <= until_ns:
            self._refill()
        exchange.advance_to(until_ns)

    def _refill(self) -> None:
        due, row = heapq.heappop(self.agents.refills)
        if due > self.exchange.now_ns():
            self.exchange.advance_to(due)
        self.agents.refill(row)


def _nxt(exchange: SimExchange, plan: SymbolPlan) -> bool:
    """NXT-listed symbols are not traded in KRX's 16:00-18:00 rounds (KRX.md §2)."""
    return exchange.market(plan.symbol).rules.instrument.nxt_eligible


_Drawn = tuple[Array, Array, Array, Array]
"""One symbol's arrivals: ts (int64 ns), kind (int8), size (int64 shares), u (n, 3)."""


def _draw_symbol(
    rng: np.random.Generator,
    plan: SymbolPlan,
    latent: LatentDay,
    row: int,
    windows: _Windows,
    config: FlowConfig,
    nxt: bool,
) -> _Drawn:
    """Every arrival of one symbol's day, in draw order (merged and sorted later)."""
    minutes = plan.minutes
    volume = latent.volume[row, 1 : minutes + 1].astype(np.float64)
    total = float(volume.sum())
    share = volume / total if total > 0 else np.full(minutes, 1.0 / minutes)
    weight: Array = 0.9 * share + 0.1 / minutes
    starts = latent.slot_ts[1 : minutes + 1]
    orders = plan.orders_per_day
    parts = [
        (_per_minute(rng, starts, orders * weight), NOISE),
        (_per_minute(rng, starts, orders * config.momentum_share * weight), MOMENTUM),
        (_uniform(rng, windows.opening, orders * config.auction_share), AUCTION),
        (_uniform(rng, windows.closing, orders * config.auction_share), AUCTION),
        (_uniform(rng, windows.pre_close_price, config.closing_price_orders), CLOSING_PRICE),
        (_uniform(rng, windows.post_close_price, config.closing_price_orders), CLOSING_PRICE),
        (_timers(rng, plan, windows, config), TIMER),
    ]
    if not nxt:
        parts.append((_uniform(rng, windows.after_hours, config.after_hours_orders), AFTER_HOURS))
    ts = np.concatenate([times for times, _ in parts])
    kind = np.concatenate([np.full(len(times), k, np.int8) for times, k in parts])
    median = float(plan.order_size)
    size = np.exp(rng.normal(math.log(median), config.size_sigma, len(ts)))
    size = np.clip(size, plan.lot, median * _MAX_SIZE_MULTIPLE) // plan.lot * plan.lot
    return ts, kind, size.astype(np.int64), rng.random((len(ts), 3))


def _per_minute(rng: np.random.Generator, starts: Array, rate: Array) -> Array:
    """Poisson arrivals with `rate` per minute starting at `starts` (ns), uniform inside."""
    counts = rng.poisson(rate)
    offsets = (rng.random(int(counts.sum())) * MINUTE_NS).astype(np.int64)
    times: Array = np.repeat(starts, counts) + offsets
    return times


def _uniform(rng: np.random.Generator, window: tuple[int, int], mean: float) -> Array:
    """A Poisson(`mean`) number of arrivals spread uniformly over `window` (ns)."""
    start, end = window
    if end <= start:
        return np.empty(0, np.int64)
    count = int(rng.poisson(mean))
    times: Array = start + (rng.random(count) * (end - start)).astype(np.int64)
    return times


def _timers(
    rng: np.random.Generator, plan: SymbolPlan, windows: _Windows, config: FlowConfig
) -> Array:
    """The makers' requote ticks: the first 2-10 minutes before the opening uncross, then one
    per period (shorter for liquid symbols) when the snapped latent price moved since the
    previous one, until the closing auction's last 30 s."""
    open_end, close_end = windows.opening[1], windows.closing[1]
    if open_end == 0 or close_end == 0:
        return np.empty(0, np.int64)
    period = config.requote_s_illiquid + plan.liquidity * (
        config.requote_s_liquid - config.requote_s_illiquid
    )
    start = open_end - int((2 + 8 * rng.random()) * MINUTE_NS)
    grid = np.arange(start, close_end - 30 * _NS, int(period * _NS), dtype=np.int64)
    anchors = np.searchsorted(np.asarray(plan.ladder), _latent_at(plan, grid), side="right")
    moved = np.r_[True, anchors[1:] != anchors[:-1]]
    times: Array = grid[moved]
    return times


def _latent_at(plan: SymbolPlan, ts: Array) -> Array:
    """The latent price (KRW floats) at each of `ts`, as `Agents.anchor` computes it."""
    opens, closes = np.asarray(plan.opens), np.asarray(plan.closes)
    rel = ts - plan.t0
    k = np.clip(rel // MINUTE_NS, 0, plan.minutes - 1)
    frac = (rel - k * MINUTE_NS) / MINUTE_NS
    inside = opens[k + 1] + (closes[k + 1] - opens[k + 1]) * frac
    after = np.where(rel >= plan.minutes * MINUTE_NS, closes[-1], inside)
    latent: Array = np.where(rel < 0, opens[0], after)
    return latent


def _merge(
    drawn: Sequence[_Drawn],
) -> tuple[list[int], list[int], list[int], list[int], list[float]]:
    """All symbols' arrivals in time order (ties: row, then draw order) as plain lists."""
    if not drawn:
        return [], [], [], [], []
    ts = np.concatenate([d[0] for d in drawn])
    row = np.concatenate([np.full(len(d[0]), r, np.int64) for r, d in enumerate(drawn)])
    order = np.lexsort((row, ts))
    kind = np.concatenate([d[1] for d in drawn])[order]
    size = np.concatenate([d[2] for d in drawn])[order]
    u = np.concatenate([d[3] for d in drawn])[order]
    return ts[order].tolist(), row[order].tolist(), kind.tolist(), size.tolist(), u.ravel().tolist()
