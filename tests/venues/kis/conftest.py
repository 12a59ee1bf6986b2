"""Fixtures for everything that talks to the KIS simulator over real sockets.

`kis_sim` is a running paper simulator on free ports with a manual clock (speed 0: the market
moves only on `sim.advance(seconds)` and on requests), a generous rate limit (item 5 tests the
real one) and one customer with plenty of cash. `kis_sim_factory` starts others:

    async def test_x(kis_sim_factory):
        async with kis_sim_factory(env=Env.REAL, ws_cap=40) as sim:
            ...

The trading day is fixed (2026-11-27) and the clock starts at 09:00:30 KST in continuous
trading, so tests behave the same at any real hour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from jts.venues.kis.protocol import Env
from jts.venues.kis.server import AccountSpec, KisSimConfig, KisSimulator

DAY = dt.date(2026, 11, 27)
CODES = ("005930", "000660")


def account(n: int = 0, **fields: Any) -> AccountSpec:
    """A test customer; `n` varies its credentials and account number."""
    values: dict[str, Any] = {
        "appkey": f"PSTEST{n:02d}" + "k" * 28,
        "appsecret": f"SECRET{n:02d}" + "s" * 172,
        "account": f"5000000{n}-01",
        "hts_id": f"tester{n}",
        "cash": 10_000_000_000,
    }
    values.update(fields)
    return AccountSpec(**values)


def sim_config(**overrides: Any) -> KisSimConfig:
    values: dict[str, Any] = {
        "accounts": (account(0),),
        "env": Env.PAPER,
        "symbols": 8,
        "codes": CODES,
        "seed": 7,
        "day": DAY,
        "start_time": dt.time(9, 0, 30),
        "speed": 0.0,
        "rate_limit": 10_000,
        "ping_interval_s": 0.0,
    }
    values.update(overrides)
    return KisSimConfig(**values)


SimFactory = Callable[..., contextlib.AbstractAsyncContextManager[KisSimulator]]


@pytest.fixture
def kis_sim_factory() -> SimFactory:
    """Start a simulator with `sim_config` defaults overridden by keyword arguments."""

    def start(**overrides: Any) -> contextlib.AbstractAsyncContextManager[KisSimulator]:
        return KisSimulator.start(sim_config(**overrides))

    return start


@pytest.fixture
async def kis_sim(kis_sim_factory: SimFactory) -> AsyncIterator[KisSimulator]:
    async with kis_sim_factory() as sim:
        yield sim
