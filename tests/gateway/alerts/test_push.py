"""End to end: a tick crossing a rule reaches a browser through a push service — encrypted
for that browser (RFC 8291), signed by the server (VAPID) — and push-service answers are
handled: 404/410 forget the subscription, other failures are counted and nothing crashes."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Engine

from jts.core.errors import ServiceError
from jts.gateway.alerts import AlertStore, PushSender, VapidKeys
from jts.gateway.alerts import sender as sender_module
from jts.gateway.alerts.notifications import Firing
from jts.gateway.alerts.sender import MAX_PAYLOAD_BYTES, _payload
from tests.gateway.alerts.conftest import Gateway
from tests.gateway.alerts.helpers import SYMBOL, at
from tests.gateway.alerts.push_service import Browser, PushService, Received, push_service, unb64url


async def _subscribe(
    gateway: Gateway, service: PushService, kind: str = "push"
) -> tuple[Browser, str]:
    browser, endpoint = Browser(), service.endpoint(kind)
    answer = await gateway.http.post(
        "/api/v1/push/subscriptions", json=browser.subscription(endpoint), headers=gateway.me
    )
    assert answer.status_code == 201, answer.text
    return browser, endpoint


def _vapid(received: Received, public_key: str, audience: str) -> dict[str, Any]:
    """What a push service checks: the scheme, the key it was subscribed with, the JWT."""
    scheme, params = received.headers["authorization"].split(" ", 1)
    parts = dict(item.split("=", 1) for item in params.split(","))
    assert (scheme, parts["k"]) == ("vapid", public_key)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    claims: dict[str, Any] = jwt.decode(parts["t"], key, algorithms=["ES256"], audience=audience)
    return claims


async def test_a_crossing_reaches_the_browser_encrypted_for_it_and_signed_by_the_server(
    gateway: Gateway,
) -> None:
    http, me = gateway.http, gateway.me
    public_key = (await http.get("/api/v1/push/vapid-public-key", headers=me)).json()["public_key"]
    with push_service() as service:
        browser, endpoint = await _subscribe(gateway, service)
        rule = {"kind": "price_above", "symbol": SYMBOL, "params": {"price": 70_000}}
        rule_id = (await http.post("/api/v1/alerts", json=rule, headers=me)).json()["id"]

        assert gateway.evaluator.on_tick(SYMBOL, 69_900, at(9, 31)) == ()
        assert len(gateway.evaluator.on_tick(SYMBOL, 70_100, at(9, 31, 5))) == 1
        await gateway.sender.flush()

        (received,) = service.to(endpoint)
    assert browser.decrypt(received) == {
        "title": "005930 ≥ 70,000",
        "body": "현재가 70,100원 · 09:31:05 KST\nPrice 70,100 KRW rose to 70,000 or above",
        "url": "/symbol?code=005930",
        "tag": f"alert-{rule_id}",
        "ts": at(9, 31, 5) // 1_000_000,
        "kind": "price_above",
        "symbol": SYMBOL,
        "rule_id": rule_id,
    }
    claims = _vapid(received, public_key, audience=service.origin)
    assert claims["sub"] == "mailto:admin@localhost"
    assert claims["exp"] > time.time()
    assert received.headers["ttl"] == "3600"
    assert received.headers["urgency"] == "high"
    assert received.headers["topic"] == f"alert-{rule_id}"
    stored = (await http.get(f"/api/v1/alerts/{rule_id}", headers=me)).json()
    assert stored["last_fired_ns"] == at(9, 31, 5)
    assert gateway.sender.stats()["sent"] == 1


async def test_every_browser_of_the_user_gets_the_test_notification(gateway: Gateway) -> None:
    with push_service() as service:
        browsers = [await _subscribe(gateway, service) for _ in range(2)]
        answer = await gateway.http.post("/api/v1/push/test", headers=gateway.me)
        decrypted = [browser.decrypt(service.to(endpoint)[0]) for browser, endpoint in browsers]
    assert answer.json() == {"subscriptions": 2, "sent": 2, "expired": 0, "failed": 0}
    assert [d["title"] for d in decrypted] == ["JTS 알림 테스트 · Test"] * 2
    assert decrypted[0]["tag"] == "jts-test"


async def test_a_subscription_the_push_service_calls_gone_is_deleted(gateway: Gateway) -> None:
    with push_service() as service:
        await _subscribe(gateway, service, "gone")  # answers 410
        await _subscribe(gateway, service, "missing")  # answers 404
        _, kept = await _subscribe(gateway, service)
        answer = await gateway.http.post("/api/v1/push/test", headers=gateway.me)
    assert answer.json() == {"subscriptions": 3, "sent": 1, "expired": 2, "failed": 0}
    assert [s.endpoint for s in gateway.store.list_subscriptions(gateway.me_id)] == [kept]
    assert gateway.sender.stats()["expired"] == 2


async def test_other_failures_are_counted_and_the_subscription_kept(gateway: Gateway) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/push/nobody-listens"
    with push_service() as service:
        await _subscribe(gateway, service, "broken")  # answers 500
        browser = Browser()
        gateway.store.add_subscription(gateway.me_id, closed, **browser.keys())
        report = await gateway.sender.send_test(gateway.me_id)
    assert (report.subscriptions, report.failed) == (2, 2)
    assert len(gateway.store.list_subscriptions(gateway.me_id)) == 2
    stats = gateway.sender.stats()
    assert (stats["failed"], stats["failed_500"]) == (2, 1)


async def test_a_firing_without_any_browser_is_still_recorded_on_its_rule(
    gateway: Gateway,
) -> None:
    rule = {"kind": "vi", "symbol": SYMBOL}
    rule_id = (await gateway.http.post("/api/v1/alerts", json=rule, headers=gateway.me)).json()[
        "id"
    ]
    firing = Firing(rule_id, gateway.me_id, "vi", SYMBOL, "t", "b", "/", at(10, 0))
    report = await gateway.sender.send(firing)
    assert report.subscriptions == 0
    assert gateway.store.get_rule(gateway.me_id, rule_id).last_fired_ns == at(10, 0)


async def test_a_firing_submitted_from_another_thread_is_sent(gateway: Gateway) -> None:

    with push_service() as service:
        browser, endpoint = await _subscribe(gateway, service)
        firing = Firing.test(gateway.me_id, at(10, 0))
        await asyncio.to_thread(gateway.sender.submit, firing)
        await asyncio.sleep(0)
        await gateway.sender.flush()
        assert browser.decrypt(service.to(endpoint)[0])["tag"] == "jts-test"


def test_an_oversized_body_is_shortened_to_fit_a_push_message() -> None:
    firing = Firing(1, 1, "vi", SYMBOL, "title", "가" * 5_000, "/", 0)
    payload = _payload(firing)
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    assert '"title": "title"' in payload


async def test_past_the_backlog_bound_firings_are_dropped_and_counted(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender_module, "MAX_PENDING", 0)
    gateway.sender.submit(Firing.test(gateway.me_id, at(10, 0)))
    await gateway.sender.flush()
    assert gateway.sender.stats()["dropped"] == 1
    assert "firings" not in gateway.sender.stats()


async def test_a_stopped_sender_can_start_again(gateway: Gateway) -> None:
    await gateway.sender.stop()
    await gateway.sender.start()
    with push_service() as service:
        browser, endpoint = await _subscribe(gateway, service)
        assert (await gateway.sender.send_test(gateway.me_id)).sent == 1
    assert browser.decrypt(service.to(endpoint)[0])["kind"] == "test"


def test_submitting_from_a_thread_before_start_is_an_error_not_a_hang(engine: Engine) -> None:
    sender = PushSender(AlertStore(engine), VapidKeys.generate())
    with pytest.raises(ServiceError, match="start"):
        sender.submit(Firing.test(1, 0))
