"""Rate limiting of the gateway: a budget per user (per IP before sign-in), 429 when spent.

    gcra.py          the `RateLimiter` contract, `Decision`, and the GCRA arithmetic
    memory.py        `MemoryLimiter`: counts in this process (the default)
    redis_limiter.py `RedisLimiter`: counts shared by several gateway processes
    policy.py        `RatePolicy` (limits per role, exemptions), `RateLimitSettings`
    client_ip.py     the bucket of an anonymous caller
    middleware.py    `RateLimitMiddleware`: the ASGI layer that counts and answers 429

`jts.app` picks the backend from `RateLimitSettings.backend` and wraps the FastAPI app:
`RateLimitMiddleware(app, limiter, settings.policy(), identify)`.
"""

from jts.gateway.ratelimit.gcra import Decision, RateLimiter
from jts.gateway.ratelimit.memory import MemoryLimiter
from jts.gateway.ratelimit.middleware import Identify, RateLimitMiddleware, rate_limit_headers
from jts.gateway.ratelimit.policy import DEFAULT_EXEMPT, RateLimitSettings, RatePolicy
from jts.gateway.ratelimit.redis_limiter import RedisLimiter

__all__ = [
    "DEFAULT_EXEMPT",
    "Decision",
    "Identify",
    "MemoryLimiter",
    "RateLimitMiddleware",
    "RateLimitSettings",
    "RateLimiter",
    "RatePolicy",
    "RedisLimiter",
    "rate_limit_headers",
]
