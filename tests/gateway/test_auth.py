"""Sign-in, tokens, refresh rotation, API keys and the role matrix, over HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from jts.core.clock import SimulatedClock
from jts.gateway import GatewayParts, create_app
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.principal import Role
from jts.gateway.auth.tokens import TokenService
from jts.gateway.auth.users import UserStore
from tests.gateway.conftest import KEY, PASSWORD, Api


async def _login(
    http: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"username": username, "password": password})


async def test_login_gives_tokens_that_open_the_api(bare_api: Api) -> None:
    answer = await _login(bare_api.http, "trader")
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {"id": 2, "username": "trader", "role": "trader", "disabled": False}
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = await bare_api.http.get("/api/v1/auth/me", headers=headers)
    assert me.json()["username"] == "trader"


async def test_wrong_password_and_unknown_user_get_the_same_401(bare_api: Api) -> None:
    wrong = await _login(bare_api.http, "trader", "not the password")
    nobody = await _login(bare_api.http, "nobody", "not the password")
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()
    assert wrong.json()["code"] == "unauthorized"


async def test_refresh_rotates_and_a_replayed_token_revokes_the_family(bare_api: Api) -> None:
    first = (await _login(bare_api.http, "viewer")).json()["refresh_token"]
    second = await bare_api.http.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    newer = second.json()["refresh_token"]
    assert newer != first
    replay = await bare_api.http.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401
    # the thief replayed `first`: the legitimate holder of `newer` is signed out too
    after = await bare_api.http.post("/api/v1/auth/refresh", json={"refresh_token": newer})
    assert after.status_code == 401


async def test_logout_ends_the_session(bare_api: Api) -> None:
    tokens = (await _login(bare_api.http, "viewer")).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = {"refresh_token": tokens["refresh_token"]}
    assert (
        await bare_api.http.post("/api/v1/auth/logout", json=body, headers=headers)
    ).status_code == 204
    assert (await bare_api.http.post("/api/v1/auth/refresh", json=body)).status_code == 401


async def test_access_tokens_expire(engine: Engine) -> None:
    clock = SimulatedClock(1_800_000_000 * 10**9)
    users = UserStore(engine, clock=clock)
    users.create("ann", PASSWORD, Role.VIEWER)
    auth = Authenticator(users, TokenService(KEY, access_ttl_s=60, clock=clock))
    app = create_app(GatewayParts(auth=auth, health_source=lambda: [], clock=clock))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://jts") as http:
        token = (await _login(http, "ann")).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await http.get("/api/v1/auth/me", headers=headers)).status_code == 200
        clock.advance(61)
        expired = await http.get("/api/v1/auth/me", headers=headers)
        assert expired.status_code == 401
        assert "expired" in expired.json()["message"]


async def test_a_disabled_user_is_locked_out_at_once(bare_api: Api) -> None:
    users = bare_api.auth.users
    trader = users.by_username("trader")
    assert trader is not None
    assert (await bare_api.http.get("/api/v1/auth/me", headers=bare_api.trader)).status_code == 200
    changed = await bare_api.http.patch(
        f"/api/v1/users/{trader.id}", json={"disabled": True}, headers=bare_api.admin
    )
    assert changed.json()["disabled"] is True
    assert (await bare_api.http.get("/api/v1/auth/me", headers=bare_api.trader)).status_code == 401
    assert (await _login(bare_api.http, "trader")).status_code == 401


async def test_tampered_and_foreign_tokens_are_refused(bare_api: Api) -> None:
    token = bare_api.viewer["Authorization"].removeprefix("Bearer ")
    head, payload, signature = token.split(".")
    forged = TokenService(b"x" * 32).issue_access(3, "admin", Role.ADMIN)
    for bad in (f"{head}.{payload}.{signature[:-2]}AA", forged, "garbage", "jts_0000_nope"):
        answer = await bare_api.http.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {bad}"}
        )
        assert answer.status_code == 401, bad


async def test_api_keys_work_by_header_and_are_scoped_and_revocable(bare_api: Api) -> None:
    http = bare_api.http
    created = await http.post(
        "/api/v1/api-keys", json={"name": "bot", "scopes": ["read"]}, headers=bare_api.trader
    )
    assert created.status_code == 201
    key = created.json()
    assert key["scopes"] == ["read"]
    by_bearer = {"Authorization": f"Bearer {key['secret']}"}
    by_header = {"X-API-Key": key["secret"]}
    for headers in (by_bearer, by_header):
        assert (await http.get("/api/v1/strategies", headers=headers)).status_code == 200
    # read-only: cannot save a strategy although its owner could
    save = await http.post("/api/v1/strategies", json={"source": "x"}, headers=by_header)
    assert save.status_code in (403, 422)
    denied = await http.post("/api/v1/strategies", json={"source": _STRATEGY}, headers=by_header)
    assert denied.status_code == 403
    assert denied.json()["details"] == {"needed": "trade"}
    listed = (await http.get("/api/v1/api-keys", headers=bare_api.trader)).json()
    assert [k["key_id"] for k in listed] == [key["key_id"]]
    assert "secret" not in listed[0]
    revoked = await http.delete(f"/api/v1/api-keys/{key['key_id']}", headers=bare_api.trader)
    assert revoked.json()["revoked"] is True
    assert (await http.get("/api/v1/strategies", headers=by_header)).status_code == 401


async def test_a_key_cannot_grant_more_than_its_owner_has(bare_api: Api) -> None:
    answer = await bare_api.http.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["admin"]}, headers=bare_api.viewer
    )
    assert answer.status_code == 422
    assert "admin" in answer.json()["message"]


async def test_users_are_managed_by_admins_only(bare_api: Api) -> None:
    http = bare_api.http
    new = {"username": "bob", "password": "a long password", "role": "trader"}
    assert (await http.post("/api/v1/users", json=new, headers=bare_api.trader)).status_code == 403
    created = await http.post("/api/v1/users", json=new, headers=bare_api.admin)
    assert created.status_code == 201
    taken = await http.post("/api/v1/users", json=new, headers=bare_api.admin)
    assert taken.status_code == 422
    assert "taken" in taken.json()["message"]
    assert (await _login(http, "bob", "a long password")).status_code == 200
    names = [
        u["username"] for u in (await http.get("/api/v1/users", headers=bare_api.admin)).json()
    ]
    assert names == ["viewer", "trader", "admin", "bob"]
    bob = created.json()["id"]
    assert (await http.delete(f"/api/v1/users/{bob}", headers=bare_api.admin)).status_code == 204
    assert (await _login(http, "bob", "a long password")).status_code == 401
    admin_id = bare_api.auth.users.by_username("admin").id  # type: ignore[union-attr]
    self_demote = await http.patch(
        f"/api/v1/users/{admin_id}", json={"role": "viewer"}, headers=bare_api.admin
    )
    assert self_demote.status_code == 422


async def test_changing_the_password_needs_the_current_one(bare_api: Api) -> None:
    http = bare_api.http
    body = {"current_password": "wrong", "new_password": "another long one"}
    assert (
        await http.post("/api/v1/auth/password", json=body, headers=bare_api.viewer)
    ).status_code == 403
    body["current_password"] = PASSWORD
    assert (
        await http.post("/api/v1/auth/password", json=body, headers=bare_api.viewer)
    ).status_code == 204
    assert (await _login(http, "viewer", "another long one")).status_code == 200
    short = {"current_password": "another long one", "new_password": "short"}
    answer = await http.post("/api/v1/auth/password", json=short, headers=bare_api.viewer)
    assert answer.status_code == 422


_STRATEGY = """\
strategy "keyed"
universe all
timeframe 1m
when position == 0 and close > 0: buy 1 shares at market
"""
