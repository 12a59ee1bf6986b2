"""The trading API on a running paper session: market views, manual orders through risk,
positions and P&L, the risk state and kill switch, and run-time strategy control."""

from __future__ import annotations

import asyncio

from tests.gateway.conftest import Api

OTHER = """\
strategy "other"
universe all
timeframe 1m
let m = sma(close, 3)
when position == 0 and close > m: buy 1 shares at market
"""


async def _symbol_with_price(api: Api) -> dict[str, object]:
    for _ in range(200):
        quotes = (await api.http.get("/api/v1/quotes", headers=api.viewer)).json()
        priced = [q for q in quotes if q["last"] > 0]
        if priced:
            return priced[0]
        await asyncio.sleep(0.05)
    raise AssertionError("no trade printed on the simulated market")


async def test_instruments_are_searched_by_code_and_name(api: Api) -> None:
    every = (await api.http.get("/api/v1/instruments", headers=api.viewer)).json()
    assert len(every) == 5
    first = every[0]
    by_code = await api.http.get(
        "/api/v1/instruments", params={"q": first["symbol"][:4]}, headers=api.viewer
    )
    assert first in by_code.json()
    word = first["name"][:2]
    by_name = (
        await api.http.get("/api/v1/instruments", params={"q": word}, headers=api.viewer)
    ).json()
    assert all(
        word.casefold() in i["name"].casefold() or i["symbol"].startswith(word) for i in by_name
    )
    assert first in by_name
    one = await api.http.get(f"/api/v1/instruments/{first['symbol']}", headers=api.viewer)
    assert one.json() == first
    assert (await api.http.get("/api/v1/instruments/999999", headers=api.viewer)).status_code == 404


async def test_quotes_follow_the_market_and_bars_build_up(api: Api) -> None:
    quote = await _symbol_with_price(api)
    assert quote["prev_close"] > 0
    assert quote["lower_limit"] < quote["last"] < quote["upper_limit"]
    assert quote["change"] == quote["last"] - quote["prev_close"]
    one = (await api.http.get(f"/api/v1/quotes/{quote['symbol']}", headers=api.viewer)).json()
    assert one["symbol"] == quote["symbol"]
    assert one["volume"] >= quote["volume"]
    bars: list[dict[str, int]] = []
    for _ in range(400):  # 60 simulated seconds a second: a minute bar within ~3 s
        bars = (await api.http.get(f"/api/v1/bars/{quote['symbol']}", headers=api.viewer)).json()
        if bars:
            break
        await asyncio.sleep(0.02)
    assert bars, "no minute bar was built"
    assert all(b["low"] <= b["close"] <= b["high"] for b in bars)
    five = await api.http.get(
        f"/api/v1/bars/{quote['symbol']}", params={"tf": "5m"}, headers=api.viewer
    )
    assert five.status_code == 200
    assert all(b["interval_s"] == 300 for b in five.json())
    bad = await api.http.get(
        f"/api/v1/bars/{quote['symbol']}", params={"tf": "7m"}, headers=api.viewer
    )
    assert bad.status_code == 422


async def test_a_manual_order_rests_is_modified_and_cancelled(api: Api) -> None:
    quote = await _symbol_with_price(api)
    symbol, low = quote["symbol"], int(quote["lower_limit"])  # type: ignore[call-overload]
    placed = await api.http.post(
        "/api/v1/orders",
        json={"symbol": symbol, "side": "buy", "qty": 3, "order_type": "limit", "price": low},
        headers=api.trader,
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["status"] == "accepted"
    assert order["strategy"] == "manual"
    coid = order["client_order_id"]
    listed = (
        await api.http.get("/api/v1/orders", params={"status": "open"}, headers=api.viewer)
    ).json()
    assert coid in [o["client_order_id"] for o in listed]
    grown = await api.http.patch(f"/api/v1/orders/{coid}", json={"qty": 5}, headers=api.trader)
    assert grown.status_code == 422  # KRX modifies quantity downwards only
    assert grown.json()["details"]["venue_code"] == "not_modifiable"
    still = (await api.http.get(f"/api/v1/orders/{coid}", headers=api.viewer)).json()
    assert (still["status"], still["qty"]) == ("accepted", 3)
    changed = await api.http.patch(f"/api/v1/orders/{coid}", json={"qty": 2}, headers=api.trader)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["qty"], changed.json()["status"]) == (2, "accepted")
    cancelled = await api.http.delete(f"/api/v1/orders/{coid}", headers=api.trader)
    assert cancelled.json()["status"] == "cancelled"
    again = await api.http.delete(f"/api/v1/orders/{coid}", headers=api.trader)
    assert again.status_code == 422
    assert "not working" in again.json()["message"]


