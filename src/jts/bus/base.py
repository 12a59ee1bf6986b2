"""The message bus contract: topics of immutable events, keyed by symbol, plus request/reply.

Every arrow in the data flow is an event published on a *topic* (one topic per event type,
e.g. ``"md.tick"``) with an optional *key* (the symbol code). Subscribers choose a topic, an
optional key filter and a delivery `Policy`. One process uses `jts.bus.inproc.InProcBus`
(events passed by reference, no serialization); Kafka and Redis-streams backends implement the
same `Bus` Protocol, so services never know which one they run on.

Publishing: sync `publish` and async `publish_wait`
---------------------------------------------------
``publish(topic, event, key)`` is a plain function: it never awaits and never blocks the event
loop, so market-data hot loops and synchronous code (a strategy callback, a simulator step) can
call it. It is *all or nothing*: before anything is delivered it checks every matching `BLOCK`
subscriber, and if one of them has a full queue it raises `Backpressure` and delivers to nobody.
Otherwise SYNC handlers have run and queued subscribers hold the event when it returns.

``await publish_wait(topic, event, key)`` is the same publish, but when a `BLOCK` subscriber is
full it waits until there is room instead of raising. Orders, fills and anything else that must
never be dropped are published with `publish_wait`; quotes are published with `publish` (their
subscribers are SYNC, CONFLATE or DROP_OLDEST, which never push back).

Ordering: events with the same topic and key reach each subscriber in publish order, whatever
the policy (CONFLATE and DROP_OLDEST may skip some, never reorder). Nothing is promised across
keys, topics or subscribers. A bus is used from its event loop's thread only; other threads
hand events over with ``loop.call_soon_threadsafe(bus.publish, ...)``.

Requests
--------
Commands (submit an order, run a risk check, query positions) need an answer: one responder is
`register`-ed per command topic and ``await request(topic, payload, timeout=...)`` returns its
reply. Failures are told apart by class: `NoResponder` and `RequestTimeout` mean "retry with
backoff" (both are `VenueUnavailable`); a deliberate `JtsError` raised by the responder (an
`OrderDenied`, say) reaches the caller unchanged; any other exception arrives as
`ResponderFailed`. A timeout means the outcome is *unknown*, exactly as over a network: the
responder keeps running and may still act, so callers reconcile rather than assume nothing
happened.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Final, Protocol

import msgspec

from jts.core.errors import JtsError, VenueUnavailable
from jts.core.lifecycle import Lifecycle

WILDCARD: Final = "*"
"""Subscribe to this topic to receive the events of every topic (journals, recorders)."""

DEFAULT_REQUEST_TIMEOUT_S: Final = 5.0

Handler = Callable[[Any], object]
"""Receives one event. SYNC handlers must be plain functions; queued ones may be ``async``."""

Responder = Callable[[Any], object]
"""Receives a request payload and returns the reply, or an awaitable of it."""


class Policy(StrEnum):
    """How events reach one subscriber, chosen per subscription by what the consumer can lose.

    SYNC
        The handler is called inline, inside `publish`, before it returns. Fastest (no queue,
        no task); for in-process hot loops, backtests and tests. A slow SYNC handler slows the
        publisher: keep them short. Must be a plain (non-async) function. A SYNC handler that
        publishes on its own topic re-enters `publish`, so subscribers after it see the nested
        event first: give such feedback loops a queued policy.
    BLOCK
        A bounded FIFO queue drained by one consumer task. Nothing is ever dropped: when the
        queue is full, `publish` raises `Backpressure` and `publish_wait` waits for room.
        For orders, fills and positions.
    CONFLATE
        At most one pending event per key, the newest: a slow consumer sees the latest quote of
        each symbol and skips the intermediate ones (counted as *conflated*). `capacity` bounds
        the number of distinct pending keys; past it the oldest pending key is dropped (counted).
        For quotes and order books feeding a display or a slow model.
    DROP_OLDEST
        A bounded FIFO queue that, when full, discards its oldest event to make room (counted as
        *dropped*). For streams where recent history matters but the publisher must never wait,
        such as log lines or alerts.
    """

    SYNC = "sync"
    BLOCK = "block"
    CONFLATE = "conflate"
    DROP_OLDEST = "drop_oldest"


DEFAULT_CAPACITY: Final[dict[Policy, int]] = {
    Policy.BLOCK: 1_024,
    Policy.DROP_OLDEST: 1_024,
    Policy.CONFLATE: 8_192,  # distinct keys: every KRX/NXT listing fits
}


class BusError(JtsError):
    """Base of the errors the bus raises itself."""


class BusClosed(BusError):
    """The bus is not running (not started yet, or stopped): nothing can be published."""


class Backpressure(BusError):
    """A BLOCK subscriber's queue is full; nothing was delivered. Use `publish_wait` or retry."""

    def __init__(self, topic: str, subscriber: str, capacity: int) -> None:
        super().__init__(f"{topic}: subscriber {subscriber} is full ({capacity} events queued)")
        self.topic = topic
        self.subscriber = subscriber
        self.capacity = capacity


