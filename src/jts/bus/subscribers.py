"""One subscription's side of the in-process bus: its counters, its queue and its consumer task.

`Subscriber` is a SYNC subscription (the bus calls its handler inline). The queued policies add
a buffer drained by `QueuedSubscriber.run`, one task per subscription, which is what keeps each
key's events in publish order: `FifoSubscriber` serves BLOCK and DROP_OLDEST,
`ConflatingSubscriber` serves CONFLATE. The bus owns routing and lifecycle (`jts.bus.inproc`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from jts.bus.base import Handler, Policy, SubscriptionStats


def callable_name(fn: object) -> str:
    """A readable name for a handler in logs and stats (functions, methods, callable objects)."""
    return getattr(fn, "__qualname__", None) or type(fn).__qualname__


class Hooks(NamedTuple):
    """The owning bus's bookkeeping, called on `cancel()` and when a handler raises."""

    on_cancel: Callable[[Subscriber], None]
    on_error: Callable[[Subscriber, Exception], None]


class Subscriber:
    """A subscription: what it wants (topic, key, handler) and its counters."""

    policy = Policy.SYNC

    def __init__(
        self,
        topic: str,
        handler: Handler,
        key: str | None,
        hooks: Hooks,
    ) -> None:
        self.topic, self.handler, self.key = topic, handler, key
        self.active, self.capacity = True, 0
        self.delivered = self.conflated = self.dropped = self.errors = 0
        self.hooks = hooks

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self.hooks.on_cancel(self)

    def depth(self) -> int:
        return 0

    def stats(self) -> SubscriptionStats:
        queued = self.policy is not Policy.SYNC
        return SubscriptionStats(
            topic=self.topic,
            key=self.key,
            policy=self.policy,
            handler=callable_name(self.handler),
            capacity=self.capacity if queued else None,
            depth=self.depth(),
            delivered=self.delivered if queued else None,
            conflated=self.conflated,
            dropped=self.dropped,
            errors=self.errors,
        )


class QueuedSubscriber(Subscriber):
    """Base of the queued policies: the bus calls `put`, the consumer task runs `run`."""

    def __init__(
        self,
        topic: str,
        handler: Handler,
        key: str | None,
        *,
        capacity: int,
        hooks: Hooks,
    ) -> None:
        super().__init__(topic, handler, key, hooks)
        self.capacity, self.closing = capacity, False
        self._wake, self._room = asyncio.Event(), asyncio.Event()

    def put(self, event: object, key: str | None) -> None:
        raise NotImplementedError

    def take(self) -> object:
        raise NotImplementedError

    def full(self) -> bool:
        return self.depth() >= self.capacity

    def close(self, *, discard: bool) -> None:
        """End the consumer once empty (at once if `discard`); wake publishers waiting for room."""
        self.closing = True
        while discard and self.depth():
            self.take()
        self._wake.set()
        self._room.set()

    async def wait_for_room(self) -> None:
        self._room.clear()
        await self._room.wait()

    async def run(self) -> None:
        """Deliver queued events one at a time, in order, until closed and drained."""
        handler, wake, room = self.handler, self._wake, self._room
        try:
            while True:
                if not self.depth():
                    if self.closing:
                        return
                    wake.clear()
                    await wake.wait()
                    continue
                event = self.take()
                room.set()
                self.delivered += 1
                try:
                    result = handler(event)
                    if result is not None and inspect.isawaitable(result):
                        await result
                except Exception as exc:
                    self.hooks.on_error(self, exc)
        except asyncio.CancelledError:
            self.dropped += self.depth()
            raise


class FifoSubscriber(QueuedSubscriber):
    """BLOCK (the bus checks `full()` before putting) or DROP_OLDEST (the deque's maxlen drops)."""

    def __init__(
        self,
        topic: str,
        handler: Handler,
        key: str | None,
        *,
        policy: Policy,
        capacity: int,
        hooks: Hooks,
    ) -> None:
        super().__init__(topic, handler, key, capacity=capacity, hooks=hooks)
        self.policy = policy
        self._items: deque[object] = deque(maxlen=capacity)

    def put(self, event: object, key: str | None) -> None:
        if len(self._items) == self.capacity:
            self.dropped += 1
        self._items.append(event)
        self._wake.set()

    def take(self) -> object:
        return self._items.popleft()

    def full(self) -> bool:
        return len(self._items) >= self.capacity

    def depth(self) -> int:
        return len(self._items)


class ConflatingSubscriber(QueuedSubscriber):
    """One pending event per key; a newer one takes the old one's place, so no key starves."""

    policy = Policy.CONFLATE

    def __init__(
        self,
        topic: str,
        handler: Handler,
        key: str | None,
        *,
        capacity: int,
        hooks: Hooks,
    ) -> None:
        super().__init__(topic, handler, key, capacity=capacity, hooks=hooks)
        self._latest: dict[str | None, object] = {}

    def put(self, event: object, key: str | None) -> None:
        latest = self._latest
        if key in latest:
            self.conflated += 1
        elif len(latest) >= self.capacity:  # more distinct keys than capacity: oldest goes
            del latest[next(iter(latest))]
            self.dropped += 1
        latest[key] = event  # replacing a value keeps the key's place in the dict's order
        self._wake.set()

    def take(self) -> object:
        return self._latest.pop(next(iter(self._latest)))

    def depth(self) -> int:
        return len(self._latest)
