"""The alerts page: rules created, edited, paused and deleted; a rule firing into the live
list; and Web Push from the page's subscription to a notification shown by the service worker.

Chromium cannot make a real push subscription here: Playwright's contexts are incognito,
where Chrome refuses push ("Registration failed - permission denied"), and a persistent
profile would need Google's push service (FCM), which this network cannot reach. So the page
runs for real except `PushManager.subscribe`, which returns a subscription pointing at a push
service of our own on 127.0.0.1 (allowed by this module's gateway settings) with keys the test
holds. The server's test notification reaches that service encrypted (RFC 8291) and signed
(VAPID); the test decrypts it and hands the text to the real service worker through the
DevTools protocol (`ServiceWorker.deliverPushMessage`), as the browser's push service would,
and finds the notification the worker shows.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import http_ece
import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.e2e.conftest import System

TEST_TITLE = "JTS 알림 테스트 · Test"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """A push service on 127.0.0.1 that keeps every message POSTed to it (answers 201)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/push/e2e"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    """Our push service, and the gateway settings that let subscriptions point at it."""
    service = PushService()
    env = {"JTS_GATEWAY__ALLOW_INSECURE_PUSH": "true", "JTS_GATEWAY__PUSH_HOSTS": '["127.0.0.1"]'}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield service
    service.server.shutdown()


@pytest.fixture(scope="module")
def system(push_service: PushService, system: System) -> System:
    """The conftest system, started after `push_service` set its settings."""
    return system


def _api(system: System) -> httpx.Client:
    answer = httpx.post(
        f"{system.url}/api/v1/auth/login",
        json={"username": "admin", "password": system.passwords["admin"]},
    )
    token = answer.json()["access_token"]
    return httpx.Client(
        base_url=f"{system.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


def _open(page: Any, system: System) -> None:
    page.goto(f"{system.url}/alerts/")
    page.wait_for_selector("[data-testid=alert-form]")


def test_an_alert_is_created_edited_paused_and_deleted(page: Any, system: System) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    _open(page, system)
    page.fill("[data-testid=alert-symbol]", "5930")
    page.fill("[data-testid=alert-price]", "70000")
    page.click("[data-testid=alert-submit]")
    assert "6" in page.wait_for_selector("[data-testid=alert-field-error]").inner_text()
    page.fill("[data-testid=alert-symbol]", "a005930")
    page.fill("[data-testid=alert-note]", "익절 검토")
    page.click("[data-testid=alert-submit]")
    rule = page.wait_for_selector("[data-testid=alert-rule][data-kind=price_above]")
    assert "70,000" in rule.inner_text()
    assert "005930" in rule.inner_text()
    rule_id = rule.get_attribute("data-id")
    with _api(system) as api:
        assert api.get(f"/alerts/{rule_id}").json()["params"] == {"price": 70000}

        page.click(f"[data-testid=alert-rule][data-id='{rule_id}'] [data-testid=alert-edit]")
        page.fill("[data-testid=alert-price]", "71000")
        page.click("[data-testid=alert-submit]")
        page.wait_for_selector(f"[data-testid=alert-rule][data-id='{rule_id}'] >> text=71,000")
        stored = api.get(f"/alerts/{rule_id}").json()
        assert stored["params"] == {"price": 71000}
        assert stored["note"] == "익절 검토"

        page.click(f"[data-testid=alert-rule][data-id='{rule_id}'] [data-testid=alert-toggle]")
        page.wait_for_selector(f"[data-testid=alert-rule][data-id='{rule_id}'][data-enabled=no]")
        assert api.get(f"/alerts/{rule_id}").json()["enabled"] is False

        page.click(f"[data-testid=alert-rule][data-id='{rule_id}'] [data-testid=alert-delete]")
        page.wait_for_selector(f"[data-testid=alert-rule][data-id='{rule_id}']", state="detached")
        assert api.get(f"/alerts/{rule_id}").status_code == 404


def test_a_firing_rule_shows_in_the_recent_alerts(page: Any, system: System) -> None:
    with _api(system) as api:
        symbol = api.get("/instruments", params={"limit": 1}).json()[0]["symbol"]
    _open(page, system)
    page.fill("[data-testid=alert-symbol]", symbol)
    page.fill("[data-testid=alert-price]", "1")  # already holds: fires at the next trade
    page.click("[data-testid=alert-submit]")
    rule_id = page.wait_for_selector("[data-testid=alert-rule]").get_attribute("data-id")
    fired = page.wait_for_selector(
        f"[data-testid=recent-alert][data-rule='{rule_id}']", timeout=60_000
    )
    assert symbol in fired.inner_text()
    page.wait_for_selector(f"[data-testid=alert-rule][data-id='{rule_id}'][data-fired=yes]")


def _fake_subscription_script(endpoint: str, p256dh: str, auth: str) -> str:
    """PushManager.subscribe answering with our push service's subscription (see above)."""
    return f"""
    (() => {{
      let current = null;
      const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
        .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
      PushManager.prototype.getSubscription = async function () {{ return current; }};
      PushManager.prototype.subscribe = async function (options) {{
        window.__applicationServerKey = b64(options.applicationServerKey);
        current = {{
          endpoint: {json.dumps(endpoint)},
          expirationTime: null,
          options: {{
            userVisibleOnly: options.userVisibleOnly,
            applicationServerKey: options.applicationServerKey.buffer,
          }},
          toJSON() {{
            return {{ endpoint: this.endpoint, expirationTime: null, keys: {{
              p256dh: {json.dumps(p256dh)}, auth: {json.dumps(auth)} }} }};
          }},
          async unsubscribe() {{ current = null; return true; }},
        }};
        return current;
      }};
    }})();
    """


