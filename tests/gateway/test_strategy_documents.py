"""Strategy documents over the API: validation with line and column, versions, names."""

from __future__ import annotations

from tests.gateway.conftest import Api

GOOD = """\
strategy "cross"
universe all
timeframe 1m
param fast = 3 in 2..10
let m = sma(close, fast)
when position == 0 and close > m: buy 1 shares at market
"""

TYPO = """\
strategy "cross"
universe all
timeframe 1m
let m = smaa(close, 3)
when position == 0 and close > m: buy 1 shares at market
"""


async def test_validation_lists_problems_with_line_and_column(bare_api: Api) -> None:
    http = bare_api.http
    ok = (await http.post("/api/v1/strategies/validate", json={"source": GOOD},
                          headers=bare_api.viewer)).json()  # fmt: skip
    assert ok == {"valid": True, "name": "cross", "errors": [], "params": {"fast": 3}}
    bad = (await http.post("/api/v1/strategies/validate", json={"source": TYPO},
                           headers=bare_api.viewer)).json()  # fmt: skip
    assert bad["valid"] is False
    first = bad["errors"][0]
    assert (first["line"], first["column"]) == (4, 9)
    assert "smaa" in first["message"]
    python = await http.post(
        "/api/v1/strategies/validate",
        json={"source": "def f(:\n  pass", "language": "python"},
        headers=bare_api.viewer,
    )
    assert python.json()["errors"][0]["line"] == 1


async def test_saving_adds_versions_and_keeps_the_old_ones(bare_api: Api) -> None:
    http, trader = bare_api.http, bare_api.trader
    first = await http.post("/api/v1/strategies", json={"source": GOOD}, headers=trader)
    assert first.status_code == 201
    assert (first.json()["name"], first.json()["version"], first.json()["author"]) == (
        "cross", 1, "trader",
    )  # fmt: skip
    edited = GOOD.replace("buy 1 shares", "buy 2 shares")
    second = await http.put("/api/v1/strategies/cross", json={"source": edited}, headers=trader)
    assert second.json()["version"] == 2
    latest = (await http.get("/api/v1/strategies/cross", headers=bare_api.viewer)).json()
    assert latest["source"] == edited
    versions = (await http.get("/api/v1/strategies/cross/versions", headers=bare_api.viewer)).json()
    assert [v["version"] for v in versions] == [1, 2]
    one = (await http.get("/api/v1/strategies/cross/versions/1", headers=bare_api.viewer)).json()
    assert one["source"] == GOOD
    listed = (await http.get("/api/v1/strategies", headers=bare_api.viewer)).json()
    assert [(s["name"], s["latest_version"], s["running"]) for s in listed] == [("cross", 2, None)]


async def test_invalid_or_misnamed_texts_are_not_saved(bare_api: Api) -> None:
    http, trader = bare_api.http, bare_api.trader
    broken = await http.post("/api/v1/strategies", json={"source": TYPO}, headers=trader)
    assert broken.status_code == 422
    assert broken.json()["code"] == "invalid_strategy"
    assert broken.json()["details"]["errors"][0]["line"] == 4
    misnamed = await http.put("/api/v1/strategies/other", json={"source": GOOD}, headers=trader)
    assert misnamed.status_code == 422
    assert "'cross'" in misnamed.json()["message"]
    assert (await http.get("/api/v1/strategies", headers=trader)).json() == []
    viewer = await http.post("/api/v1/strategies", json={"source": GOOD}, headers=bare_api.viewer)
    assert viewer.status_code == 403


async def test_deleting_removes_every_version(bare_api: Api) -> None:
    http, trader = bare_api.http, bare_api.trader
    await http.post("/api/v1/strategies", json={"source": GOOD}, headers=trader)
    assert (await http.delete("/api/v1/strategies/cross", headers=trader)).status_code == 204
    assert (await http.get("/api/v1/strategies/cross", headers=trader)).status_code == 404
    assert (await http.delete("/api/v1/strategies/cross", headers=trader)).status_code == 404
