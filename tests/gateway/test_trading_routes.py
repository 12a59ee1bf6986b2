"""The trading routes on a running paper session: strategies listed, paused, resumed, started
from text and stopped; bad requests answered with what is wrong; the kill switch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from jts.gateway import create_app
from jts.trading.service import PaperConfig, PaperTrading

BROKEN = 'strategy "x"\nwhen'

OTHER = """\
strategy "other"
universe all
timeframe 1m
let m = sma(close, 3)
when position == 0 and close > m: buy 1 shares at market
"""


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, PaperTrading]]:
    paper = PaperTrading(PaperConfig(day=date(2026, 11, 27), symbols=5, speed=60))
    await paper.start()
    app = create_app(lambda: [paper.health()], trading=paper)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://jts") as http:
        yield http, paper
    await paper.stop()


async def test_strategies_are_listed_paused_and_resumed(
    client: tuple[httpx.AsyncClient, PaperTrading],
) -> None:
    http, _ = client
    listed = (await http.get("/api/v1/trading/strategies")).json()
    assert [(s["name"], s["state"]) for s in listed] == [("demo_sma_cross", "active")]
    paused = await http.post("/api/v1/trading/strategies/demo_sma_cross", json={"action": "pause"})
    assert paused.json()["state"] == "paused"
    resumed = await http.post("/api/v1/trading/strategies/demo_sma_cross",
                              json={"action": "resume"})  # fmt: skip
    assert resumed.json()["state"] == "active"


async def test_a_strategy_is_started_from_text_and_stopped(
    client: tuple[httpx.AsyncClient, PaperTrading],
) -> None:
    http, _ = client
    added = await http.post("/api/v1/trading/strategies", json={"source": OTHER, "cash": 1_000_000})
    assert added.status_code == 201
    assert added.json()["name"] == "other"
    stopped = await http.post("/api/v1/trading/strategies/other", json={"action": "stop"})
    assert stopped.json()["state"] == "stopped"
    names = [s["name"] for s in (await http.get("/api/v1/trading/strategies")).json()]
    assert names == ["demo_sma_cross"]


async def test_bad_requests_say_what_is_wrong(
    client: tuple[httpx.AsyncClient, PaperTrading],
) -> None:
    http, _ = client
    broken = await http.post("/api/v1/trading/strategies", json={"source": BROKEN})
    assert broken.status_code == 422
    assert "source" in broken.text
    unknown = await http.post("/api/v1/trading/strategies/nope", json={"action": "pause"})
    assert unknown.status_code == 404
    wrong = await http.post("/api/v1/trading/strategies/demo_sma_cross", json={"action": "fly"})
    assert wrong.status_code == 422
    duplicate = await http.post("/api/v1/trading/strategies", json={"source": OTHER.replace(
        '"other"', '"demo_sma_cross"')})  # fmt: skip
    assert duplicate.status_code == 422
    assert "is running" in duplicate.text


async def test_the_kill_switch_halts_trading(
    client: tuple[httpx.AsyncClient, PaperTrading],
) -> None:
    http, paper = client
    answer = await http.post("/api/v1/trading/kill-switch", json={"reason": "test"})
    assert answer.json()["halted"] is True
    assert paper.summary()["trading_state"] == "halted"
    empty = await http.post("/api/v1/trading/kill-switch", json={"reason": ""})
    assert empty.status_code == 422
