"""The polling loop: each app key walks its poll groups round-robin at the plan's rate.

One `PollLane` per app key, because each key has its own REST budget. A lane paces itself to
the poll rate the plan gave its key (which already leaves the reserve for orders free) and
also asks the key's throttler (`acquire(priority)`) before every request, so that the
throttler, which sees orders too, stays the one authority on the KIS limit. The REST call is
an injected `fetch(codes) -> {code: quote}`; this module knows neither httpx nor the
throttler's internals, only these two callables. When `fetch` goes through a client that
takes the throttle itself (`KisRest.get` does, choosing the key), pass an `acquire` that
does nothing, or the request would be counted twice.

Pacing makes up for short stalls (a busy event loop, a slow throttle) by sending up to three
requests back to back, no more: after a longer delay the schedule restarts from the late send,
so no 1 s window sees more than the plan's rate plus two requests; the throttle, which
keeps its own margin under the KIS limit, has the last word.
A rate-limit refusal (which KIS did not execute) pauses the lane for the wait it asks.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Generic, TypeVar

from jts.core.clock import NS_PER_SECOND, Clock
from jts.core.errors import JtsError, RateLimited, VenueUnavailable
from jts.venues.kis.subscriptions.plan import PollGroup, SubscriptionPlan
from jts.venues.kis.subscriptions.staleness import StalenessTracker

__all__ = ["Fetch", "PollLane", "Poller", "Sleep"]

P = TypeVar("P")
Q = TypeVar("Q")

Fetch = Callable[[Sequence[str]], Awaitable[Mapping[str, Q]]]
"""One multi-price request for ≤ 30 codes; answers {code: quote} for the codes it found."""

Sleep = Callable[[float], Awaitable[None]]

_IDLE_S = 0.5  # how often a lane with nothing to poll looks again
_CATCH_UP = 3  # requests a lane may send back to back to make up for a stall


class PollLane(Generic[P, Q]):
    """Polls one app key's groups, one request every 1/rate seconds.

    Requests are sent on schedule without waiting for the previous answer (up to
    `max_in_flight` at once): with one request at a time, a 70 ms answer would cap a lane at
    14 req/s whatever the budget. The cap stays small on purpose: requests piling up behind a
    stalled server would all land in the same second once it recovers, and KIS counts its
    limit where they land. A group whose request was refused for rate or failed in
    transit is sent again before the next group in turn.
    """

    def __init__(
        self,
        key: str,
        *,
        fetch: Fetch[Q],
        acquire: Callable[[P], Awaitable[object]],
        priority: P,
        clock: Clock,
        tracker: StalenessTracker,
        sleep: Sleep = asyncio.sleep,
        on_quotes: Callable[[Mapping[str, Q]], None] | None = None,
        max_in_flight: int = 4,
    ) -> None:
        self.key = key
        self._fetch = fetch
        self._acquire = acquire
        self._priority = priority
        self._clock = clock
        self._tracker = tracker
        self._sleep = sleep
        self._on_quotes = on_quotes
        self._max_in_flight = max(1, max_in_flight)
        self._groups: tuple[PollGroup, ...] = ()
        self._interval_ns = 0
        self._next_ns = 0
        self._index = 0
        self._retry: deque[tuple[str, ...]] = deque()
        self._in_flight: set[asyncio.Task[None]] = set()
        self.requests = 0
        self.rate_limited = 0
        self.errors = 0
        self.most_in_flight = 0

    def update(self, groups: Sequence[PollGroup], rate: float) -> None:
        """Take the key's new groups and poll rate (req/s); the round-robin goes on from
        where it was rather than starting over, so no group waits two rounds."""
        self._groups = tuple(groups)
        self._interval_ns = round(NS_PER_SECOND / rate) if rate > 0 else 0
        self._index = self._index % len(self._groups) if self._groups else 0

    async def run(self) -> None:
        """Poll until cancelled; requests still in flight are cancelled with it."""
        try:
            while True:
                await self.step()
        finally:
            for task in list(self._in_flight):
                task.cancel()

    async def step(self) -> None:
        """Wait for the next slot, then send one request (or idle when there is nothing)."""
        if not self._groups or self._interval_ns <= 0:
            await self._sleep(_IDLE_S)
            return
        while (wait_ns := self._next_ns - self._clock.now_ns()) > 0:
            await self._sleep(wait_ns / NS_PER_SECOND)  # again if a refusal moved the slot
        while len(self._in_flight) >= self._max_in_flight:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
        await self._acquire(self._priority)
        codes = self._retry.popleft() if self._retry else self._next_codes()
        sent_ns = self._clock.now_ns()
        behind = sent_ns - self._next_ns >= _CATCH_UP * self._interval_ns
        self._next_ns = (sent_ns if behind else self._next_ns) + self._interval_ns
        self.requests += 1
        task = asyncio.create_task(self._request(codes, sent_ns))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        self.most_in_flight = max(self.most_in_flight, len(self._in_flight))

    async def drain(self) -> None:
        """Wait for the requests in flight (tests and orderly stops)."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))

    def _next_codes(self) -> tuple[str, ...]:
        self._index %= len(self._groups)
        codes = self._groups[self._index].codes
        self._index += 1
        return codes

    async def _request(self, codes: tuple[str, ...], sent_ns: int) -> None:
        try:
            quotes = await self._fetch(codes)
        except RateLimited as exc:
            self.rate_limited += 1
            self._retry.append(codes)
            pause_ns = round(exc.retry_after * NS_PER_SECOND)
            self._next_ns = max(self._next_ns, self._clock.now_ns() + pause_ns)
            return
        except VenueUnavailable:
            self.errors += 1
            self._retry.append(codes)
            return
        except JtsError:
            self.errors += 1  # refused: sending the same request again would not help
            return
        self._tracker.refreshed(quotes.keys(), sent_ns, self._clock.now_ns())
        if self._on_quotes is not None:
            self._on_quotes(quotes)


class Poller(Generic[P, Q]):
    """All keys' lanes, switched together to each new plan."""

    def __init__(self, lanes: Sequence[PollLane[P, Q]], tracker: StalenessTracker) -> None:
        self.lanes = {lane.key: lane for lane in lanes}
        self.tracker = tracker

    def apply(self, plan: SubscriptionPlan, now_ns: int) -> None:
        """Hand every lane its groups; newly polled symbols count as fresh from `now_ns`
        (they were streamed until now), symbols no longer polled stop being tracked."""
        polled = plan.polled()
        self.tracker.stop([code for code in self.tracker.codes() if code not in polled])
        self.tracker.start(sorted(polled), now_ns)
        for key, lane in self.lanes.items():
            lane.update(plan.groups_of(key), plan.poll_rate.get(key, 0.0))

    async def run(self) -> None:
        """Run every lane until cancelled."""
        async with asyncio.TaskGroup() as group:
            for lane in self.lanes.values():
                group.create_task(lane.run(), name=f"kis-poll-{lane.key}")