async def test_viewers_cannot_trade(api: Api) -> None:
    answer = await api.http.post(
        "/api/v1/orders",
        json={"symbol": "000000", "side": "buy", "qty": 1, "order_type": "market"},
        headers=api.viewer,
    )
    assert answer.status_code == 403


async def test_risk_limits_refuse_orders_with_the_limit_named(api: Api) -> None:
    quote = await _symbol_with_price(api)
    limits = (await api.http.get("/api/v1/risk", headers=api.viewer)).json()["limits"]
    forbidden = await api.http.put("/api/v1/risk/limits", json=limits, headers=api.trader)
    assert forbidden.status_code == 403
    changed = await api.http.put(
        "/api/v1/risk/limits", json={**limits, "max_order_qty": 2}, headers=api.admin
    )
    assert changed.json()["limits"]["max_order_qty"] == 2
    refused = await api.http.post(
        "/api/v1/orders",
        json={"symbol": quote["symbol"], "side": "buy", "qty": 3, "order_type": "market"},
        headers=api.trader,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "order_denied"
    assert refused.json()["details"]["reason"] == "max_order_qty"
    invalid = await api.http.put(
        "/api/v1/risk/limits", json={**limits, "fat_finger_pct": -1}, headers=api.admin
    )
    assert invalid.status_code == 422
    assert "fat_finger_pct" in invalid.json()["message"]


async def test_cancel_all_positions_and_pnl(api: Api) -> None:
    quote = await _symbol_with_price(api)
    for _ in range(2):
        placed = await api.http.post(
            "/api/v1/orders",
            json={
                "symbol": quote["symbol"],
                "side": "buy",
                "qty": 1,
                "price": quote["lower_limit"],
            },
            headers=api.trader,
        )
        assert placed.status_code == 201
    result = (await api.http.post("/api/v1/orders/cancel-all", headers=api.trader)).json()
    assert result["cancelled"] >= 2
    assert all(o["status"] == "cancelled" for o in result["orders"])
    pnl = (await api.http.get("/api/v1/pnl", headers=api.viewer)).json()
    assert pnl["account"] == "paper"
    assert pnl["equity"] > 0
    positions = (await api.http.get("/api/v1/positions", headers=api.viewer)).json()
    assert sum(p["market_value"] for p in positions) == pnl["market_value"]
    statement = await api.http.get("/api/v1/statements/2026-11-27", headers=api.viewer)
    assert statement.status_code == 200
    assert statement.json()["account"] == "paper"


async def test_kill_switch_halts_until_an_admin_resumes(api: Api) -> None:
    killed = await api.http.post(
        "/api/v1/risk/kill-switch", json={"reason": "test"}, headers=api.trader
    )
    assert killed.json()["halted"] is True
    state = (await api.http.get("/api/v1/risk", headers=api.viewer)).json()
    assert state["state"] == "halted"
    assert state["killed"] == "test"
    refused = await api.http.post(
        "/api/v1/orders",
        json={"symbol": (await _symbol_with_price(api))["symbol"], "side": "buy", "qty": 1,
              "order_type": "market"},
        headers=api.trader,
    )  # fmt: skip
    assert refused.json()["code"] == "order_denied"
    body = {"reason": "checked"}
    assert (
        await api.http.post("/api/v1/risk/resume", json=body, headers=api.trader)
    ).status_code == 403
    resumed = await api.http.post("/api/v1/risk/resume", json=body, headers=api.admin)
    assert resumed.json()["state"] == "active"
    assert resumed.json()["killed"] == ""


async def test_running_strategies_are_paused_resumed_started_and_stopped(api: Api) -> None:
    http = api.http
    listed = (await http.get("/api/v1/trading/strategies", headers=api.viewer)).json()
    assert [(s["name"], s["state"]) for s in listed] == [("demo_sma_cross", "active")]
    path = "/api/v1/trading/strategies/demo_sma_cross"
    paused = await http.post(path, json={"action": "pause"}, headers=api.trader)
    assert paused.status_code == 200, paused.text
    assert paused.json()["state"] == "paused"
    resumed = await http.post(path, json={"action": "resume"}, headers=api.trader)
    assert resumed.json()["state"] == "active"
    added = await http.post(
        "/api/v1/trading/strategies", json={"source": OTHER, "cash": 1_000_000}, headers=api.trader
    )
    assert added.status_code == 201
    assert added.json()["name"] == "other"
    stopped = await http.post("/api/v1/trading/strategies/other", json={"action": "stop"},
                              headers=api.trader)  # fmt: skip
    assert stopped.json()["state"] == "stopped"
    missing = await http.post("/api/v1/trading/strategies/nope", json={"action": "pause"},
                              headers=api.trader)  # fmt: skip
    assert missing.status_code == 404
    wrong = await http.post(path, json={"action": "explode"}, headers=api.trader)
    assert wrong.status_code == 422


async def test_a_saved_strategy_is_started_by_name(api: Api) -> None:
    saved = await api.http.post("/api/v1/strategies", json={"source": OTHER}, headers=api.trader)
    assert saved.status_code == 201
    started = await api.http.post(
        "/api/v1/trading/strategies", json={"name": "other"}, headers=api.trader
    )
    assert started.status_code == 201
    assert started.json()["name"] == "other"
    listed = (await api.http.get("/api/v1/strategies", headers=api.viewer)).json()
    assert {(s["name"], s["running"]) for s in listed} == {("other", "active")}
    broken = await api.http.post(
        "/api/v1/trading/strategies", json={"source": 'strategy "x"\nwhen'}, headers=api.trader
    )
    assert broken.status_code == 422
    assert broken.json()["details"]["errors"][0]["line"] == 2


async def test_the_order_book_shows_ten_levels_best_first(api: Api) -> None:
    quote = await _symbol_with_price(api)
    book = (await api.http.get(f"/api/v1/book/{quote['symbol']}", headers=api.viewer)).json()
    assert 0 < len(book["bids"]) <= 10
    assert 0 < len(book["asks"]) <= 10
    bids = [level["price"] for level in book["bids"]]
    asks = [level["price"] for level in book["asks"]]
    assert bids == sorted(bids, reverse=True)
    assert asks == sorted(asks)
    assert bids[0] < asks[0]
    few = await api.http.get(
        f"/api/v1/book/{quote['symbol']}", params={"levels": 3}, headers=api.viewer
    )
    assert len(few.json()["bids"]) <= 3


def test_the_api_limits_model_names_every_risk_limit() -> None:
    """The API's limits schema mirrors `jts.risk.RiskLimits` field for field (the gateway may
    not import the risk package, so a new limit must be added to both)."""
    import dataclasses

    from jts.gateway.routes.schemas import RiskLimitsModel
    from jts.risk import RiskLimits

    assert set(RiskLimitsModel.model_fields) == {f.name for f in dataclasses.fields(RiskLimits)}
    defaults = RiskLimitsModel().model_dump()
    assert defaults == dataclasses.asdict(RiskLimits())


async def test_the_equity_history_keeps_what_a_closed_page_missed(api: Api) -> None:
    from jts.trading.feeds import LiveFeeds

    assert api.views is not None
    feeds = LiveFeeds(api.views, lambda channel, data, key=None: None, pulse_s=0.02)
    await feeds.start()
    try:
        await _symbol_with_price(api)
        points: list[dict[str, int]] = []
        for _ in range(300):  # 60x speed: a 10-s step of the venue clock passes every ~0.2 s
            points = (await api.http.get("/api/v1/pnl/history", headers=api.viewer)).json()
            if len(points) >= 3:
                break
            await asyncio.sleep(0.05)
        assert len(points) >= 3
        times = [p["ts_ns"] for p in points]
        assert times == sorted(times)
        assert len(set(t // 10**10 for t in times)) == len(times)
        assert all(p["equity"] > 0 for p in points)
        later = await api.http.get(
            "/api/v1/pnl/history", params={"since_ns": times[-2]}, headers=api.viewer
        )
        assert [p["ts_ns"] for p in later.json()][:1] == [times[-1]]
        bad = await api.http.get("/api/v1/pnl/history?limit=0", headers=api.viewer)
        assert bad.status_code == 422
        assert (await api.http.get("/api/v1/pnl/history")).status_code == 401
    finally:
        await feeds.stop()