def _shown_notification(page: Any, title: str) -> dict[str, Any]:
    """The notification titled `title` the service worker shows (waits up to 10 s)."""
    for _ in range(100):
        found = page.evaluate(
            """async (title) => {
              const registration = await navigator.serviceWorker.ready;
              const found = (await registration.getNotifications()).find((n) => n.title === title);
              return found ? {body: found.body, tag: found.tag, url: found.data.url} : null;
            }""",
            title,
        )
        if found:
            return dict(found)
        page.wait_for_timeout(100)
    raise AssertionError(f"no notification {title!r} shown")


def test_push_subscription_and_a_delivered_notification(
    browser: Any, system: System, push_service: PushService
) -> None:
    from tests.e2e.conftest import sign_in

    key = ec.generate_private_key(ec.SECP256R1())
    p256dh = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=system.url)
    context.add_init_script(
        _fake_subscription_script(push_service.endpoint, _b64url(p256dh), _b64url(auth))
    )
    page = context.new_page()
    sign_in(page, system)
    _open(page, system)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.click("[data-testid=push-enable]")
    page.wait_for_selector("[data-testid=push-state][data-registered=yes]")
    with _api(system) as api:
        endpoints = [s["endpoint"] for s in api.get("/push/subscriptions").json()]
        public_key = api.get("/push/vapid-public-key").json()["public_key"]
    assert endpoints == [push_service.endpoint]
    assert page.evaluate("window.__applicationServerKey") == public_key

    page.click("[data-testid=push-test]")
    result = page.wait_for_selector("[data-testid=push-test-result]").inner_text()
    assert "1" in result
    headers, body = push_service.received[-1]
    assert f"k={public_key}" in headers["authorization"]  # signed with the server's VAPID key
    payload = http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
    message = json.loads(payload)
    assert message["title"] == TEST_TITLE
    assert message["url"] == "/"

    shown_before = "navigator.serviceWorker.ready.then((r) => r.getNotifications())"
    assert page.evaluate(shown_before) == []  # nothing shown until the push arrives
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    registration = next(r for r in registrations if not r["isDeleted"])
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": system.url,
            "registrationId": registration["registrationId"],
            "data": payload.decode(),
        },
    )
    shown = _shown_notification(page, TEST_TITLE)
    assert shown["body"].startswith("이 기기에서 알림을 받을 수 있습니다")
    assert shown["tag"] == "jts-test"
    assert shown["url"] == "/"

    page.click("[data-testid=push-disable]")
    page.wait_for_selector("[data-testid=push-state][data-registered=no]")
    with _api(system) as api:
        assert api.get("/push/subscriptions").json() == []
    context.close()
