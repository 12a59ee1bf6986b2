"""The symbol page: quote header, chart canvas, ten-level book, the order ticket (an order
placed and cancelled, an off-tick price refused before sending, a risk refusal shown inline)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.conftest import PASSWORD, System

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def api(system: System) -> Iterator[httpx.Client]:
    """The gateway's REST API signed in as admin."""
    with httpx.Client(base_url=f"{system.url}/api/v1") as http:
        login = {"username": "admin", "password": PASSWORD}
        token = http.post("/auth/login", json=login).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def _quote(api: httpx.Client) -> dict[str, Any]:
    """A symbol trading continuously with room below its price (a resting buy stays open);
    waits for the simulated market's first trades."""
    deadline = time.monotonic() + 30
    while True:
        quotes: list[dict[str, Any]] = sorted(api.get("/quotes").json(), key=lambda q: q["symbol"])
        for q in quotes:
            if q["state"] == "continuous" and q["last"] > q["lower_limit"]:
                return q
        assert time.monotonic() < deadline, "no symbol trades continuously"
        time.sleep(0.2)


def _open(page: Page, system: System, symbol: str) -> None:
    page.goto(f"{system.url}/symbol/?code={symbol}")
    page.wait_for_function(
        "document.querySelector('[data-testid=quote-last]')?.textContent.trim() !== '—'"
    )


def _order(page: Page, price: int, qty: int) -> None:
    page.fill("[data-testid=ticket-price]", str(price))
    page.fill("[data-testid=ticket-qty]", str(qty))
    page.click("[data-testid=ticket-submit]")


def test_header_book_and_chart_render(page: Page, system: System, api: httpx.Client) -> None:
    quote = _quote(api)
    _open(page, system, quote["symbol"])
    assert quote["name"] in page.inner_text("[data-testid=quote-header]")
    limits = page.inner_text("[data-testid=quote-limits]")
    assert f"{quote['upper_limit']:,}" in limits
    assert f"{quote['lower_limit']:,}" in limits
    page.wait_for_selector("[data-testid=book-bid]")
    page.wait_for_selector("[data-testid=book-ask]")
    levels = page.eval_on_selector_all("[data-testid^=book-]", "els => els.length")
    assert 2 <= levels <= 20
    page.wait_for_selector("[data-testid=price-chart] canvas")
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=price-chart]').dataset.bars) > 0"
    )
    box = page.eval_on_selector("[data-testid=price-chart] canvas", "c => [c.width, c.height]")
    assert min(box) > 100
    page.click("[data-testid=tf-5m]")
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=price-chart]').dataset.bars) > 0"
    )


def test_an_order_placed_from_the_ticket_is_shown_and_can_be_cancelled(
    page: Page, system: System, api: httpx.Client
) -> None:
    quote = _quote(api)
    _open(page, system, quote["symbol"])
    _order(page, quote["lower_limit"], 1)
    result = page.wait_for_selector("[data-testid=ticket-result]")
    order_id = result.get_attribute("data-order-id")
    assert order_id
    assert f"{quote['lower_limit']:,}" in result.inner_text()
    row = f"[data-testid=open-order][data-order-id='{order_id}']"
    page.click(f"{row} [data-testid=cancel-order]")
    page.wait_for_selector(row, state="detached")
    assert api.get(f"/orders/{order_id}").json()["status"] in ("cancelled", "pending_cancel")


def test_an_off_tick_or_out_of_limits_price_is_refused_before_sending(
    page: Page, system: System, api: httpx.Client
) -> None:
    quote = _quote(api)
    _open(page, system, quote["symbol"])
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    _order(page, quote["upper_limit"] + 1_000_000, 1)
    assert page.wait_for_selector("[data-testid=price-error]").inner_text()
    odd = next(p for p in range(quote["last"], quote["upper_limit"]) if p % 5)  # never on a 5+ tick
    if quote["last"] >= 2_000:
        _order(page, odd, 1)
        assert page.wait_for_selector("[data-testid=price-error]").inner_text()
    page.click("[data-testid=tick-up]")
    page.wait_for_selector("[data-testid=price-error]", state="detached")
    assert not [url for url in sent if url.endswith("/orders")]


def test_a_risk_refusal_is_shown_under_the_ticket(
    page: Page, system: System, api: httpx.Client
) -> None:
    quote = _quote(api)
    before = api.get("/risk").json()["limits"]
    assert api.put("/risk/limits", json={**before, "max_order_qty": 1}).status_code == 200
    try:
        _open(page, system, quote["symbol"])
        _order(page, quote["lower_limit"], 2)
        error = page.wait_for_selector("[data-testid=ticket-error]")
        assert error.get_attribute("data-code") == "order_denied"
        assert "max_order_qty" in error.inner_text()
        order = {"symbol": quote["symbol"], "side": "buy", "qty": 2, "price": quote["lower_limit"]}
        refusal = api.post("/orders", json=order)
        assert refusal.status_code == 422
        assert refusal.json()["message"] in error.inner_text()  # the server's own words
    finally:
        assert api.put("/risk/limits", json=before).status_code == 200
