"""`KisConnection`: the REST side of one KIS account, assembled from a `KisConfig`.

One keep-alive HTTP client is shared by the token calls and the TR calls; the request budget
lives in Redis when `config.redis_url` is set (every process using the same app keys then
shares it) and in this process otherwise. `KisVenue` holds one of these beside its WebSocket
client; tests build one against the simulator with an injected clock and sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import msgspec

from jts.core.clock import Clock, LiveClock
from jts.venues.kis.account import KisAccount
from jts.venues.kis.auth import KisAuth
from jts.venues.kis.backfill import MinuteBackfill
from jts.venues.kis.config import KisConfig
from jts.venues.kis.orders import KisOrders
from jts.venues.kis.rest import KisRest, new_http_client
from jts.venues.kis.throttle import BucketBackend, KeyUsage, MemoryBuckets, Throttle
from jts.venues.kis.throttle_redis import RedisBuckets
from jts.venues.kis.tokens import TokenStore

__all__ = ["KisConnection"]

Sleep = Callable[[float], Awaitable[None]]


class KisConnection(msgspec.Struct, kw_only=True):
    """Config, tokens, budget, REST client, account queries, order entry, backfill."""

    config: KisConfig
    http: httpx.AsyncClient
    tokens: TokenStore
    throttle: Throttle
    rest: KisRest
    account: KisAccount
    orders: KisOrders
    backfill: MinuteBackfill
    redis: RedisBuckets | None = None

    @classmethod
    def open(
        cls,
        config: KisConfig,
        *,
        clock: Clock | None = None,
        market_clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        http: httpx.AsyncClient | None = None,
        budget: BucketBackend | None = None,
        budget_prefix: str = "jts:kis:budget:",
        token_min_interval_s: float = 60.0,
        rest_attempts: int = 4,
        rest_backoff_s: float = 0.25,
        inquiry_delay_s: float = 1.0,
    ) -> KisConnection:
        """Build every part; nothing is sent until the first call (which issues or loads the
        token). `clock` runs tokens and the request budget (KIS's rules are real time: the
        machine's clock by default); `market_clock` dates orders, inquiries and bars (the
        venue's day; default `clock`). `budget`: where the request buckets live (default
        Redis when `config.redis_url` is set, else memory). `clock`/`sleep` are injected by
        tests; the other knobs tune retries and the uncertain-submit inquiry."""
        clock = clock if clock is not None else LiveClock()
        market_clock = market_clock if market_clock is not None else clock
        http = http if http is not None else new_http_client()
        redis = (
            RedisBuckets.from_url(config.redis_url, prefix=budget_prefix)
            if budget is None and config.redis_url
            else None
        )
        backend: BucketBackend = budget or redis or MemoryBuckets(clock)
        tokens = TokenStore(
            config.token_dir,
            KisAuth(config, http, clock=clock),
            clock=clock,
            sleep=sleep,
            min_interval_s=token_min_interval_s,
        )
        throttle = Throttle(
            [key.key_id for key in config.app_keys],
            config.requests_per_second,
            backend=backend,
            clock=clock,
            sleep=sleep,
        )
        rest = KisRest(
            config, tokens, throttle, http=http, sleep=sleep, attempts=rest_attempts,
            backoff_s=rest_backoff_s,
        )  # fmt: skip
        account = KisAccount(rest, config, clock=market_clock)
        orders = KisOrders(
            rest, config, account, clock=market_clock, sleep=sleep, inquiry_delay_s=inquiry_delay_s
        )
        return cls(
            config=config,
            http=http,
            tokens=tokens,
            throttle=throttle,
            rest=rest,
            account=account,
            orders=orders,
            backfill=MinuteBackfill(rest, clock=market_clock),
            redis=redis,
        )

    def budget(self) -> list[KeyUsage]:
        """Each app key's request budget use in this process (the monitoring page shows it)."""
        return self.throttle.usage()

    async def approval_key(self) -> str:
        """The WebSocket approval key of the primary app key (reused for a day)."""
        return await self.tokens.approval_key(self.config.primary_key)

    async def aclose(self) -> None:
        await self.http.aclose()
        if self.redis is not None:
            await self.redis.aclose()
