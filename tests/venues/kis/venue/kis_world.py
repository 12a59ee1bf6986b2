"""A KIS simulator and a `KisVenue` (or `KisStream`) wired to it, for the stream and venue
tests: real sockets on 127.0.0.1, free ports, a simulated KST clock that stands still
(speed 0) unless a test moves it, so nothing trades unless the test says so."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date, time
from pathlib import Path
from typing import Any

from jts.core.enums import OrderType, Side
from jts.core.models import OrderRequest
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.protocol.trs import Env
from jts.venues.kis.server import AccountSpec, KisSimConfig, KisSimulator, demo_account
from jts.venues.kis.stream_health import Backoff
from jts.venues.kis.venue import KisVenue

DAY = date(2026, 11, 30)
SYMBOL = "005930"


def sim_config(*accounts: AccountSpec, **overrides: Any) -> KisSimConfig:
    """A small paper market on `DAY` at 10:00 KST, clock still, a generous request budget."""
    settings: dict[str, Any] = {
        "accounts": accounts or (demo_account(0),),
        "symbols": 3,
        "codes": (SYMBOL,),
        "day": DAY,
        "speed": 0.0,
        "start_time": time(10, 0),
        "rate_limit": 200,
        "token_interval_s": 0.0,
    }
    settings.update(overrides)
    return KisSimConfig(**settings)


def kis_config(
    sim: KisSimulator, spec: AccountSpec, token_dir: Path, **overrides: Any
) -> KisConfig:
    settings: dict[str, Any] = {
        "mode": Env.PAPER,
        "app_keys": (AppKey(spec.appkey, spec.appsecret),),
        "account": spec.account,
        "hts_id": spec.hts_id,
        "rest_url": sim.rest_url,
        "ws_url": sim.ws_url,
        "requests_per_second": 100.0,
        "token_dir": token_dir,
    }
    settings.update(overrides)
    return KisConfig(**settings)


def fast_backoff() -> Backoff:
    return Backoff(base_s=0.02, max_s=0.2)


def venue_for(sim: KisSimulator, spec: AccountSpec, token_dir: Path, **overrides: Any) -> KisVenue:
    """A venue on the simulator's clock that never calls the feed dead unless told."""
    options: dict[str, Any] = {
        "clock": sim.clock,
        "instruments": sim.market.instruments,
        "backoff": fast_backoff(),
        "feed_expected": lambda ts_ns: False,
        "rest_backoff_s": 0.01,
        "token_min_interval_s": 0.0,  # the simulator is configured without the minute rule
    }
    options.update(overrides)
    return KisVenue(kis_config(sim, spec, token_dir), **options)


def isolate(sim: KisSimulator, symbol: str, quotes: list[tuple[Side, int, int]]) -> None:
    """Empty `symbol`'s book and rest `quotes` (side, price KRW, shares) from account MM."""
    exchange = sim.market.exchange
    for order in exchange.open_orders():
        if order.symbol == symbol:
            exchange.cancel(order.order_id)
    for n, (side, price, qty) in enumerate(quotes):
        exchange.submit(
            OrderRequest(
                client_order_id=f"mm-{symbol}-{n}",
                account="MM",
                symbol=symbol,
                side=side,
                qty=qty,
                price=price,
                order_type=OrderType.LIMIT,
            )
        )
    sim.market.sync()


@contextlib.asynccontextmanager
async def running(config: KisSimConfig) -> AsyncIterator[KisSimulator]:
    async with KisSimulator.start(config) as sim:
        yield sim
