"""Message bus: topics of immutable events keyed by symbol, plus request/reply for commands.

`Bus` is the contract (`jts.bus.base`); `InProcBus` is the in-process asyncio backend used by
`jts run` and the tests. Kafka and Redis-streams backends implement the same Protocol.
"""

from jts.bus.base import (
    DEFAULT_CAPACITY,
    DEFAULT_REQUEST_TIMEOUT_S,
    WILDCARD,
    Backpressure,
    Bus,
    BusClosed,
    BusError,
    BusStats,
    DuplicateResponder,
    Handler,
    NoResponder,
    Policy,
    Registration,
    RequestFailed,
    RequestTimeout,
    Responder,
    ResponderFailed,
    Subscription,
    SubscriptionStats,
)
from jts.bus.inproc import InProcBus
from jts.bus.worker import BusWorker

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_REQUEST_TIMEOUT_S",
    "WILDCARD",
    "Backpressure",
    "Bus",
    "BusClosed",
    "BusError",
    "BusStats",
    "BusWorker",
    "DuplicateResponder",
    "Handler",
    "InProcBus",
    "NoResponder",
    "Policy",
    "Registration",
    "RequestFailed",
    "RequestTimeout",
    "Responder",
    "ResponderFailed",
    "Subscription",
    "SubscriptionStats",
]