class DuplicateResponder(BusError):
    """A command topic already has its one responder: a wiring mistake."""

    def __init__(self, topic: str) -> None:
        super().__init__(f"{topic}: a responder is already registered")
        self.topic = topic


class RequestFailed(BusError):
    """Base of the ways a request can fail without the responder answering."""

    def __init__(self, topic: str, message: str) -> None:
        super().__init__(f"{topic}: {message}")
        self.topic = topic


class NoResponder(RequestFailed, VenueUnavailable):
    """Nobody serves this command topic (yet); retry with backoff."""

    def __init__(self, topic: str) -> None:
        super().__init__(topic, "no responder is registered")


class RequestTimeout(RequestFailed, VenueUnavailable):
    """No reply within `timeout_s` seconds; the outcome is unknown, the responder may still act."""

    def __init__(self, topic: str, timeout_s: float) -> None:
        super().__init__(topic, f"no reply within {timeout_s:g} s (outcome unknown)")
        self.timeout_s = timeout_s


class ResponderFailed(RequestFailed):
    """The responder raised an unexpected (non-JTS) exception; it is the ``__cause__``."""

    def __init__(self, topic: str, error: BaseException) -> None:
        super().__init__(topic, f"responder failed: {type(error).__name__}: {error}")
        self.error_type = type(error).__name__


class SubscriptionStats(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of one subscription. `delivered` is None for SYNC (not counted per handler)."""

    topic: str
    key: str | None
    policy: Policy
    handler: str
    capacity: int | None
    depth: int
    delivered: int | None
    conflated: int
    dropped: int
    errors: int


class BusStats(msgspec.Struct, frozen=True, kw_only=True):
    """Counters since the bus was created; `delivered` counts handler calls, failed ones too."""

    published: int
    delivered: int
    conflated: int
    dropped: int
    handler_errors: int
    backpressured: int
    requests: int
    request_errors: int
    subscriptions: tuple[SubscriptionStats, ...] = ()


class Registration(Protocol):
    """Handle of a responder (or subscriber); `cancel()` is idempotent."""

    @property
    def topic(self) -> str: ...

    @property
    def active(self) -> bool: ...

    def cancel(self) -> None:
        """Stop receiving; a queued subscriber's pending events are discarded.

        A `publish` already under way when a SYNC handler cancels may still deliver its event.
        """


class Subscription(Registration, Protocol):
    @property
    def key(self) -> str | None: ...

    @property
    def policy(self) -> Policy: ...


class Bus(Lifecycle, Protocol):
    """What services need of a message bus; see the module docstring for the contract."""

    def publish(self, topic: str, event: object, key: str | None = None) -> None:
        """Deliver now or raise (`Backpressure`, `BusClosed`); never awaits."""

    async def publish_wait(self, topic: str, event: object, key: str | None = None) -> None:
        """Like `publish`, but wait for room in full BLOCK subscribers instead of raising."""

    def subscribe(
        self,
        topic: str,
        handler: Handler,
        *,
        key: str | None = None,
        policy: Policy = Policy.SYNC,
        capacity: int | None = None,
    ) -> Subscription:
        """Receive events of `topic` (or `WILDCARD`), only those of `key` when it is given.

        `capacity` bounds queued policies (default `DEFAULT_CAPACITY[policy]`); None for SYNC.
        """
        ...

    def register(self, topic: str, responder: Responder) -> Registration:
        """Serve requests on `topic`; raises `DuplicateResponder` if it is already served."""
        ...

    async def request(
        self, topic: str, payload: object, *, timeout: float = DEFAULT_REQUEST_TIMEOUT_S
    ) -> Any:
        """Return the responder's reply; raises the `RequestFailed` family or its JtsError."""

    def stats(self) -> BusStats: ...
