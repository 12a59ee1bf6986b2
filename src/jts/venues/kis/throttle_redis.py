"""`RedisBuckets`: the KIS request budget shared by every process that uses the same app key.

Each bucket is a Redis hash (`tokens`, `at` µs) updated by one Lua script, so the refill and
the take are atomic across processes. The script reads Redis's own clock (`TIME`): processes
whose clocks disagree still agree on the budget. An idle bucket expires on its own once full.

If Redis cannot answer, the budget falls back to this process's memory (logged once): the
broker's own limit then answers any excess with EGW00201, which `KisRest` waits out, whereas
refusing every request would stop trading because the budget store blinked.
"""

from __future__ import annotations

from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from jts.venues.kis.throttle import BucketSpec, MemoryBuckets

__all__ = ["RedisBuckets"]

_log = structlog.get_logger(__name__)

# KEYS[1] bucket; ARGV rate (tokens/s), burst, take (0 or 1), reserve (tokens to leave).
# Returns {wait µs, tokens as text}.
_BUCKET_LUA: Final = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local take = tonumber(ARGV[3])
local reserve = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000000)
end
local wait = 0
if take > 0 then
  if tokens >= take + reserve then
    tokens = tokens - take
  else
    wait = math.ceil((take + reserve - tokens) * 1000000 / rate)
  end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {wait, string.format('%.17g', tokens)}
"""


class RedisBuckets:
    """Token buckets in Redis under `prefix` (one hash per app key id)."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str = "jts:kis:budget:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_BUCKET_LUA)
        self._fallback = MemoryBuckets()
        self._degraded = False

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "jts:kis:budget:", timeout_s: float = 1.0
    ) -> RedisBuckets:
        client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        return cls(client, prefix=prefix)

    @property
    def degraded(self) -> bool:
        """True while the budget is kept per process because Redis did not answer."""
        return self._degraded

    async def take(self, bucket: str, spec: BucketSpec, reserve: float = 0.0) -> float:
        reply = await self._call(bucket, spec, 1, reserve)
        if reply is None:
            return await self._fallback.take(bucket, spec, reserve)
        return int(reply[0]) / 1_000_000

    async def level(self, bucket: str, spec: BucketSpec) -> float:
        reply = await self._call(bucket, spec, 0, 0.0)
        if reply is None:
            return await self._fallback.level(bucket, spec)
        return float(reply[1])

    async def aclose(self) -> None:
        await self._redis.aclose()

    async def _call(self, bucket: str, spec: BucketSpec, take: int, reserve: float) -> Any:
        try:
            reply = await self._script(
                keys=[self._prefix + bucket], args=[spec.rate, spec.burst, take, reserve]
            )
        except RedisError as exc:
            if not self._degraded:
                self._degraded = True
                _log.warning("kis.budget.redis_unavailable", error=type(exc).__name__)
            return None
        if self._degraded:
            self._degraded = False
            _log.info("kis.budget.redis_recovered")
        return reply
