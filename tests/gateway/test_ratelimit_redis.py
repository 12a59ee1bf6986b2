"""`RedisLimiter` against the local Redis (127.0.0.1:6379): atomic, shared between processes,
self-expiring, and limiting per process when Redis is gone. Skipped when Redis is not running."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from structlog.testing import capture_logs

from jts.gateway.ratelimit import MemoryLimiter, RedisLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"

NewClient = Callable[[], Awaitable[aioredis.Redis]]


@pytest.fixture
def prefix() -> str:
    return f"jts:test:rl:{uuid.uuid4().hex}:"


@pytest.fixture
async def new_client(prefix: str) -> AsyncIterator[NewClient]:
    """Clients with their own connection pools (one per simulated gateway process); the keys
    under this test's prefix are deleted afterwards."""
    probe = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await probe.ping()
    except RedisError as exc:
        await probe.aclose()
        reason = f"Redis not reachable at {REDIS_URL}: {exc}"
        print(reason)
        pytest.skip(reason)
    clients: list[aioredis.Redis] = [probe]

    async def make() -> aioredis.Redis:
        client = aioredis.Redis.from_url(REDIS_URL)
        clients.append(client)
        return client

    yield make
    keys = [key async for key in probe.scan_iter(match=prefix + "*")]
    if keys:
        await probe.delete(*keys)
    for client in clients:
        await client.aclose()


async def test_a_full_burst_is_allowed_then_refused_with_the_interval_as_retry_after(
    new_client: NewClient, prefix: str
) -> None:
    limiter = RedisLimiter(await new_client(), prefix=prefix)
    seen = [await limiter.hit("user:1", 100, 60) for _ in range(101)]
    assert all(d.allowed for d in seen[:100])
    assert [d.remaining for d in seen[:100]] == list(range(99, -1, -1))
    assert not seen[100].allowed
    assert 0.5 < seen[100].retry_after_s <= 0.6
    assert limiter.failures == 0


async def test_redis_and_memory_agree_on_a_burst(new_client: NewClient, prefix: str) -> None:
    shared = RedisLimiter(await new_client(), prefix=prefix)
    local = MemoryLimiter(clock=lambda: 0.0)
    for cost in (1, 3, 2, 5, 4):
        remote, here = await shared.hit("k", 10, 3600, cost), await local.hit("k", 10, 3600, cost)
        assert (remote.allowed, remote.remaining) == (here.allowed, here.remaining)


async def test_waiting_out_retry_after_is_enough(new_client: NewClient, prefix: str) -> None:
    limiter = RedisLimiter(await new_client(), prefix=prefix)
    assert (await limiter.hit("k", 2, 0.2)).allowed
    assert (await limiter.hit("k", 2, 0.2)).allowed
    refused = await limiter.hit("k", 2, 0.2)
    assert not refused.allowed
    await asyncio.sleep(refused.retry_after_s)
    assert (await limiter.hit("k", 2, 0.2)).allowed


async def test_two_processes_share_one_budget(new_client: NewClient, prefix: str) -> None:
    first = RedisLimiter(await new_client(), prefix=prefix)
    second = RedisLimiter(await new_client(), prefix=prefix)
    decisions = await asyncio.gather(
        *(limiter.hit("user:7", 50, 60) for _ in range(60) for limiter in (first, second))
    )
    assert sum(d.allowed for d in decisions) == 50
    assert not (await first.hit("user:7", 50, 60)).allowed
    assert not (await second.hit("user:7", 50, 60)).allowed


async def test_keys_expire_when_their_budget_is_full_again(
    new_client: NewClient, prefix: str
) -> None:
    client = await new_client()
    limiter = RedisLimiter(client, prefix=prefix)
    await limiter.hit("k", 10, 60, cost=4)
    ttl_ms = await client.pttl(prefix + "k")
    assert 23_000 < ttl_ms <= 24_000
    await limiter.hit("short", 1, 0.05)
    await asyncio.sleep(0.1)
    assert not await client.exists(prefix + "short")


async def test_an_unreachable_redis_limits_per_process_and_warns_once() -> None:
    limiter = RedisLimiter.from_url("redis://127.0.0.1:1/0", timeout_s=0.2, recheck_s=60)
    try:
        with capture_logs() as logs:
            decisions = [await limiter.hit("user:1", 3, 60) for _ in range(4)]
    finally:
        await limiter.aclose()
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert limiter.failures == 4
    assert limiter.degraded
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [entry["event"] for entry in warnings] == ["rate_limit.redis_unavailable"]


async def test_redis_is_used_again_once_it_answers(new_client: NewClient, prefix: str) -> None:
    await new_client()  # skips the test when Redis is not running
    link = _Link()
    port = await link.open()
    limiter = RedisLimiter.from_url(f"redis://127.0.0.1:{port}/0", prefix=prefix, recheck_s=0)
    try:
        assert (await limiter.hit("k", 5, 60)).remaining == 4
        await link.cut()
        with capture_logs() as logs:
            assert (await limiter.hit("k", 5, 60)).remaining == 4  # this process's own count
            assert limiter.degraded
            await link.open(port)
            assert (await limiter.hit("k", 5, 60)).remaining == 3  # the shared count again
    finally:
        await limiter.aclose()
        await link.cut()
    assert not limiter.degraded
    assert limiter.failures == 1
    events = [entry["event"] for entry in logs]
    assert events == ["rate_limit.redis_unavailable", "rate_limit.redis_recovered"]


class _Link:
    """A TCP relay to the local Redis that can be cut and restored, like a network blink."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def open(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", port)
        return int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in self._writers:
                writer.close()
            await self._server.wait_closed()
            self._server, self._writers = None, []

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 6379)
        self._writers += [writer, up_writer]
        await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, RuntimeError):
        pass
    finally:
        writer.close()
