"""One life cycle for every service: created → starting → running → stopping → stopped (or failed).

Each service (bus, market data, OMS, gateway ...) derives from `Service` and implements
`_on_start` / `_on_stop`; `start()` and `stop()` are idempotent and record failures so that
`health()` can report them. `jts run` starts services in dependency order and stops them in
reverse (see `jts.app`).
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import msgspec

from jts.core.errors import ServiceError


class ServiceState(StrEnum):
    CREATED = "created"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


class Health(msgspec.Struct, frozen=True, kw_only=True):
    """A service's answer to "are you well?"; `details` is free-form and JSON-serializable."""

    name: str
    state: ServiceState
    healthy: bool
    since_ns: int
    error: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)


@runtime_checkable
class Lifecycle(Protocol):
    """What `jts.app` needs of a service."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def health(self) -> Health: ...


class Service:
    """Base class implementing the state machine; subclasses override the two hooks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._state = ServiceState.CREATED
        self._since_ns = time.time_ns()
        self._error: str | None = None

    @property
    def state(self) -> ServiceState:
        return self._state

    async def start(self) -> None:
        if self._state in (ServiceState.RUNNING, ServiceState.STARTING):
            return
        self._transition(ServiceState.STARTING)
        try:
            await self._on_start()
        except Exception as exc:
            self._mark_failed(exc)
            raise ServiceError(f"{self.name} failed to start: {exc}") from exc
        self._transition(ServiceState.RUNNING)

    async def stop(self) -> None:
        if self._state in (ServiceState.STOPPED, ServiceState.CREATED, ServiceState.STOPPING):
            if self._state is ServiceState.CREATED:
                self._transition(ServiceState.STOPPED)
            return
        self._transition(ServiceState.STOPPING)
        try:
            await self._on_stop()
        except Exception as exc:
            self._mark_failed(exc)
            raise ServiceError(f"{self.name} failed to stop cleanly: {exc}") from exc
        self._transition(ServiceState.STOPPED)

    def health(self) -> Health:
        return Health(
            name=self.name,
            state=self._state,
            healthy=self._state is ServiceState.RUNNING and self._is_healthy(),
            since_ns=self._since_ns,
            error=self._error,
            details=self._health_details(),
        )

    async def _on_start(self) -> None:
        """Acquire resources; raise to fail the start."""

    async def _on_stop(self) -> None:
        """Release resources."""

    def _is_healthy(self) -> bool:
        """Extra check while running (a feed gone stale, a lost connection)."""
        return True

    def _health_details(self) -> dict[str, Any]:
        return {}

    def _transition(self, state: ServiceState) -> None:
        self._state = state
        self._since_ns = time.time_ns()

    def _mark_failed(self, exc: BaseException) -> None:
        self._error = f"{type(exc).__name__}: {exc}"
        self._transition(ServiceState.FAILED)
