"""In-process bus: asyncio fan-out by reference, no serialization (events are immutable).

Routing is a dict from topic to a precomputed `_Route`, rebuilt only when subscriptions change,
so publishing to SYNC subscribers costs one dict lookup and a loop over a tuple of handlers.
Queued subscribers (BLOCK, CONFLATE, DROP_OLDEST) each own one consumer task, which keeps
per-key order (`jts.bus.subscribers`). A raising handler is logged and counted; the other
handlers still receive the event.

`stop()` drains: it refuses new events at once, lets every consumer deliver what is already
queued for up to `drain_timeout_s`, then cancels and awaits whatever is left (counted as
dropped). Late replies of timed-out requests get the same treatment, so no task outlives it.
"""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog

from jts.bus.base import (
    DEFAULT_CAPACITY,
    DEFAULT_REQUEST_TIMEOUT_S,
    WILDCARD,
    Backpressure,
    BusClosed,
    BusStats,
    DuplicateResponder,
    Handler,
    NoResponder,
    Policy,
    RequestTimeout,
    Responder,
    ResponderFailed,
)
from jts.bus.subscribers import (
    ConflatingSubscriber,
    FifoSubscriber,
    Hooks,
    QueuedSubscriber,
    Subscriber,
    callable_name,
)
from jts.core.errors import InvalidInput, JtsError
from jts.core.lifecycle import Service

_log = structlog.get_logger(__name__)


@dataclass(slots=True, frozen=True)
class _Route:
    """Who receives one topic, precomputed so that `publish` does only what it must."""

    sync: tuple[Handler, ...] = ()  # SYNC, any key
    keyed: dict[str, tuple[Handler, ...]] = field(default_factory=dict)  # SYNC, one key
    queued: tuple[QueuedSubscriber, ...] = ()
    blocking: tuple[QueuedSubscriber, ...] = ()  # the BLOCK ones among `queued`


class _Registration:
    def __init__(self, bus: InProcBus, topic: str, responder: Responder) -> None:
        self.topic, self.responder, self.active, self._bus = topic, responder, True, bus

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self._bus._responders.pop(self.topic, None)


