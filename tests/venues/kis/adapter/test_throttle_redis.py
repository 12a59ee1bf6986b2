"""`RedisBuckets` against the local Redis (127.0.0.1:6379): one budget per app key shared by
every client (process), refilled by Redis's clock. Skipped, saying why, without Redis."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from jts.venues.kis.connection import KisConnection
from jts.venues.kis.protocol import Tr
from jts.venues.kis.server import KisSimulator
from jts.venues.kis.throttle import BucketSpec, Priority, Throttle
from jts.venues.kis.throttle_redis import RedisBuckets
from tests.venues.kis.adapter.stack import config_for

REDIS_URL = "redis://127.0.0.1:6379/0"
SLOW = BucketSpec(rate=0.01, burst=3)
"""Refills one token per 100 s: nothing refills while a test runs, however loaded the machine."""


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    prefix = f"jts:test:kis:{uuid.uuid4().hex}:"
    probe = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        await probe.ping()
    except RedisError as exc:
        await probe.aclose()
        print(f"Redis not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield prefix
    keys = [key async for key in probe.scan_iter(match=prefix + "*")]
    if keys:
        await probe.delete(*keys)
    await probe.aclose()


async def test_two_clients_share_one_budget_per_key(prefix: str) -> None:
    first = RedisBuckets.from_url(REDIS_URL, prefix=prefix, timeout_s=10)
    second = RedisBuckets.from_url(REDIS_URL, prefix=prefix, timeout_s=10)
    try:
        waits = [await client.take("key-a", SLOW) for client in (first, second, first, second)]
        assert waits[:3] == [0.0, 0.0, 0.0]
        assert waits[3] > 90  # the fourth waits for a refill of ~100 s
        assert await second.take("key-b", SLOW) == 0.0  # another key, another budget
        assert await first.level("key-a", SLOW) < 0.1
    finally:
        await first.aclose()
        await second.aclose()


async def test_an_idle_bucket_expires_from_redis(prefix: str) -> None:
    buckets = RedisBuckets.from_url(REDIS_URL, prefix=prefix, timeout_s=10)
    probe = aioredis.Redis.from_url(REDIS_URL)
    try:
        await buckets.take("key-a", BucketSpec(rate=18, burst=2))
        ttl_ms = await probe.pttl(prefix + "key-a")
        assert 0 < ttl_ms <= 1_200
    finally:
        await buckets.aclose()
        await probe.aclose()


async def test_a_throttle_on_redis_grants_the_shared_burst(prefix: str) -> None:
    buckets = RedisBuckets.from_url(REDIS_URL, prefix=prefix, timeout_s=10)
    throttle = Throttle(["key-a"], 20, backend=buckets, spec=SLOW)
    other = Throttle(["key-a"], 20, backend=buckets, spec=SLOW)
    try:
        assert await throttle.acquire(Priority.ORDER) == "key-a"
        assert await other.acquire(Priority.ORDER) == "key-a"
        assert await throttle.available("key-a") == pytest.approx(1.0, abs=0.05)
    finally:
        await buckets.aclose()


async def test_without_redis_the_budget_falls_back_to_this_process() -> None:
    buckets = RedisBuckets.from_url("redis://127.0.0.1:1/0", timeout_s=0.1)
    try:
        assert await buckets.take("key-a", SLOW) == 0.0
        assert buckets.degraded
    finally:
        await buckets.aclose()


async def test_connections_with_a_redis_url_share_the_budget_of_their_key(
    kis_sim: KisSimulator, tmp_path: Path, prefix: str
) -> None:
    config = dataclasses.replace(
        config_for(kis_sim, tmp_path), redis_url=REDIS_URL, requests_per_second=0.02
    )
    first = KisConnection.open(config, budget_prefix=prefix)
    second = KisConnection.open(config, budget_prefix=prefix)
    key_id = config.primary_key.key_id
    try:
        assert await second.throttle.available(key_id) == pytest.approx(1.0)
        await first.rest.get(Tr.PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
        assert await second.throttle.available(key_id) < 0.1  # spent by the other connection
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_reserve_keeps_headroom_in_the_shared_bucket(prefix: str) -> None:
    buckets = RedisBuckets.from_url(REDIS_URL, prefix=prefix, timeout_s=10)
    try:
        quotes = [await buckets.take("key-a", SLOW, reserve=1) for _ in range(3)]
        assert quotes[:2] == [0.0, 0.0]
        assert quotes[2] > 90  # the last token is kept for orders
        assert await buckets.take("key-a", SLOW) == 0.0
    finally:
        await buckets.aclose()
