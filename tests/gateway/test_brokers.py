"""Broker credentials: written and deleted by admins, encrypted at rest, never read back."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jts.core.clock import LiveClock
from jts.core.errors import ConfigError
from jts.gateway.brokers import CredentialStore, SecretBox
from jts.storage.models import BrokerCredentialRow
from tests.gateway.conftest import KEY, Api

SECRET = "PSabcdefghijklmnopqrstuvwxyz0123456789"


async def test_secrets_are_write_only_and_encrypted(bare_api: Api, engine: Engine) -> None:
    http, admin = bare_api.http, bare_api.admin
    body = {"app_key": SECRET, "app_secret": "s" * 40}
    stored = await http.put("/api/v1/brokers/credentials/kis/12345678-01", json=body, headers=admin)
    assert stored.status_code == 200
    assert stored.json()["fields"] == ["app_key", "app_secret"]
    listed = await http.get("/api/v1/brokers/credentials", headers=admin)
    assert SECRET not in listed.text
    assert listed.json()[0]["account"] == "12345678-01"
    with Session(engine) as session:
        row = session.scalars(select(BrokerCredentialRow)).one()
    assert SECRET not in row.ciphertext
    store = CredentialStore(engine, SecretBox(KEY), LiveClock())
    assert store.get("kis", "12345678-01") == body
    trader = await http.put(
        "/api/v1/brokers/credentials/kis/12345678-01", json=body, headers=bare_api.trader
    )
    assert trader.status_code == 403
    gone = await http.delete("/api/v1/brokers/credentials/kis/12345678-01", headers=admin)
    assert gone.status_code == 204
    assert (await http.get("/api/v1/brokers/credentials", headers=admin)).json() == []


async def test_unknown_broker_is_refused(bare_api: Api) -> None:
    answer = await bare_api.http.put(
        "/api/v1/brokers/credentials/nobroker/1", json={}, headers=bare_api.admin
    )
    assert answer.status_code == 422


def test_a_wrong_key_or_a_moved_row_does_not_open(engine: Engine) -> None:
    store = CredentialStore(engine, SecretBox(KEY), LiveClock())
    store.put("kis", "A", {"app_key": "k"})
    with pytest.raises(ConfigError, match="wrong key"):
        CredentialStore(engine, SecretBox(b"z" * 32), LiveClock()).get("kis", "A")
    sealed = SecretBox(KEY).seal(b"x", b"jts-broker-credential:kis:A")
    with pytest.raises(ConfigError):
        SecretBox(KEY).open(sealed, b"jts-broker-credential:kis:B")