class InProcBus(Service):
    """The default bus of `jts run`: one asyncio loop, events passed by reference."""

    def __init__(self, name: str = "bus", *, drain_timeout_s: float = 5.0) -> None:
        super().__init__(name)
        self._drain_timeout_s = drain_timeout_s
        self._open = False
        self._subs: dict[str, list[Subscriber]] = {}
        self._routes: dict[str, _Route] = {}
        self._star = _Route()  # route of topics nobody named: the wildcard subscribers
        self._responders: dict[str, _Registration] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        self._published = self._delivered = self._errors = self._backpressured = 0
        self._requests = self._request_errors = 0
        self._retired = [0, 0]  # conflated, dropped: counts of cancelled subscriptions
        self._hooks = Hooks(on_cancel=self._unsubscribe, on_error=self._failed)

    # -- publishing (the hot path) ---------------------------------------------------------

    def publish(self, topic: str, event: object, key: str | None = None) -> None:
        if not self._open:
            raise BusClosed(f"bus {self.name!r} is {self.state}: cannot publish to {topic!r}")
        route = self._routes.get(topic, self._star)
        if route.queued:
            self._enqueue(route, topic, event, key)
        self._published += 1
        handlers = route.sync
        self._delivered += len(handlers)
        for handler in handlers:
            try:
                handler(event)
            except Exception as exc:
                self._sync_failed(topic, None, handler, exc)
        if key is not None and route.keyed and (handlers := route.keyed.get(key, ())):
            self._delivered += len(handlers)
            for handler in handlers:
                try:
                    handler(event)
                except Exception as exc:
                    self._sync_failed(topic, key, handler, exc)

    async def publish_wait(self, topic: str, event: object, key: str | None = None) -> None:
        while self._open and (full := self._full_blocker(topic, key)) is not None:
            await full.wait_for_room()
        self.publish(topic, event, key)

    def _full_blocker(self, topic: str, key: str | None) -> QueuedSubscriber | None:
        for sub in self._routes.get(topic, self._star).blocking:
            if (sub.key is None or sub.key == key) and sub.full():
                return sub
        return None

    def _enqueue(self, route: _Route, topic: str, event: object, key: str | None) -> None:
        if route.blocking and (full := self._full_blocker(topic, key)) is not None:
            self._backpressured += 1
            raise Backpressure(topic, callable_name(full.handler), full.capacity)
        for sub in route.queued:
            if sub.key is None or sub.key == key:
                sub.put(event, key)

    # -- subscriptions ---------------------------------------------------------------------

    def subscribe(
        self,
        topic: str,
        handler: Handler,
        *,
        key: str | None = None,
        policy: Policy = Policy.SYNC,
        capacity: int | None = None,
    ) -> Subscriber:
        hooks = self._hooks
        sub: Subscriber
        if policy is Policy.SYNC:
            if capacity is not None:
                raise InvalidInput("capacity", "SYNC subscribers have no queue")
            if inspect.iscoroutinefunction(handler):
                raise InvalidInput("handler", "async handlers need a queued policy, not SYNC")
            sub = Subscriber(topic, handler, key, hooks)
        else:
            size = DEFAULT_CAPACITY[policy] if capacity is None else capacity
            if size < 1:
                raise InvalidInput("capacity", f"must be at least 1, got {size}")
            if policy is Policy.CONFLATE:
                sub = ConflatingSubscriber(topic, handler, key, capacity=size, hooks=hooks)
            else:
                sub = FifoSubscriber(topic, handler, key, policy=policy, capacity=size, hooks=hooks)
            if self._open:
                self._spawn(sub)
        self._subs.setdefault(topic, []).append(sub)
        self._reroute(topic)
        return sub

    def _unsubscribe(self, sub: Subscriber) -> None:
        self._subs[sub.topic].remove(sub)
        if isinstance(sub, QueuedSubscriber):
            sub.close(discard=True)
        self._reroute(sub.topic)
        self._delivered += sub.delivered  # keep the bus totals whole
        self._retired[0] += sub.conflated
        self._retired[1] += sub.dropped

    def _reroute(self, topic: str) -> None:
        if not self._subs.get(topic):
            self._subs.pop(topic, None)
        stars = self._subs.get(WILDCARD, [])
        self._star = self._route(stars)
        for name in [t for t in self._subs if t != WILDCARD] if topic == WILDCARD else [topic]:
            if subs := self._subs.get(name):
                self._routes[name] = self._route(subs + stars)
            else:
                self._routes.pop(name, None)

    @staticmethod
    def _route(subs: list[Subscriber]) -> _Route:
        keyed: dict[str, tuple[Handler, ...]] = {}
        for s in subs:
            if s.policy is Policy.SYNC and s.key is not None:
                keyed[s.key] = (*keyed.get(s.key, ()), s.handler)
        queued = tuple(s for s in subs if isinstance(s, QueuedSubscriber))
        return _Route(
            sync=tuple(s.handler for s in subs if s.policy is Policy.SYNC and s.key is None),
            keyed=keyed,
            queued=queued,
            blocking=tuple(s for s in queued if s.policy is Policy.BLOCK),
        )

    # -- failing handlers (the cold path) --------------------------------------------------

    def _sync_failed(self, topic: str, key: str | None, handler: Handler, exc: Exception) -> None:
        candidates = [*self._subs.get(topic, ()), *self._subs.get(WILDCARD, ())]
        wanted = (handler, key, Policy.SYNC)
        sub = next((s for s in candidates if (s.handler, s.key, s.policy) == wanted), None)
        if sub is None:  # it cancelled itself while handling the event
            sub = Subscriber(topic, handler, key, self._hooks)
        self._failed(sub, exc)

    def _failed(self, sub: Subscriber, exc: Exception) -> None:
        sub.errors += 1
        self._errors += 1
        if sub.errors <= 10 or sub.errors % 1_000 == 0:  # not a line per tick when it persists
            _log.error(
                "bus.handler_failed",
                topic=sub.topic,
                key=sub.key,
                handler=callable_name(sub.handler),
                failures=sub.errors,
                exc_info=exc,
            )

    # -- request / reply -------------------------------------------------------------------

    def register(self, topic: str, responder: Responder) -> _Registration:
        if topic in self._responders:
            raise DuplicateResponder(topic)
        reg = self._responders[topic] = _Registration(self, topic, responder)
        return reg

    async def request(
        self, topic: str, payload: object, *, timeout: float = DEFAULT_REQUEST_TIMEOUT_S
    ) -> Any:
        if not self._open:
            raise BusClosed(f"bus {self.name!r} is {self.state}: cannot request {topic!r}")
        if timeout <= 0:
            raise InvalidInput("timeout", f"must be positive seconds, got {timeout}")
        self._requests += 1
        try:
            if (reg := self._responders.get(topic)) is None:
                raise NoResponder(topic)
            reply = reg.responder(payload)
            if inspect.isawaitable(reply):
                reply = await self._reply_within(topic, reply, timeout)
        except JtsError:
            self._request_errors += 1
            raise
        except Exception as exc:
            self._request_errors += 1
            raise ResponderFailed(topic, exc) from exc
        return reply

    async def _reply_within(self, topic: str, reply: Any, timeout: float) -> Any:
        """Await the reply; on timeout the responder runs on, as it would across a network."""
        task = self._track(asyncio.ensure_future(reply))
        done, _ = await asyncio.wait((task,), timeout=timeout)
        if not done:
            task.add_done_callback(lambda t: self._late_reply(topic, t))
            raise RequestTimeout(topic, timeout)
        if task.cancelled():  # by stop(), after its drain timeout
            raise BusClosed(f"bus {self.name!r} stopped before {topic!r} replied")
        return task.result()

    @staticmethod
    def _late_reply(topic: str, task: asyncio.Future[Any]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            _log.error("bus.late_reply_failed", topic=topic, exc_info=exc)

    # -- lifecycle and stats ---------------------------------------------------------------

    def _queued(self) -> list[QueuedSubscriber]:
        return [s for subs in self._subs.values() for s in subs if isinstance(s, QueuedSubscriber)]

    def _track(self, task: asyncio.Future[Any]) -> asyncio.Future[Any]:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _spawn(self, sub: QueuedSubscriber) -> None:
        sub.closing = False
        name = f"{self.name}:{sub.topic}:{callable_name(sub.handler)}"
        self._track(asyncio.get_running_loop().create_task(sub.run(), name=name))

    async def _on_start(self) -> None:
        self._open = True
        for sub in self._queued():
            self._spawn(sub)

    async def _on_stop(self) -> None:
        self._open = False
        for sub in self._queued():
            sub.close(discard=False)
        if tasks := set(self._tasks):
            _, late = await asyncio.wait(tasks, timeout=self._drain_timeout_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                _log.warning("bus.drain_timeout", bus=self.name, cancelled=len(late))

    def stats(self) -> BusStats:
        subs = [s.stats() for subs in self._subs.values() for s in subs]
        return BusStats(
            published=self._published,
            delivered=self._delivered + sum(s.delivered or 0 for s in subs),
            conflated=self._retired[0] + sum(s.conflated for s in subs),
            dropped=self._retired[1] + sum(s.dropped for s in subs),
            handler_errors=self._errors,
            backpressured=self._backpressured,
            requests=self._requests,
            request_errors=self._request_errors,
            subscriptions=tuple(subs),
        )

    def _health_details(self) -> dict[str, Any]:
        details: dict[str, Any] = msgspec.to_builtins(self.stats())
        return details
