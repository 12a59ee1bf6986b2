"""BarPublisher: ticks and halts from the bus in, bars on md.bar.<interval> out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from jts.bus import InProcBus
from jts.core.clock import SimulatedClock
from jts.core.models import Bar
from jts.marketdata.aggregate import (
    HALT_TOPIC,
    TICK_TOPIC,
    BarPublisher,
    HaltStatus,
    aggregate_ticks,
    bar_topic,
)
from jts.marketdata.frames import TickFrame
from tests.marketdata.bar_cases import HYNIX, SAMSUNG, at, tick


@pytest.fixture
async def bus() -> AsyncIterator[InProcBus]:
    b = InProcBus(drain_timeout_s=1.0)
    await b.start()
    yield b
    await b.stop()


def test_bar_topics_name_the_interval() -> None:
    assert [bar_topic(s) for s in (1, 60, 300, 86_400)] == [
        "md.bar.1s",
        "md.bar.1m",
        "md.bar.5m",
        "md.bar.1d",
    ]


async def test_bars_are_published_keyed_by_symbol(bus: InProcBus) -> None:
    publisher = BarPublisher(bus, 60)
    received: list[Bar] = []
    bus.subscribe("md.bar.1m", received.append, key=SAMSUNG)
    await publisher.start()
    bus.publish(TICK_TOPIC, tick("09:00:10", 100), key=SAMSUNG)
    bus.publish(TICK_TOPIC, tick("09:00:11", 200, symbol=HYNIX), key=HYNIX)
    bus.publish(HALT_TOPIC, HaltStatus(symbol=SAMSUNG, ts_ns=at("09:00:30"), halted=True))
    bus.publish(TICK_TOPIC, tick("09:02:30", 110, auction=True), key=SAMSUNG)
    bus.publish(HALT_TOPIC, HaltStatus(symbol=SAMSUNG, ts_ns=at("09:02:30"), halted=False))
    bus.publish(TICK_TOPIC, tick("09:02:31", 111), key=SAMSUNG)
    bus.publish(TICK_TOPIC, "not an event", key=SAMSUNG)
    assert publisher.close_day() == 3  # the 09:00 bar went out when the halt print came
    assert [(b.ts_ns, b.close) for b in received] == [
        (at("09:00"), 100),
        (at("09:00:30"), 110),
        (at("09:02:30"), 111),
    ]
    details = publisher.health().details
    assert (details["accepted"], details["ignored_events"]) == (4, 1)
    await publisher.stop()
    bus.publish(TICK_TOPIC, tick("09:03:00", 100), key=SAMSUNG)
    assert publisher.aggregator.stats().accepted == 4


async def test_flush_task_publishes_a_bar_after_its_end_plus_the_lag(bus: InProcBus) -> None:
    clock = SimulatedClock(at("09:00:20"))
    publisher = BarPublisher(bus, 60, clock=clock, flush_every_s=0.001, flush_lag_s=2.0)
    received: list[Bar] = []
    bus.subscribe(publisher.topic, received.append)
    await publisher.start()
    bus.publish(TICK_TOPIC, tick("09:00:10", 100), key=SAMSUNG)
    clock.set(at("09:01:01"))
    await asyncio.sleep(0.02)
    assert received == []
    clock.set(at("09:01:02"))
    async with asyncio.timeout(2):
        while not received:
            await asyncio.sleep(0.001)
    assert received[0].ts_ns == at("09:00")
    await publisher.stop()


def test_batch_sorts_unsorted_frames_first() -> None:
    ticks = [tick("09:00:10", 100), tick("09:01:10", 101), tick("09:00:20", 102, symbol=HYNIX)]
    frame = TickFrame.from_ticks(ticks)
    shuffled = frame.take(np.array([2, 1, 0]))
    assert aggregate_ticks(shuffled, 60) == aggregate_ticks(frame, 60)
