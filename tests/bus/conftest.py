"""Fixtures for the bus tests: a running bus, a small immutable event and a condition waiter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import msgspec
import pytest

from jts.bus import InProcBus


class Quote(msgspec.Struct, frozen=True):
    """A stand-in market event: `seq` orders the quotes of one symbol."""

    symbol: str
    seq: int


@pytest.fixture
async def bus() -> AsyncIterator[InProcBus]:
    """A started bus, stopped (drained) after the test."""
    b = InProcBus(drain_timeout_s=1.0)
    await b.start()
    yield b
    await b.stop()


async def until(condition: Callable[[], bool], *, timeout: float = 2.0) -> None:
    """Yield to the loop until `condition()` holds; fail the test after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0)
