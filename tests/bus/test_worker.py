from __future__ import annotations

import asyncio
from typing import Any

from jts.bus import BusWorker, InProcBus


class _Counter(BusWorker):
    def __init__(self, bus: InProcBus, *, fail: bool = False) -> None:
        super().__init__("counter", bus, ("a", "b"), period_s=0.01)
        self.events: list[Any] = []
        self.runs = 0
        self.fail = fail

    def on_event(self, event: Any) -> None:
        self.events.append(event)

    def _periodic(self) -> None:
        self.runs += 1
        if self.fail:
            raise RuntimeError("boom")


async def test_worker_receives_its_topics_only_while_running() -> None:
    bus = InProcBus()
    await bus.start()
    worker = _Counter(bus)
    await worker.start()
    bus.publish("a", 1)
    bus.publish("b", 2)
    bus.publish("c", 3)
    await worker.stop()
    bus.publish("a", 4)
    assert worker.events == [1, 2]
    await bus.stop()


async def test_a_failing_periodic_job_keeps_running_and_is_counted() -> None:
    bus = InProcBus()
    await bus.start()
    worker = _Counter(bus, fail=True)
    await worker.start()
    for _ in range(200):
        if worker.runs >= 3:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    assert worker.runs >= 3
    assert worker.periodic_errors == worker.runs
    await bus.stop()
