from __future__ import annotations

import httpx
from fastapi import FastAPI

from jts.core import Service
from jts.gateway import create_app


class _Up(Service):
    pass


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_health_is_ok_only_when_every_service_is_healthy() -> None:
    up, down = _Up("up"), _Up("down")
    await up.start()
    async with _client(create_app(lambda: [up.health(), down.health()])) as client:
        body = (await client.get("/api/v1/health")).json()
        assert body["status"] == "degraded"
        assert [s["state"] for s in body["services"]] == ["running", "created"]
        await down.start()
        assert (await client.get("/api/v1/health")).json()["status"] == "ok"


async def test_health_includes_extra_fields_and_openapi_is_served() -> None:
    app = create_app(lambda: [], extra=lambda: {"market": {"phase": "closed"}})
    async with _client(app) as client:
        assert (await client.get("/api/v1/health")).json()["market"] == {"phase": "closed"}
        assert (await client.get("/api/openapi.json")).status_code == 200
