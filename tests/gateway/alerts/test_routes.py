"""The alert and push routes: CRUD confined to the caller, changes live in the evaluator at
once, clear 4xx answers, subscriptions checked, and a complete OpenAPI description."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from jts.gateway.alerts import AlertKind, alerts_router, store
from tests.gateway.alerts.conftest import Gateway, fake_principal
from tests.gateway.alerts.helpers import SYMBOL, at
from tests.gateway.alerts.push_service import Browser

PRICE = {"kind": "price_above", "symbol": SYMBOL, "params": {"price": 70_000}}


async def _create(gateway: Gateway, body: dict[str, Any] = PRICE) -> dict[str, Any]:
    answer = await gateway.http.post("/api/v1/alerts", json=body, headers=gateway.me)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def test_a_created_rule_is_listed_fetched_and_live_at_once(gateway: Gateway) -> None:
    created = await _create(gateway)
    assert created == {
        "id": created["id"],
        "kind": "price_above",
        "symbol": SYMBOL,
        "params": {"price": 70_000},
        "enabled": True,
        "cooldown_s": 300,
        "note": "",
        "created_ns": at(9, 0),
        "last_fired_ns": None,
    }
    listed = await gateway.http.get("/api/v1/alerts", headers=gateway.me)
    assert listed.json() == [created]
    fetched = await gateway.http.get(f"/api/v1/alerts/{created['id']}", headers=gateway.me)
    assert fetched.json() == created
    assert created["id"] in gateway.evaluator


async def test_another_users_rule_is_not_found_whatever_the_verb(gateway: Gateway) -> None:
    rule_id = (await _create(gateway))["id"]
    url, other, http = f"/api/v1/alerts/{rule_id}", gateway.other, gateway.http
    answers = [
        await http.get(url, headers=other),
        await http.put(url, json=PRICE, headers=other),
        await http.patch(url, json={"enabled": False}, headers=other),
        await http.delete(url, headers=other),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    assert answers[0].json() == {
        "code": "not_found",
        "message": f"no alert rule {rule_id}",
        "details": {},
    }
    assert (await http.get("/api/v1/alerts", headers=other)).json() == []
    assert rule_id in gateway.evaluator


async def test_put_replaces_a_rule_and_the_evaluator_follows(gateway: Gateway) -> None:
    rule_id = (await _create(gateway))["id"]
    body = {"kind": "price_below", "symbol": SYMBOL, "params": {"price": 60_000}, "cooldown_s": 0}
    answer = await gateway.http.put(f"/api/v1/alerts/{rule_id}", json=body, headers=gateway.me)
    assert (answer.json()["kind"], answer.json()["id"]) == ("price_below", rule_id)
    assert not gateway.evaluator.on_tick(SYMBOL, 70_500, at(9, 30))
    assert gateway.evaluator.on_tick(SYMBOL, 59_000, at(9, 31))


async def test_patch_changes_some_fields_and_disabling_stops_the_rule(gateway: Gateway) -> None:
    rule_id = (await _create(gateway))["id"]
    url = f"/api/v1/alerts/{rule_id}"
    moved = await gateway.http.patch(
        url, json={"params": {"price": 71_000}, "note": "익절"}, headers=gateway.me
    )
    assert (moved.json()["params"], moved.json()["note"]) == ({"price": 71_000}, "익절")
    paused = await gateway.http.patch(url, json={"enabled": False}, headers=gateway.me)
    assert paused.json()["enabled"] is False
    assert rule_id not in gateway.evaluator
    assert gateway.evaluator.on_tick(SYMBOL, 99_000, at(9, 30)) == ()


async def test_a_patch_that_breaks_the_rule_is_refused_naming_the_field(gateway: Gateway) -> None:
    rule_id = (await _create(gateway))["id"]
    url = f"/api/v1/alerts/{rule_id}"
    bad = await gateway.http.patch(url, json={"params": {"price": 0}}, headers=gateway.me)
    assert bad.status_code == 422
    assert bad.json()["message"] == "price_above.params.price: Input should be greater than 0"
    kind = await gateway.http.patch(url, json={"kind": "vi"}, headers=gateway.me)
    assert kind.status_code == 422
    assert (await gateway.http.get(url, headers=gateway.me)).json()["params"]["price"] == 70_000


async def test_delete_removes_the_rule_from_store_and_evaluator(gateway: Gateway) -> None:
    rule_id = (await _create(gateway))["id"]
    url = f"/api/v1/alerts/{rule_id}"
    assert (await gateway.http.delete(url, headers=gateway.me)).status_code == 204
    assert rule_id not in gateway.evaluator
    assert (await gateway.http.get(url, headers=gateway.me)).status_code == 404
    assert (await gateway.http.delete(url, headers=gateway.me)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "price_above", "params": {"price": 1}}, "price_above.symbol"),
        ({"kind": "pct_move", "symbol": SYMBOL, "params": {"pct": 0}}, "pct_move.params.pct"),
        ({"kind": "risk_halt", "symbol": SYMBOL}, "risk_halt.symbol"),
        ({"kind": "vi", "symbol": "SAMSUNG"}, "vi.symbol"),
        ({"kind": "vi", "symbol": SYMBOL, "note": "a\x00b"}, "vi.note"),
        ({"kind": "weather", "symbol": SYMBOL}, ""),
    ],
)
async def test_an_invalid_rule_is_answered_422_naming_the_field(
    gateway: Gateway, body: dict[str, Any], field: str
) -> None:
    answer = await gateway.http.post("/api/v1/alerts", json=body, headers=gateway.me)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"
    assert [e["field"] for e in answer.json()["details"]["errors"]] == [field]


async def test_a_caller_without_the_read_scope_is_refused(gateway: Gateway) -> None:
    headers = {**gateway.me, "X-Scopes": "trade"}
    for answer in [
        await gateway.http.get("/api/v1/alerts", headers=headers),
        await gateway.http.post("/api/v1/alerts", json=PRICE, headers=headers),
        await gateway.http.post("/api/v1/push/test", headers=headers),
    ]:
        assert answer.status_code == 403
        assert answer.json()["message"] == "alerts need the read scope"


async def test_the_vapid_public_key_is_served_without_a_credential(gateway: Gateway) -> None:
    answer = await gateway.http.get("/api/v1/push/vapid-public-key")
    assert answer.json() == {"public_key": gateway.sender.vapid.public_key_b64url}


async def test_a_browser_subscribes_lists_and_unsubscribes(gateway: Gateway) -> None:
    http, me = gateway.http, gateway.me
    endpoint = "http://127.0.0.1:9/push/abc"
    added = await http.post(
        "/api/v1/push/subscriptions", json=Browser().subscription(endpoint), headers=me
    )
    assert added.status_code == 201
    assert added.json() == {"id": added.json()["id"], "endpoint": endpoint, "created_ns": at(9, 0)}
    listed = await http.get("/api/v1/push/subscriptions", headers=me)
    assert [s["endpoint"] for s in listed.json()] == [endpoint]
    gone = await http.delete(
        "/api/v1/push/subscriptions", params={"endpoint": endpoint}, headers=gateway.other
    )
    assert gone.status_code == 404
    removed = await http.delete(
        "/api/v1/push/subscriptions", params={"endpoint": endpoint}, headers=me
    )
    assert removed.status_code == 204
    assert (await http.get("/api/v1/push/subscriptions", headers=me)).json() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoint": "https://10.0.0.5/admin"}, "10.0.0.5 is not a known browser push service"),
        ({"endpoint": "file:///etc/passwd"}, "must be an http or https URL"),
        ({"keys": {"p256dh": "AAAA", "auth": Browser().keys()["auth"]}}, "P-256 point"),
        ({"keys": {"p256dh": Browser().keys()["p256dh"], "auth": "AAAA"}}, "16 bytes"),
        ({"keys": {**Browser().keys(), "auth": "\x00" + Browser().keys()["auth"]}}, "keys.auth"),
        ({"endpoint": "http://127.0.0.1:9/push/a\x00b"}, "endpoint"),
    ],
)
async def test_a_subscription_the_server_must_not_call_is_refused(
    gateway: Gateway, change: dict[str, Any], message: str
) -> None:
    body = {**Browser().subscription("http://127.0.0.1:9/push/abc"), **change}
    answer = await gateway.http.post("/api/v1/push/subscriptions", json=body, headers=gateway.me)
    assert answer.status_code == 422
    assert message in answer.text


async def test_a_test_notification_without_any_browser_says_to_enable_them(
    gateway: Gateway,
) -> None:
    answer = await gateway.http.post("/api/v1/push/test", headers=gateway.me)
    assert answer.status_code == 409
    assert "enable notifications" in answer.json()["message"]


async def test_too_many_rules_are_refused_with_a_reason(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_RULES_PER_USER", 1)
    await _create(gateway)
    answer = await gateway.http.post("/api/v1/alerts", json=PRICE, headers=gateway.me)
    assert answer.status_code == 422
    assert "at most 1 alert rules per user" in answer.json()["message"]


async def test_every_route_is_described_in_openapi(gateway: Gateway) -> None:
    app = FastAPI()
    app.include_router(
        alerts_router(gateway.store, gateway.evaluator, gateway.sender, fake_principal)
    )
    schema = app.openapi()
    operations = [
        (path, verb, operation)
        for path, item in schema["paths"].items()
        for verb, operation in item.items()
    ]
    assert len(operations) == 11
    for path, verb, operation in operations:
        assert operation.get("description"), f"{verb} {path} has no description"
        assert operation["tags"] in (["alerts"], ["push"])
        success = next(code for code in operation["responses"] if code.startswith("2"))
        if success != "204":
            assert operation["responses"][success]["content"]["application/json"]["schema"]
    create = schema["paths"]["/api/v1/alerts"]["post"]["requestBody"]["content"]
    mapping = create["application/json"]["schema"]["discriminator"]["mapping"]
    assert set(mapping) == {kind.value for kind in AlertKind}


async def test_an_id_beyond_any_database_integer_is_invalid_not_a_crash(gateway: Gateway) -> None:
    answer = await gateway.http.get(f"/api/v1/alerts/{2**64}", headers=gateway.me)
    assert answer.status_code == 422
