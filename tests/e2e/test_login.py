"""Signing in with a password: the overview opens; a wrong password says so and stays."""

from __future__ import annotations

from tests.e2e.conftest import System


def test_password_login_opens_the_dashboard(browser: object, system: System) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{system.url}/")
    page.wait_for_url(f"{system.url}/login/")  # not signed in: sent to the login page
    page.fill("#username", "admin")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    assert page.wait_for_selector("[data-testid=login-error]").inner_text()
    page.fill("#password", system.passwords["admin"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{system.url}/")
    page.wait_for_selector("[data-testid=live-status]")
    page.wait_for_function(
        "document.querySelector('[data-testid=live-status]').textContent.includes('실시간')"
    )
    context.close()
