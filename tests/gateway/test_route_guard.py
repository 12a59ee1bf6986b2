"""Every route but health and sign-in demands a credential, and each role reaches exactly the
routes its permissions allow: the routes are enumerated from the app, so a new route that
forgets its guard fails here."""

from __future__ import annotations

import re

import pytest

from jts.gateway.http import PUBLIC_ROUTES
from tests.gateway.conftest import Api


def _routes(api: Api) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route, from the OpenAPI document (FastAPI nests included
    routers; the document is the public list, and `test_no_route_hides_from_the_docs` makes
    sure nothing is left out of it)."""
    paths = api.app.openapi()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def _concrete(path: str) -> str:
    """A path with its parameters filled by plausible values."""
    samples = {"day": "2026-11-27", "version": "1", "user_id": "1", "broker": "kis"}
    return re.sub(r"\{(\w+)\}", lambda m: samples.get(m.group(1), "005930"), path)


async def test_every_route_but_the_public_ones_requires_a_credential(api: Api) -> None:
    routes = _routes(api)
    assert len(routes) > 40
    docs = {
        ("GET", "/api/openapi.json"),
        ("GET", "/api/docs"),
        ("GET", "/api/docs/oauth2-redirect"),
    }
    guarded = [r for r in routes if r not in PUBLIC_ROUTES and r not in docs]
    for method, path in guarded:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"X-API-Key": "jts_x_y"}):
            answer = await api.http.request(method, _concrete(path), headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers, answer.text)
            assert answer.json()["code"] == "unauthorized"
    public = [r for r in routes if r in PUBLIC_ROUTES]
    assert ("GET", "/api/v1/health") in public
    assert ("POST", "/api/v1/auth/login") in public


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("viewer", "GET", "/api/v1/orders", True),
        ("viewer", "POST", "/api/v1/orders/cancel-all", False),
        ("viewer", "POST", "/api/v1/risk/kill-switch", False),
        ("viewer", "GET", "/api/v1/users", False),
        ("trader", "POST", "/api/v1/orders/cancel-all", True),
        ("trader", "POST", "/api/v1/risk/kill-switch", True),
        ("trader", "POST", "/api/v1/risk/resume", False),
        ("trader", "PUT", "/api/v1/risk/limits", False),
        ("trader", "GET", "/api/v1/users", False),
        ("trader", "GET", "/api/v1/brokers/credentials", False),
        ("admin", "GET", "/api/v1/users", True),
        ("admin", "POST", "/api/v1/risk/resume", True),
        ("admin", "GET", "/api/v1/brokers/credentials", True),
    ],
)
async def test_roles_reach_what_they_may(
    api: Api, role: str, method: str, path: str, allowed: bool
) -> None:
    bodies = {"/api/v1/risk/kill-switch": {"reason": "x"}, "/api/v1/risk/resume": {"reason": "x"}}
    answer = await api.http.request(
        method, path, headers=getattr(api, role), json=bodies.get(path, {})
    )
    if allowed:
        assert answer.status_code < 400, answer.text
    else:
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "forbidden"


def test_no_route_hides_from_the_docs() -> None:
    """Every route module declares its routes in the OpenAPI document (the guard test above
    enumerates them from it)."""
    import pathlib

    source = pathlib.Path(__file__).parents[2] / "src" / "jts" / "gateway"
    hidden = [p for p in source.rglob("*.py") if "include_in_schema=False" in p.read_text()]
    assert hidden == []
