"""The rate limit of the assembled system (`jts.app.build_app`): per user once signed in, per
IP before, with 429 + Retry-After, and health never limited."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from jts.app import build_app
from jts.config import load_settings
from jts.gateway.service import GatewayService


def _client(var: Path, **gateway: object) -> tuple[httpx.AsyncClient, list[str]]:
    passwords: list[str] = []
    settings = load_settings(gateway=gateway)
    app = build_app(settings, var=var, announce=passwords.append)
    gateway_service = next(s for s in app.services if isinstance(s, GatewayService))
    transport = httpx.ASGITransport(app=gateway_service.served)
    return httpx.AsyncClient(transport=transport, base_url="http://jts"), passwords


async def test_a_user_gets_its_budget_then_429_with_retry_after(tmp_path: Path) -> None:
    client, passwords = _client(tmp_path, rate_limit={"default_limit": 5, "anonymous_limit": 3})
    async with client:
        login = await client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": passwords[0]}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        answers = [await client.get("/api/v1/auth/me", headers=headers) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        refused = answers[-1]
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        assert answers[0].headers["RateLimit-Limit"] == "5"
        for _ in range(10):
            assert (await client.get("/api/v1/health")).status_code == 200


async def test_anonymous_callers_are_limited_per_ip(tmp_path: Path) -> None:
    client, _ = _client(tmp_path, rate_limit={"anonymous_limit": 3})
    async with client:
        bad = {"username": "admin", "password": "guessing"}
        codes = [(await client.post("/api/v1/auth/login", json=bad)).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]


async def test_limits_can_be_configured_per_role_or_switched_off(tmp_path: Path) -> None:
    client, passwords = _client(
        tmp_path, rate_limit={"default_limit": 2, "role_limits": {"admin": 4}}
    )
    async with client:
        login = await client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": passwords[0]}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        codes = [(await client.get("/api/v1/auth/me", headers=headers)).status_code
                 for _ in range(5)]  # fmt: skip
        assert codes == [200] * 4 + [429]
    off, _ = _client(tmp_path / "off", rate_limit={"enabled": False, "anonymous_limit": 1})
    async with off:
        codes = [(await off.post("/api/v1/auth/login", json={"username": "x", "password": "y"}))
                 .status_code for _ in range(3)]  # fmt: skip
        assert codes == [401, 401, 401]


async def test_two_gateways_share_one_budget_through_redis(tmp_path: Path) -> None:
    """Two assembled gateways (two processes' worth) with the Redis backend: a user's
    requests to either count against one budget."""
    import redis.asyncio as aioredis

    probe = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await probe.ping()
    except OSError as exc:  # pragma: no cover - Redis runs on every machine and in CI
        pytest.skip(f"no Redis at 127.0.0.1:6379: {exc}")
    finally:
        await probe.aclose()
    prefix = f"jts-test:{tmp_path.name}:"  # this test's own counters
    limits = {"backend": "redis", "redis_url": "redis://127.0.0.1:6379/0", "default_limit": 4,
              "redis_prefix": prefix}  # fmt: skip
    var = tmp_path / "shared"  # one database: the same users and signing key
    first, passwords = _client(var, rate_limit=limits)
    second, _ = _client(var, rate_limit=limits)
    async with first, second:
        login = await first.post(
            "/api/v1/auth/login", json={"username": "admin", "password": passwords[0]}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        codes = []
        for i in range(5):
            client = first if i % 2 == 0 else second
            codes.append((await client.get("/api/v1/auth/me", headers=headers)).status_code)
        assert codes == [200, 200, 200, 200, 429]
    # the counters live under the gateway's prefix and expire on their own
    keys = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        found = [k async for k in keys.scan_iter(match=f"{prefix}*")]
        assert found
        for key in found:
            assert await keys.pttl(key) > 0
        await keys.delete(*found)
    finally:
        await keys.aclose()
