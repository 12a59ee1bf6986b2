"""Dashboard polish in a real browser: the market watch sorted by a header click (and back),
the order ticket's grouped price, tick-stepping arrow keys and keyboard shortcuts, and a saved
strategy deleted through its confirmation dialog."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

from jts.krx.ticks import round_to_tick, tick_size
from tests.e2e.conftest import PASSWORD, System

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROWS = "[data-testid=market-row]"

# Every quote in the store again, with a change % from a fixed shuffle and a timestamp no live
# quote can beat; returns symbol → change %.
PIN_QUOTES = """() => {
  const store = window.__jts.useQuotes;
  const quotes = Object.values(store.getState().quotes);
  const pinned = {};
  const batch = quotes.map((q, i) => {
    const change_pct = ((i * 7) % quotes.length) - quotes.length / 2 + 0.5;
    pinned[q.symbol] = change_pct;
    return { ...q, last: q.last || q.prev_close, change_pct, ts_ns: 4e18 };
  });
  store.getState().applyMany(batch);
  return pinned;
}"""


@pytest.fixture
def api(system: System) -> Iterator[httpx.Client]:
    """The gateway's REST API signed in as admin."""
    with httpx.Client(base_url=f"{system.url}/api/v1") as http:
        login = {"username": "admin", "password": PASSWORD}
        token = http.post("/auth/login", json=login).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def _trading(api: httpx.Client) -> dict[str, Any]:
    """A symbol trading continuously, well inside its limits (waits for the first trades)."""
    deadline = time.monotonic() + 30
    while True:
        quotes: list[dict[str, Any]] = sorted(api.get("/quotes").json(), key=lambda q: q["symbol"])
        for q in quotes:
            if q["state"] == "continuous" and q["lower_limit"] < q["last"] < q["upper_limit"]:
                return q
        assert time.monotonic() < deadline, "no symbol trades continuously"
        time.sleep(0.2)


def _column(page: Page, testid: str) -> list[str]:
    cells: list[str] = page.eval_on_selector_all(
        f"{ROWS} [data-testid={testid}]", "els => els.map(e => e.textContent.trim())"
    )
    return cells


def _symbols(page: Page) -> list[str]:
    symbols: list[str] = page.eval_on_selector_all(ROWS, "els => els.map(e => e.dataset.symbol)")
    return symbols


def test_market_watch_sorts_by_a_header_and_flips(page: Page, system: System) -> None:
    page.goto(f"{system.url}/market/")
    page.wait_for_function("document.querySelectorAll('[data-testid=market-row]').length >= 10")
    by_code = _symbols(page)
    assert by_code == sorted(by_code)

    page.click("[data-testid=sort-code]")  # code is the order already: a click flips it
    page.wait_for_selector("[data-testid=sort-code][data-sort=asc]")
    page.click("[data-testid=sort-code]")
    page.wait_for_selector("[data-testid=sort-code][data-sort=desc]")
    assert _symbols(page) == sorted(by_code, reverse=True)

    # Pin every row's quote far in the future with a known change: live quotes (older) are
    # dropped from then on, so the expected order is exact while the market keeps ticking.
    pinned = page.evaluate(PIN_QUOTES)
    page.click("[data-testid=sort-change_pct]")  # numbers start with the biggest
    page.wait_for_selector("[data-testid=sort-change_pct][data-sort=desc]")
    assert "▼" in page.inner_text("[data-testid=sort-change_pct]")
    expected = sorted(pinned, key=lambda s: (-pinned[s], s))
    assert _symbols(page) == expected[: len(_symbols(page))]
    page.click("[data-testid=sort-change_pct]")
    page.wait_for_selector("[data-testid=sort-change_pct][data-sort=asc]")
    expected = sorted(pinned, key=lambda s: (pinned[s], s))
    assert _symbols(page) == expected[: len(_symbols(page))]


