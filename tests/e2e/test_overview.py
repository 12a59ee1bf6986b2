"""The overview and monitoring screens in a browser: equity and positions that update live,
cancelling an open order, the kill switch (halt, then resume as admin), and the monitoring
page's health, staleness and queue sections."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import System


def _api(page: Any, system: System, method: str, path: str, body: Any = None) -> Any:
    """Call the API as admin beside the browser (orders placed "by someone else")."""
    login = page.request.post(
        f"{system.url}/api/v1/auth/login",
        data={"username": "admin", "password": system.passwords["admin"]},
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    answer = page.request.fetch(
        f"{system.url}/api/v1{path}", method=method, headers=headers, data=body
    )
    assert answer.ok, f"{method} {path}: {answer.status} {answer.text()}"
    return answer.json() if answer.status != 204 else None


def _resting_buy(page: Any, system: System, symbol: str) -> dict[str, Any]:
    """A limit buy at the day's lower limit: it stays open."""
    quote = _api(page, system, "GET", f"/quotes/{symbol}")
    order = {"symbol": symbol, "side": "buy", "qty": 1, "order_type": "limit",
             "price": quote["lower_limit"]}  # fmt: skip
    placed: dict[str, Any] = _api(page, system, "POST", "/orders", order)
    return placed


def test_overview_shows_equity_and_positions_live(page: Any, system: System) -> None:
    page.wait_for_function(
        "/\\d/.test(document.querySelector('[data-testid=equity]')?.textContent ?? '')"
    )
    held = {p["symbol"] for p in _api(page, system, "GET", "/positions")}
    symbol = next(
        q["symbol"] for q in _api(page, system, "GET", "/quotes") if q["symbol"] not in held
    )
    row = f"[data-testid=position-row][data-symbol='{symbol}']"
    assert page.locator(row).count() == 0
    order = {"symbol": symbol, "side": "buy", "qty": 3, "order_type": "market"}
    _api(page, system, "POST", "/orders", order)
    page.wait_for_selector(row, timeout=15_000)  # arrives on the live channel, no reload
    assert "3" in page.locator(f"{row} td").nth(1).inner_text()
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=equity-chart]').dataset.points) > 1"
    )
    assert page.locator("[data-testid=venue]").first.inner_text().startswith("sim")


def test_a_trader_cancels_an_open_order_from_the_overview(page: Any, system: System) -> None:
    symbol = _api(page, system, "GET", "/quotes")[0]["symbol"]
    placed = _resting_buy(page, system, symbol)
    row = page.locator(f"[data-testid=order-row][data-order='{placed['client_order_id']}']")
    row.wait_for()
    row.locator("[data-testid=cancel-order]").click()
    row.wait_for(state="detached", timeout=10_000)
    assert (
        _api(page, system, "GET", f"/orders/{placed['client_order_id']}")["status"] == "cancelled"
    )


def test_kill_switch_halts_after_confirmation_and_an_admin_resumes(
    page: Any, system: System
) -> None:
    symbol = _api(page, system, "GET", "/quotes")[1]["symbol"]
    placed = _resting_buy(page, system, symbol)
    order_row = page.locator(f"[data-testid=order-row][data-order='{placed['client_order_id']}']")
    order_row.wait_for()

    page.click("[data-testid=kill-switch]")
    page.wait_for_selector("[data-testid=kill-dialog]")
    assert _api(page, system, "GET", "/risk")["state"] == "active"  # asking is not halting
    page.click("[data-testid=kill-confirm]")
    banner = page.locator("[data-testid=halted-banner]")
    banner.wait_for()
    assert banner.get_attribute("data-state") == "halted"
    assert page.locator("[data-testid=risk-state]").get_attribute("data-state") == "halted"
    assert page.locator("[data-testid=kill-switch]").is_disabled()
    order_row.wait_for(state="detached", timeout=10_000)  # the kill switch cancelled it
    assert _api(page, system, "GET", "/risk")["state"] == "halted"

    page.click("[data-testid=resume-trading]")
    assert page.locator("[data-testid=resume-confirm]").is_disabled()  # a reason is required
    page.fill("[data-testid=resume-reason]", "checked: e2e")
    page.click("[data-testid=resume-confirm]")
    banner.wait_for(state="detached")
    page.wait_for_selector("[data-testid=risk-state][data-state=active]")
    assert _api(page, system, "GET", "/risk")["state"] == "active"


def test_monitoring_shows_health_staleness_latency_and_queue(page: Any, system: System) -> None:
    page.goto(f"{system.url}/monitoring/")
    page.wait_for_selector("[data-testid=service-row][data-service=gateway][data-healthy=true]")
    assert page.locator("[data-testid=service-row]").count() >= 5
    page.wait_for_selector("[data-testid=staleness-row]", timeout=15_000)
    markets = {
        r.get_attribute("data-group") for r in page.locator("[data-testid=staleness-row]").all()
    }
    assert markets, "no market group"
    assert markets <= {"KOSPI", "KOSDAQ", "기타"}, markets
    page.wait_for_selector("[data-testid=latency-p99]", timeout=15_000)
    page.wait_for_selector("[data-testid=rt-clients]")
    # the fixture turns rate limiting off: no RateLimit headers, said so; no broker yet
    assert "꺼져" in page.locator("[data-testid=api-budget]").inner_text()
    assert "증권사" in page.locator("[data-testid=broker-budget]").inner_text()
    assert page.locator("[data-testid=refusals]").inner_text() == "0"
    assert "워커" in page.locator("[data-testid=job-counts]").inner_text()
