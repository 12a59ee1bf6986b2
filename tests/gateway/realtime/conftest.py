"""Fixtures for the realtime tests: principals, a hub with short timings, and `FakeSink`, a
client that records every frame and can stop reading (to play a slow consumer)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec
import pytest

from jts.gateway.auth.principal import Principal, Role
from jts.gateway.realtime import HubConfig, RealtimeHub
from jts.gateway.realtime.connection import Connection

ALICE = Principal(user_id=1, username="alice", role=Role.TRADER)
BOB = Principal(user_id=2, username="bob", role=Role.VIEWER)


class FakeSink:
    """Records frames (decoded); `reading.clear()` makes `send` block like a full socket."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self.reading = asyncio.Event()
        self.reading.set()

    async def send(self, frame: bytes) -> None:
        await self.reading.wait()
        self.frames.append(msgspec.json.decode(frame))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Every message of every batch frame so far, optionally of one channel."""
        found = [m for f in self.of("batch") for m in f["messages"]]
        return [m for m in found if channel is None or m["channel"] == channel]


async def until(condition: Callable[[], bool], *, timeout: float = 2.0) -> None:
    """Yield to the loop until `condition()` holds; fail the test after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


async def settle(hub: RealtimeHub) -> None:
    """Wait long enough for every writer to send what is pending (two batch intervals)."""
    await asyncio.sleep(2 * hub.config.batch_ms / 1_000 + 0.01)


def client(hub: RealtimeHub, principal: Principal = ALICE) -> tuple[Connection, FakeSink]:
    sink = FakeSink()
    return hub.connect(principal, sink), sink


@pytest.fixture
async def hub() -> AsyncIterator[RealtimeHub]:
    """A running hub with a 20 ms batch interval and long heartbeats (tests set their own)."""
    h = RealtimeHub(HubConfig(batch_ms=20, heartbeat_s=60, idle_timeout_s=0))
    await h.start()
    yield h
    await h.stop()
