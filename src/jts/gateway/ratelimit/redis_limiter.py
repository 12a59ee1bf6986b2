"""`RedisLimiter`: the GCRA of `gcra.py` as one Lua script, so several gateway processes share
one budget per key.

The script runs atomically on the server and reads the server's clock (`TIME`), so processes
whose clocks disagree still agree on every decision. Each key carries a PEXPIRE equal to the
time until its budget is full again: an idle key vanishes on its own.

When Redis cannot answer, requests are decided by a limiter local to this process (fail open
to per-process limits), not refused. Refusing would lock every user out of everything, the
kill switch included, because the rate-limit store blinked; allowing without any limit would
hand an attacker an unlimited budget for as long as Redis is down. The switch is logged once
(a warning, and an info line on recovery) and counted in `failures`; after a failure Redis is
left alone for `recheck_s`, so an outage does not add a timeout to every request.
"""

from __future__ import annotations

import time
from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from jts.gateway.ratelimit.gcra import Decision, RateLimiter, check_request, decision_from
from jts.gateway.ratelimit.memory import MemoryLimiter

__all__ = ["RedisLimiter"]

_log = structlog.get_logger(__name__)

# KEYS[1] the bucket; ARGV limit, window (µs), cost. Returns {allowed, retry µs, TAT - now µs};
# the last as a string because Redis truncates Lua numbers in replies to integers. The TAT is
# stored with %.17g: Lua's default tostring keeps 14 digits, too few for µs since 1970.
_GCRA_LUA: Final = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local base = tonumber(redis.call('GET', KEYS[1]))
if base == nil or base < now then base = now end
local new_tat = base + cost * window / limit
local allow_at = new_tat - window
if allow_at > now then
  return {0, math.ceil(allow_at - now), string.format('%.17g', base - now)}
end
local ahead = new_tat - now
local ttl_ms = math.max(1, math.ceil(ahead / 1000))
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', ttl_ms)
return {1, 0, string.format('%.17g', ahead)}
"""


class RedisLimiter:
    """GCRA state in Redis under `prefix`; decisions fall back to `fallback` when it is down.

    Give the client short socket timeouts and few retries (`from_url` does): redis-py's
    defaults retry ten times with backoff, seconds of stall for a request when Redis is gone.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str = "jts:rl:",
        fallback: RateLimiter | None = None,
        recheck_s: float = 1.0,
    ) -> None:
        """`fallback` decides while Redis is unreachable (default: a `MemoryLimiter` of this
        process); after a failure Redis is tried again only once `recheck_s` has passed."""
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_GCRA_LUA)
        self._fallback: RateLimiter = fallback if fallback is not None else MemoryLimiter()
        self._recheck_s = recheck_s
        self._retry_at = 0.0
        self._failures = 0
        self._degraded = False
        self._owns_client = False

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "jts:rl:", timeout_s: float = 0.25, recheck_s: float = 1.0
    ) -> RedisLimiter:
        """A limiter with its own client: `timeout_s` to connect and per command, one
        immediate retry (a pooled connection the server closed), closed by `aclose`."""
        client = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1),
        )
        limiter = cls(client, prefix=prefix, recheck_s=recheck_s)
        limiter._owns_client = True
        return limiter

    @property
    def failures(self) -> int:
        """Hits decided by the fallback because Redis could not answer, since start."""
        return self._failures

    @property
    def degraded(self) -> bool:
        """True while decisions come from the fallback (the last Redis call failed)."""
        return self._degraded

    async def hit(self, key: str, limit: int, window_s: float, cost: int = 1) -> Decision:
        window_us = check_request(limit, window_s, cost)
        if self._degraded and time.monotonic() < self._retry_at:
            return await self._fall_back(key, limit, window_s, cost)
        try:
            reply = await self._script(keys=[self._prefix + key], args=[limit, window_us, cost])
        except RedisError as exc:
            self._on_failure(exc)
            return await self._fall_back(key, limit, window_s, cost)
        if self._degraded:
            self._degraded = False
            _log.info("rate_limit.redis_recovered", failures=self._failures)
        return _decision(reply, limit, window_us)

    async def aclose(self) -> None:
        """Close the client if `from_url` made it; a client passed in belongs to the caller."""
        if self._owns_client:
            await self._redis.aclose()

    def _on_failure(self, exc: RedisError) -> None:
        self._retry_at = time.monotonic() + self._recheck_s
        if not self._degraded:
            self._degraded = True
            _log.warning(
                "rate_limit.redis_unavailable",
                error=f"{type(exc).__name__}: {exc}",
                action="limiting per process until Redis answers",
            )

    async def _fall_back(self, key: str, limit: int, window_s: float, cost: int) -> Decision:
        self._failures += 1
        return await self._fallback.hit(key, limit, window_s, cost)


def _decision(reply: Any, limit: int, window_us: int) -> Decision:
    allowed, retry_us, ahead_us = reply
    return decision_from(bool(allowed), float(ahead_us), int(retry_us), limit, window_us)
