"""The passkey routes over HTTP, on a small app with a fake sign-in dependency and a fake token
issuer: register, list, sign in, delete; each refusal with its status and reason; OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException

from jts.gateway.auth.passkey_routes import passkey_router
from jts.gateway.auth.passkeys import PasskeyService
from jts.gateway.auth.principal import Principal, Role
from jts.gateway.errors import install_error_handlers
from tests.gateway.auth.conftest import AddUser
from tests.gateway.auth.softauthn import SoftAuthenticator

BASE = "/api/v1/auth/passkeys"


def fake_principal(
    x_user: Annotated[int | None, Header()] = None,
    x_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """Signed in as the user id in X-User (through an API key when X-Key is set)."""
    if x_user is None:
        raise HTTPException(status_code=401, detail="not signed in")
    return Principal(x_user, f"user{x_user}", Role.TRADER, key_id=x_key)


async def fake_issue_tokens(user_id: int) -> dict[str, Any]:
    return {
        "access_token": f"access-{user_id}",
        "refresh_token": f"refresh-{user_id}",
        "token_type": "bearer",
        "expires_in": 900,
    }


@pytest.fixture
def app(service: PasskeyService) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)  # the gateway's one error shape, as in the real app
    app.include_router(passkey_router(service, fake_principal, fake_issue_tokens))
    return app


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        yield client


async def _register(
    http: httpx.AsyncClient, authenticator: SoftAuthenticator, user_id: int, name: str = "laptop"
) -> httpx.Response:
    as_user = {"X-User": str(user_id)}
    begun = (await http.post(f"{BASE}/register/options", headers=as_user)).json()
    credential = authenticator.create(begun["options"])
    body = {"ceremony_id": begun["ceremony_id"], "credential": credential, "name": name}
    return await http.post(f"{BASE}/register/verify", json=body, headers=as_user)


async def _login(
    http: httpx.AsyncClient, authenticator: SoftAuthenticator, options_body: Any = None
) -> httpx.Response:
    begun = (await http.post(f"{BASE}/login/options", json=options_body)).json()
    credential = authenticator.get(begun["options"])
    body = {"ceremony_id": begun["ceremony_id"], "credential": credential}
    return await http.post(f"{BASE}/login/verify", json=body)


async def test_a_passkey_is_registered_listed_used_and_deleted(
    http: httpx.AsyncClient, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice = add_user("alice")
    as_alice = {"X-User": str(alice)}
    registered = await _register(http, authenticator, alice, "iPhone")
    assert registered.status_code == 201
    passkey = registered.json()
    assert passkey["name"] == "iPhone"
    assert passkey["last_used_ns"] is None
    assert (await http.get(BASE, headers=as_alice)).json() == [passkey]

    signed_in = await _login(http, authenticator, {"username": "alice"})
    assert signed_in.status_code == 200
    assert signed_in.json() == await fake_issue_tokens(alice)  # extra fields pass through

    path = f"{BASE}/{passkey['credential_id']}"
    assert (await http.delete(path, headers=as_alice)).status_code == 204
    assert (await http.get(BASE, headers=as_alice)).json() == []
    again = await http.delete(path, headers=as_alice)
    assert again.status_code == 404
    assert "no passkey" in again.json()["message"]


@pytest.mark.parametrize("options_body", [None, {}, {"username": None}])
async def test_a_discoverable_passkey_signs_in_without_a_username(
    http: httpx.AsyncClient, authenticator: SoftAuthenticator, add_user: AddUser, options_body: Any
) -> None:
    bob = add_user("bob")
    await _register(http, authenticator, bob)
    signed_in = await _login(http, authenticator, options_body)
    assert signed_in.json()["access_token"] == f"access-{bob}"


async def test_a_refused_sign_in_is_401_with_the_reason(
    http: httpx.AsyncClient, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    await _register(http, authenticator, add_user("alice"))
    authenticator.origin = "http://evil.localhost:8000"
    refused = await _login(http, authenticator)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"
    assert "origin" in refused.json()["message"]
    assert "Traceback" not in refused.text


async def test_an_unknown_ceremony_is_400(http: httpx.AsyncClient, add_user: AddUser) -> None:
    alice = add_user("alice")
    body = {"ceremony_id": "nope", "credential": {"id": "x"}}
    refused = await http.post(f"{BASE}/login/verify", json=body)
    assert refused.status_code == 400
    assert "start again" in refused.json()["message"]
    body["name"] = "laptop"
    refused = await http.post(f"{BASE}/register/verify", json=body, headers={"X-User": str(alice)})
    assert refused.status_code == 400


async def test_a_registration_from_another_site_is_400(
    http: httpx.AsyncClient, add_user: AddUser
) -> None:
    refused = await _register(http, SoftAuthenticator(rp_id="evil.example"), add_user("alice"))
    assert refused.status_code == 400
    assert "RP ID" in refused.json()["message"]


async def test_managing_passkeys_needs_a_signed_in_user_not_an_api_key(
    http: httpx.AsyncClient, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice = add_user("alice")
    assert (await http.post(f"{BASE}/register/options")).status_code == 401
    assert (await http.get(BASE)).status_code == 401
    by_key = {"X-User": str(alice), "X-Key": "0123456789abcdef"}
    assert (await http.post(f"{BASE}/register/options", headers=by_key)).status_code == 403
    assert (await http.delete(f"{BASE}/whatever", headers=by_key)).status_code == 403


async def test_a_request_without_its_fields_is_422(
    http: httpx.AsyncClient, add_user: AddUser
) -> None:
    as_alice = {"X-User": str(add_user("alice"))}
    body = {"ceremony_id": "c", "credential": {}, "name": ""}
    assert (
        await http.post(f"{BASE}/register/verify", json=body, headers=as_alice)
    ).status_code == 422
    assert (await http.post(f"{BASE}/login/verify", json={"credential": {}})).status_code == 422


def test_every_passkey_route_is_documented(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    operations = {
        (method.upper(), path.removeprefix(BASE)): operation
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    assert set(operations) == {
        ("POST", "/register/options"),
        ("POST", "/register/verify"),
        ("GET", ""),
        ("DELETE", "/{credential_id}"),
        ("POST", "/login/options"),
        ("POST", "/login/verify"),
    }
    for operation in operations.values():
        assert operation["tags"] == ["passkeys"]
        assert operation["description"]
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert success == "204" or operation["responses"][success]["content"]
