from __future__ import annotations

import pytest

from jts.core import Lifecycle, Service, ServiceError, ServiceState


class _Counting(Service):
    def __init__(self, fail_on_start: bool = False) -> None:
        super().__init__("counting")
        self.starts = 0
        self.stops = 0
        self.fail_on_start = fail_on_start

    async def _on_start(self) -> None:
        self.starts += 1
        if self.fail_on_start:
            raise RuntimeError("port busy")

    async def _on_stop(self) -> None:
        self.stops += 1


async def test_start_and_stop_are_idempotent() -> None:
    service = _Counting()
    await service.start()
    await service.start()
    assert service.state is ServiceState.RUNNING
    assert service.health().healthy
    await service.stop()
    await service.stop()
    assert (service.starts, service.stops) == (1, 1)
    assert service.state is ServiceState.STOPPED
    assert not service.health().healthy


async def test_failed_start_is_reported_in_health() -> None:
    service = _Counting(fail_on_start=True)
    with pytest.raises(ServiceError, match="counting failed to start: port busy"):
        await service.start()
    health = service.health()
    assert health.state is ServiceState.FAILED
    assert health.error == "RuntimeError: port busy"
    assert not health.healthy


async def test_stopping_a_never_started_service_does_nothing() -> None:
    service = _Counting()
    await service.stop()
    assert service.stops == 0
    assert service.state is ServiceState.STOPPED


def test_service_satisfies_lifecycle_protocol() -> None:
    assert isinstance(_Counting(), Lifecycle)
