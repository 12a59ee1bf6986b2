"""The settings screen in a browser: what a viewer may not touch, users and API keys managed by
an admin, broker secrets that are never shown back, risk limits, and a passkey registered
with a virtual authenticator and then used to sign in."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import System, sign_in


def _api(
    page: Any, system: System, method: str, path: str, body: Any = None, user: str = "admin"
) -> Any:
    login = page.request.post(
        f"{system.url}/api/v1/auth/login",
        data={"username": user, "password": system.passwords[user]},
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    answer = page.request.fetch(
        f"{system.url}/api/v1{path}", method=method, headers=headers, data=body
    )
    assert answer.ok, f"{method} {path}: {answer.status} {answer.text()}"
    return answer.json() if answer.status != 204 else None


def _eventually(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait until the server reflects what the page just sent."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the change did not arrive"
        time.sleep(0.1)


def test_a_viewer_sees_no_admin_or_trading_controls(browser: Any, system: System) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, system, "viewer")
    page.wait_for_selector("[data-testid=risk-state]")
    assert page.locator("[data-testid=kill-switch]").count() == 0
    page.goto(f"{system.url}/settings/")
    page.wait_for_selector("[data-testid=passkeys]")
    page.wait_for_selector("[data-testid=api-keys]")
    limit = page.locator("[data-testid=limit-max_order_qty]")
    limit.wait_for()
    assert limit.is_disabled()
    assert page.locator("[data-testid=limits-save]").count() == 0
    for admin_only in ("users", "brokers"):
        assert page.locator(f"[data-testid={admin_only}]").count() == 0
    assert page.locator("[data-testid=api-key-scope-trade]").count() == 0  # only read to give
    context.close()


def test_an_admin_adds_changes_disables_and_deletes_a_user(page: Any, system: System) -> None:
    page.goto(f"{system.url}/settings/")
    page.fill("[data-testid=new-username]", "x")
    page.click("[data-testid=add-user]")
    page.wait_for_selector("text=3–64자")  # checked before anything is sent
    page.fill("[data-testid=new-username]", "ops.e2e")
    page.fill("[data-testid=new-password]", "ops password 1")
    page.select_option("[data-testid=new-role]", "trader")
    page.click("[data-testid=add-user]")
    row = page.locator("[data-testid=user-row][data-username='ops.e2e']")
    row.wait_for()
    assert row.locator("[data-testid=user-role]").input_value() == "trader"

    def stored() -> dict[str, Any]:
        users = _api(page, system, "GET", "/users")
        return next(u for u in users if u["username"] == "ops.e2e")  # type: ignore[no-any-return]

    row.locator("[data-testid=user-role]").select_option("viewer")
    _eventually(lambda: stored()["role"] == "viewer")
    row.locator("[data-testid=user-disabled]").check()
    _eventually(lambda: stored()["disabled"] is True)
    mine = page.locator("[data-testid=user-row][data-username=admin]")
    assert mine.locator("[data-testid=delete-user]").is_disabled()  # not oneself
    row.locator("[data-testid=delete-user]").click()
    page.click("[data-testid=confirm-delete-user]")
    row.wait_for(state="detached")
    assert all(u["username"] != "ops.e2e" for u in _api(page, system, "GET", "/users"))


def test_an_api_key_is_shown_once_works_and_is_revoked(page: Any, system: System) -> None:
    page.goto(f"{system.url}/settings/")
    page.fill("[data-testid=api-key-name]", "e2e bot")
    page.click("[data-testid=create-api-key]")
    secret = page.locator("[data-testid=api-key-secret]").inner_text().strip()
    assert secret.startswith("jts_")
    works = page.request.get(f"{system.url}/api/v1/positions", headers={"X-API-Key": secret})
    assert works.ok
    page.click("[data-testid=api-key-done]")
    assert page.locator("[data-testid=api-key-secret]").count() == 0
    assert secret not in page.content()  # never shown again
    row = page.locator("[data-testid=api-key-row][data-name='e2e bot']")
    row.locator("[data-testid=revoke-key]").click()
    page.wait_for_selector("[data-testid=api-key-row][data-name='e2e bot'][data-revoked=true]")
    refused = page.request.get(f"{system.url}/api/v1/positions", headers={"X-API-Key": secret})
    assert refused.status == 401


def test_broker_secrets_are_stored_but_never_shown(page: Any, system: System) -> None:
    page.goto(f"{system.url}/settings/")
    page.fill("[data-testid=broker-account]", "12345678-01")
    page.fill("[data-testid=broker-app_key]", "PSappkey-e2e-0001")
    page.fill("[data-testid=broker-app_secret]", "very-secret-e2e-0002")
    page.click("[data-testid=broker-save]")
    row = page.locator("[data-testid=broker-row]")
    row.wait_for()
    assert "12345678-01" in row.inner_text()
    assert page.locator("[data-testid=broker-app_key]").input_value() == ""  # cleared
    page.reload()
    page.wait_for_selector("[data-testid=broker-row]")
    html = page.content()
    assert "PSappkey-e2e-0001" not in html
    assert "very-secret-e2e-0002" not in html
    stored = _api(page, system, "GET", "/brokers/credentials")
    assert stored[0]["fields"] == ["app_key", "app_secret"]


def test_an_admin_changes_risk_limits_and_bad_values_are_refused(page: Any, system: System) -> None:
    page.goto(f"{system.url}/settings/")
    field = page.locator("[data-testid=limit-max_order_qty]")
    field.wait_for()
    field.fill("0")
    page.click("[data-testid=limits-save]")
    page.wait_for_selector("text=양의 정수를 입력하세요")
    field.fill("5,000")
    page.click("[data-testid=limits-save]")
    _eventually(lambda: _api(page, system, "GET", "/risk")["limits"]["max_order_qty"] == 5000)
    field.fill("")
    page.click("[data-testid=limits-save]")
    _eventually(lambda: _api(page, system, "GET", "/risk")["limits"]["max_order_qty"] is None)


def test_a_passkey_registered_in_settings_signs_in(browser: Any, system: System) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, system, "trader")
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                     "hasUserVerification": True, "isUserVerified": True}},
    )  # fmt: skip
    page.goto(f"{system.url}/settings/")
    page.fill("[data-testid=passkey-name]", "e2e authenticator")
    page.click("[data-testid=add-passkey]")
    page.wait_for_selector("[data-testid=passkey-row][data-name='e2e authenticator']")

    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_url(f"{system.url}/login/")
    page.click("[data-testid=passkey-login]")
    page.wait_for_url(f"{system.url}/")
    page.wait_for_selector("[data-testid=risk-state]")
    signed_in = page.evaluate("JSON.parse(localStorage.getItem('jts-auth')).state.user.username")
    assert signed_in == "trader"
    context.close()
