"""`Throttle`: KIS's per-app-key request limit as a token bucket, with a priority queue in front.

KIS allows ~20 REST requests/s per app key on the real host and ~2 on paper (KIS.md §3.4), and
answers excess with EGW00201. Whether its window is fixed or sliding is unknown, so
`BucketSpec.under_limit` picks a burst `C` and a rate `r` with `C + r <= limit`: no 1-second
window, wherever it starts, sees more than the limit. Waiting requests are served in priority
order, orders first, then order status, then quotes (first come first served within a level),
so a burst of quote polling never delays an order by more than one token. Across processes
(a shared Redis bucket) the queue cannot be shared, so quotes leave one token of headroom in
the bucket (when its burst allows): an order from another process finds it there.

The bucket state lives in a `BucketBackend`: `MemoryBuckets` for one process, or
`RedisBuckets` (`throttle_redis.py`) so that every process using the same app key shares one
budget. Time and waits are injectable (`clock`, `sleep`) so tests never depend on the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from enum import IntEnum
from typing import Protocol

import msgspec

from jts.core.clock import NS_PER_SECOND, Clock, LiveClock
from jts.core.errors import ConfigError

__all__ = [
    "BucketBackend",
    "BucketSpec",
    "KeyUsage",
    "MemoryBuckets",
    "Priority",
    "Throttle",
]

Sleep = Callable[[float], Awaitable[None]]

_EPSILON = 1e-9
"""A token short by less than this is there (ns rounding of the clock must not stall a wait)."""


class Priority(IntEnum):
    """Who goes first when the budget is short; lower is served first."""

    ORDER = 0  # submit / modify / cancel
    ORDER_STATUS = 1  # open orders, executions, balance: what reconciliation needs
    QUOTE = 2  # prices, charts, backfill


class BucketSpec(msgspec.Struct, frozen=True):
    """A token bucket: up to `burst` requests at once, refilled at `rate` per second."""

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ConfigError("kis.requests_per_second", f"bad bucket {self.rate}/s, {self.burst}")

    @classmethod
    def under_limit(cls, limit_per_s: float) -> BucketSpec:
        """The bucket that stays under `limit_per_s` in any 1-second window with room to
        spare: the burst a tenth of the limit (at least 1), the refill at most 80 % of it.
        KIS counts requests where they land, not where we granted them, so after a stall
        (a busy machine, a slow network) requests granted over more than a second can land in
        one; the spare absorbs that (bench/RESULTS.md, the 3-key runs). 20/s → 16/s + 2;
        2/s → 1/s + 1."""
        if limit_per_s < 2:
            return cls(rate=limit_per_s / 2, burst=1)
        burst = max(1, round(limit_per_s / 10))
        return cls(rate=min(0.8 * limit_per_s, limit_per_s - burst), burst=burst)


class BucketBackend(Protocol):
    """Where bucket levels live (this process's memory, or Redis shared by processes)."""

    async def take(self, bucket: str, spec: BucketSpec, reserve: float = 0.0) -> float:
        """Take one token if `1 + reserve` are there: 0.0 when taken, else the seconds until
        they will be. `reserve` keeps headroom for more urgent callers in other processes."""
        ...

    async def level(self, bucket: str, spec: BucketSpec) -> float:
        """Tokens available now (0 … burst), without taking one."""
        ...


class MemoryBuckets:
    """Bucket levels of this process, on an injectable clock."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock: Clock = clock if clock is not None else LiveClock()
        self._state: dict[str, tuple[float, int]] = {}  # bucket -> (tokens, at ns)

    def _refill(self, bucket: str, spec: BucketSpec) -> tuple[float, int]:
        now = self._clock.now_ns()
        tokens, at = self._state.get(bucket, (float(spec.burst), now))
        tokens = min(float(spec.burst), tokens + (now - at) / NS_PER_SECOND * spec.rate)
        return tokens, now

    async def take(self, bucket: str, spec: BucketSpec, reserve: float = 0.0) -> float:
        tokens, now = self._refill(bucket, spec)
        needed = 1.0 + reserve
        if tokens >= needed - _EPSILON:
            self._state[bucket] = (max(tokens - 1.0, 0.0), now)
            return 0.0
        self._state[bucket] = (tokens, now)
        return math.ceil((needed - tokens) / spec.rate * NS_PER_SECOND) / NS_PER_SECOND

    async def level(self, bucket: str, spec: BucketSpec) -> float:
        return self._refill(bucket, spec)[0]


class KeyUsage(msgspec.Struct, frozen=True, kw_only=True):
    """One app key's budget as this process sees it (for the monitoring page)."""

    key_id: str
    limit_per_s: float
    """KIS's limit for the key, requests/s; the bucket stays below it."""
    last_second: int
    """Requests this process sent with the key during the last second."""
    granted: int
    """Requests granted since start."""
    waiting: dict[str, int]
    """Requests queued now, by priority name."""
    waited_s: float
    """Total time requests spent queued, seconds."""


class _Waiter:
    __slots__ = ("key_id", "order", "priority")

    def __init__(self, priority: Priority, seq: int, key_id: str | None) -> None:
        self.priority = priority
        self.order = (int(priority), seq)
        self.key_id = key_id


class Throttle:
    """Grants requests one at a time per app key, highest priority first."""

    def __init__(
        self,
        key_ids: Sequence[str],
        limit_per_s: float,
        *,
        backend: BucketBackend | None = None,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        spec: BucketSpec | None = None,
    ) -> None:
        """`key_ids` are `AppKey.key_id` fingerprints (never the keys themselves: bucket names
        end up in Redis). `spec` overrides the bucket derived from `limit_per_s`."""
        if not key_ids:
            raise ConfigError("kis.app_keys", "the throttle needs at least one app key")
        self.key_ids = tuple(key_ids)
        self.limit_per_s = limit_per_s
        self.spec = spec if spec is not None else BucketSpec.under_limit(limit_per_s)
        self._clock: Clock = clock if clock is not None else LiveClock()
        self._backend: BucketBackend = backend if backend is not None else MemoryBuckets(clock)
        self._sleep = sleep
        self._seq = itertools.count()
        self._queue: list[_Waiter] = []
        self._changed = asyncio.Event()
        self._recent: dict[str, deque[int]] = {key: deque() for key in self.key_ids}
        self._granted = dict.fromkeys(self.key_ids, 0)
        self._priorities: dict[tuple[int, int], Priority] = {}
        self._waited_ns = 0
        headroom = float(min(1, self.spec.burst - 1))
        self._reserve = {Priority.ORDER: 0.0, Priority.ORDER_STATUS: 0.0, Priority.QUOTE: headroom}

    async def acquire(self, priority: Priority, key_id: str | None = None) -> str:
        """Wait for a request slot; returns the key id to send with (`key_id` if given, else
        the key whose budget frees first)."""
        if key_id is not None and key_id not in self._recent:
            raise ConfigError("kis.app_keys", f"unknown app key id {key_id}")
        waiter = _Waiter(priority, next(self._seq), key_id)
        self._priorities[waiter.order] = priority
        self._queue.append(waiter)
        self._queue.sort(key=lambda w: w.order)
        started = self._clock.now_ns()
        self._wake()
        try:
            while True:
                if self._queue[0] is waiter:
                    granted, wait = await self._try(waiter)
                    if granted is not None:
                        self._record(granted, started)
                        return granted
                    await self._nap(wait)
                else:
                    await self._changed.wait()
        finally:
            self._queue.remove(waiter)
            self._priorities.pop(waiter.order, None)
            self._wake()

    def usage(self) -> list[KeyUsage]:
        """Each key's budget use in this process, for monitoring."""
        now = self._clock.now_ns()
        waiting: dict[str, int] = {}
        for priority in self._priorities.values():
            waiting[priority.name] = waiting.get(priority.name, 0) + 1
        return [
            KeyUsage(
                key_id=key,
                limit_per_s=self.limit_per_s,
                last_second=sum(1 for at in self._recent[key] if at > now - NS_PER_SECOND),
                granted=self._granted[key],
                waiting=waiting,
                waited_s=self._waited_ns / NS_PER_SECOND,
            )
            for key in self.key_ids
        ]

    async def available(self, key_id: str) -> float:
        """Tokens left in the key's bucket now, as the backend (maybe shared) sees it."""
        return await self._backend.level(f"{key_id}", self.spec)

    async def _try(self, waiter: _Waiter) -> tuple[str | None, float]:
        keys = (waiter.key_id,) if waiter.key_id is not None else self.key_ids
        shortest = math.inf
        for key in keys:
            wait = await self._backend.take(key, self.spec, self._reserve[waiter.priority])
            if wait <= 0:
                return key, 0.0
            shortest = min(shortest, wait)
        return None, shortest

    async def _nap(self, seconds: float) -> None:
        """Sleep until a token is due, or until the queue changes (a more urgent arrival)."""
        changed = asyncio.ensure_future(self._changed.wait())
        timer = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait({changed, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (changed, timer):
                task.cancel()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _record(self, key: str, started_ns: int) -> None:
        now = self._clock.now_ns()
        recent = self._recent[key]
        recent.append(now)
        while recent and recent[0] <= now - NS_PER_SECOND:
            recent.popleft()
        self._granted[key] += 1
        self._waited_ns += now - started_ns
