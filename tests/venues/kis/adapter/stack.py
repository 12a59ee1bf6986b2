"""The adapter's parts wired to a running KIS simulator, on the simulator's clock.

Built with `KisConnection.open`, as `KisVenue` builds it. Waits (`sleep`) move the simulator's
clock instead of the wall clock, so the minute rule of token issuance, rate-limit retries and
inquiry delays cost no real time and cannot be flaky.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec

from jts.venues.kis.account import KisAccount
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.connection import KisConnection
from jts.venues.kis.orders import KisOrders
from jts.venues.kis.rest import KisRest
from jts.venues.kis.server import AccountSpec, KisSimulator
from jts.venues.kis.throttle import Throttle
from jts.venues.kis.tokens import TokenStore


class Stack(msgspec.Struct, kw_only=True):
    config: KisConfig
    tokens: TokenStore
    throttle: Throttle
    rest: KisRest
    account: KisAccount
    orders: KisOrders
    slept: list[float]
    connection: KisConnection


def config_for(sim: KisSimulator, token_dir: Path, spec: AccountSpec | None = None) -> KisConfig:
    spec = spec or sim.accounts[0]
    return KisConfig(
        mode=sim.env,
        app_keys=(AppKey(spec.appkey, spec.appsecret),),
        account=spec.account,
        hts_id=spec.hts_id,
        rest_url=sim.rest_url,
        ws_url=sim.ws_url,
        requests_per_second=1_000,
        token_dir=token_dir,
    )


@contextlib.asynccontextmanager
async def adapter(
    sim: KisSimulator,
    token_dir: Path,
    *,
    spec: AccountSpec | None = None,
    **rest_options: Any,
) -> AsyncIterator[Stack]:
    """`KisConnection` for `spec` (default the simulator's first customer) on the simulator's
    clock; `rest_options` rebuild the REST client with other retry settings."""
    config = config_for(sim, token_dir, spec)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        sim.advance(seconds)

    connection = KisConnection.open(config, clock=sim.clock, sleep=sleep)
    rest = connection.rest
    if rest_options:
        rest = KisRest(
            config, connection.tokens, connection.throttle, http=connection.http, sleep=sleep,
            **rest_options,
        )  # fmt: skip
    account = KisAccount(rest, config, clock=sim.clock)
    try:
        yield Stack(
            config=config,
            tokens=connection.tokens,
            throttle=connection.throttle,
            rest=rest,
            account=account,
            orders=KisOrders(rest, config, account, clock=sim.clock, sleep=sleep),
            slept=slept,
            connection=connection,
        )
    finally:
        await connection.aclose()