def test_ticket_groups_digits_steps_by_tick_and_obeys_shortcuts(
    page: Page, system: System, api: httpx.Client
) -> None:
    quote = _trading(api)
    page.goto(f"{system.url}/symbol/?code={quote['symbol']}")
    page.wait_for_function(
        "document.querySelector('[data-testid=quote-last]')?.textContent.trim() !== '—'"
    )
    price = page.locator("[data-testid=ticket-price]")
    page.wait_for_function(
        "document.querySelector('[data-testid=ticket-price]').value.replace(/,/g, '') !== ''"
    )

    price.fill("")
    price.type("12345")  # key by key, as a person types
    expect(price).to_have_value("12,345")  # (expect retries: React renders after the event)

    kind = api.get(f"/instruments/{quote['symbol']}").json().get("kind")
    etf = kind in ("etf", "etn")
    start = round_to_tick(quote["last"], etf=etf)
    up = start + tick_size(start, etf=etf)
    price.fill(str(start))
    expect(price).to_have_value(f"{start:,}")
    price.press("ArrowUp")  # one KRX tick of this symbol's price band
    expect(price).to_have_value(f"{min(up, quote['upper_limit']):,}")
    price.press("ArrowDown")
    expect(price).to_have_value(f"{start:,}")

    sell = page.locator("[data-testid=side-sell]")
    price.press("s")  # typed into a field: not a shortcut
    expect(sell).to_have_attribute("aria-checked", "false")
    page.click("[data-testid=order-ticket] h2")  # focus off the fields
    page.keyboard.press("s")
    expect(sell).to_have_attribute("aria-checked", "true")
    page.keyboard.press("b")
    expect(page.locator("[data-testid=side-buy]")).to_have_attribute("aria-checked", "true")

    qty = page.locator("[data-testid=ticket-qty]")
    qty.fill("7")
    qty.press("Escape")
    expect(qty).to_have_value("1")
    assert price.input_value().replace(",", "").isdigit()  # back at the last price

    page.hover("[data-testid=ticket-shortcuts-button]")
    expect(page.locator("[data-testid=ticket-shortcuts]")).to_contain_text("Esc")

    # Enter sends from a field: a resting buy at the lower limit, then it is cancelled
    price.fill(f"{quote['lower_limit']}")
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/orders") and r.request.method == "POST"
    ):
        price.press("Enter")
    page.wait_for_selector("[data-testid=ticket-result]")
    order_id = page.get_attribute("[data-testid=ticket-result]", "data-order-id")
    assert api.delete(f"/orders/{order_id}").status_code == 200


def test_a_saved_strategy_is_deleted_after_confirmation(
    page: Page, system: System, api: httpx.Client
) -> None:
    name = "polish_delete_me"
    source = "\n".join(
        [
            f'strategy "{name}"',
            "universe all",
            "timeframe 1m",
            "when position == 0: buy 1 shares at market",
            "",
        ]
    )
    saved = api.post("/strategies", json={"source": source, "language": "jts"})
    assert saved.status_code in (200, 201), saved.text
    page.goto(f"{system.url}/strategies/")
    page.click(f"[data-testid=strategy-item][data-name={name}]")
    page.wait_for_selector("[data-testid=strategy-delete]")

    page.click("[data-testid=strategy-delete]")
    page.wait_for_selector("[data-testid=strategy-delete-dialog]")
    assert name in page.inner_text("[data-testid=strategy-delete-dialog]")
    page.keyboard.press("Escape")  # cancel: nothing deleted
    page.wait_for_selector("[data-testid=strategy-delete-dialog]", state="detached")
    assert api.get(f"/strategies/{name}").status_code == 200

    page.click("[data-testid=strategy-delete]")
    page.click("[data-testid=strategy-delete-confirm]")
    page.wait_for_selector(f"[data-testid=strategy-item][data-name={name}]", state="detached")
    assert api.get(f"/strategies/{name}").status_code == 404
