"""Health, the OpenAPI document, static files, and the one error shape of every failure."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from jts.core import Service
from jts.core.errors import InvalidInput
from jts.gateway import GatewayParts, create_app
from jts.gateway.auth.guard import Authenticator
from tests.gateway.conftest import Api


class _Up(Service):
    pass


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_health_is_ok_only_when_every_service_is_healthy(auth: Authenticator) -> None:
    up, down = _Up("up"), _Up("down")
    await up.start()
    parts = GatewayParts(auth=auth, health_source=lambda: [up.health(), down.health()])
    async with _client(create_app(parts)) as client:
        body = (await client.get("/api/v1/health")).json()
        assert body["status"] == "degraded"
        assert [s["state"] for s in body["services"]] == ["running", "created"]
        await down.start()
        assert (await client.get("/api/v1/health")).json()["status"] == "ok"


async def test_health_includes_extra_fields_and_openapi_is_served(auth: Authenticator) -> None:
    parts = GatewayParts(
        auth=auth, health_source=lambda: [], extra=lambda: {"market": {"phase": "closed"}}
    )
    async with _client(create_app(parts)) as client:
        assert (await client.get("/api/v1/health")).json()["market"] == {"phase": "closed"}
        schema = (await client.get("/api/openapi.json")).json()
        assert "/api/v1/auth/login" in schema["paths"]
        assert (await client.get("/api/docs")).status_code == 200


async def test_errors_share_one_shape(api: Api) -> None:
    missing = await api.http.get("/api/v1/nowhere", headers=api.viewer)
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "Not Found", "details": {}}
    bad = await api.http.post("/api/v1/orders", headers=api.trader, json={"symbol": "x"})
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid_input"
    assert {e["field"] for e in body["details"]["errors"]} >= {"symbol", "side", "qty"}
    unknown = await api.http.get("/api/v1/orders/nope", headers=api.viewer)
    assert unknown.json()["code"] == "not_found"
    assert "nope" in unknown.json()["message"]
    wrong_method = await api.http.put("/api/v1/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"


async def test_an_unexpected_failure_is_a_500_without_a_stack_trace(auth: Authenticator) -> None:
    app = create_app(GatewayParts(auth=auth, health_source=_explode))
    async with _client(app) as client:
        answer = await client.get("/api/v1/health")
    assert answer.status_code == 500
    body = answer.json()
    assert body["code"] == "internal_error"
    assert "Traceback" not in answer.text
    assert "boom" not in answer.text
    assert len(body["details"]["incident"]) == 12


async def test_invalid_input_raised_anywhere_is_a_422_naming_the_field(
    auth: Authenticator,
) -> None:
    def bad_health() -> list[object]:
        raise InvalidInput("window", "must be positive")

    app = create_app(GatewayParts(auth=auth, health_source=bad_health))  # type: ignore[arg-type]
    async with _client(app) as client:
        answer = await client.get("/api/v1/health")
    assert answer.status_code == 422
    assert answer.json()["details"] == {"field": "window"}


async def test_the_dashboard_build_is_served_at_the_root(
    auth: Authenticator, engine: Engine, tmp_path: Path
) -> None:
    web = tmp_path / "out"
    web.mkdir()
    (web / "index.html").write_text("<html>JTS</html>")
    parts = GatewayParts(auth=auth, health_source=lambda: [], web_dir=web)
    async with _client(create_app(parts)) as client:
        page = await client.get("/")
        assert page.status_code == 200
        assert "JTS" in page.text
        assert (await client.get("/api/v1/health")).status_code == 200


def _explode() -> list[object]:
    raise RuntimeError("boom")
