"""Cost of rate limiting a gateway request: the limiter alone, and the middleware around an app.

    .venv/bin/python bench/gateway_ratelimit.py [--hits N] [--redis URL] [--json]

Scenarios (each the best of 3 runs; keys rotate over 10,000 users so the table is realistic):

* ``memory``            `MemoryLimiter.hit` awaited in a loop (hits/s)
* ``asgi bare``         a trivial ASGI app called directly: the ceiling for the two below
* ``asgi + limit``      the same app behind `RateLimitMiddleware` with a `MemoryLimiter`
* ``redis seq``         `RedisLimiter.hit` one at a time, a round trip each (needs Redis)
* ``redis x64``         64 hits in flight at once, as under concurrent requests

The limits are set high enough that every hit is allowed: refusals are cheaper.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.types import Message, Receive, Scope, Send

from jts.gateway.ratelimit import MemoryLimiter, RateLimitMiddleware, RatePolicy, RedisLimiter

USERS = 10_000
LIMIT = 10**6  # per 60 s: never reached, and one request per 60 µs of window


async def bench_memory(hits: int) -> float:
    limiter = MemoryLimiter()
    keys = [f"user:{n % USERS}" for n in range(hits)]
    start = time.perf_counter()
    for key in keys:
        await limiter.hit(key, LIMIT, 60)
    return time.perf_counter() - start


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _identify(scope: Scope) -> tuple[str, str | None]:
    return f"user:{scope['client'][1]}", "trader"


async def bench_asgi(hits: int, *, limited: bool) -> float:
    policy = RatePolicy(default_limit=LIMIT)
    app = RateLimitMiddleware(_app, MemoryLimiter(), policy, _identify) if limited else _app
    scopes = [
        {"type": "http", "method": "GET", "path": "/api/v1/ping", "headers": [],
         "client": ("10.0.0.1", n % USERS)}
        for n in range(hits)
    ]  # fmt: skip

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    start = time.perf_counter()
    for scope in scopes:
        await app(scope, receive, send)
    return time.perf_counter() - start


async def bench_redis(url: str, hits: int, in_flight: int) -> float | None:
    client = aioredis.Redis.from_url(url, socket_connect_timeout=0.5)
    prefix = f"jts:bench:rl:{uuid.uuid4().hex}:"
    try:
        await client.ping()
    except RedisError:
        await client.aclose()
        return None
    limiter = RedisLimiter(client, prefix=prefix)
    try:
        start = time.perf_counter()
        for first in range(0, hits, in_flight):
            batch = range(first, min(hits, first + in_flight))
            await asyncio.gather(*(limiter.hit(f"user:{n % USERS}", LIMIT, 60) for n in batch))
        elapsed = time.perf_counter() - start
        assert limiter.failures == 0
        return elapsed
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*", count=1_000)]
        for first in range(0, len(keys), 1_000):
            await client.delete(*keys[first : first + 1_000])
        await client.aclose()


def best(run: Callable[[], Coroutine[Any, Any, float | None]]) -> float | None:
    times = [asyncio.run(run()) for _ in range(3)]
    return None if None in times else min(t for t in times if t is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=100_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    hits: int = args.hits
    redis_hits = max(1, hits // 10)
    scenarios: dict[str, tuple[int, float | None]] = {
        "memory": (hits, best(lambda: bench_memory(hits))),
        "asgi bare": (hits, best(lambda: bench_asgi(hits, limited=False))),
        "asgi + limit": (hits, best(lambda: bench_asgi(hits, limited=True))),
        "redis seq": (redis_hits, best(lambda: bench_redis(args.redis, redis_hits, 1))),
        "redis x64": (redis_hits, best(lambda: bench_redis(args.redis, redis_hits, 64))),
    }
    rows = {
        name: None
        if seconds is None
        else {"per_s": count / seconds, "us_each": 1e6 * seconds / count}
        for name, (count, seconds) in scenarios.items()
    }
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for name, row in rows.items():
        if row is None:
            print(f"{name:<14} skipped (Redis not reachable at {args.redis})")
        else:
            print(f"{name:<14} {row['per_s']:>12,.0f} /s  {row['us_each']:>8.2f} µs each")


if __name__ == "__main__":
    main()
