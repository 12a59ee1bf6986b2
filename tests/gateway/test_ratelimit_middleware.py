"""`RateLimitMiddleware` on a small FastAPI app, and the `gateway.rate_limit` settings."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, WebSocket
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from jts.gateway.auth import Role
from jts.gateway.ratelimit import MemoryLimiter, RateLimitMiddleware, RateLimitSettings, RatePolicy
from jts.gateway.ratelimit.client_ip import anonymous_key


class _Identify:
    """Reads "X-User: name:role" (a stand-in for the bearer token); counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope) -> tuple[str, str | None]:
        self.calls += 1
        for name, value in scope["headers"]:
            if name == b"x-user":
                user, _, role = value.decode().partition(":")
                return f"user:{user}", role
        return "", None


def _app(policy: RatePolicy | None = None, identify: _Identify | None = None) -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/ping")
    def ping() -> dict[str, bool]:
        return {"pong": True}

    @app.post("/api/v1/risk/kill-switch")
    def kill() -> dict[str, bool]:
        return {"halted": True}

    @app.get("/index.html")
    def index() -> PlainTextResponse:
        return PlainTextResponse("<html></html>")

    @app.get("/api/v1/stream")
    def stream() -> StreamingResponse:
        return StreamingResponse(iter([b"one\n", b"two\n"]), media_type="text/plain")

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    app.add_middleware(
        RateLimitMiddleware,
        limiter=MemoryLimiter(),
        policy=policy or RatePolicy(),
        identify=identify or _Identify(),
    )
    return app


def _client(app: FastAPI, ip: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_a_hundred_requests_pass_then_429_with_retry_after() -> None:
    async with _client(_app()) as client:
        for _ in range(100):
            assert (await client.get("/api/v1/ping")).status_code == 200
        refused = await client.get("/api/v1/ping")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"  # 0.6 s, rounded up
    assert refused.headers["ratelimit-limit"] == "100"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-reset"] == "60"
    assert refused.json() == {
        "code": "rate_limited",
        "message": "rate limit of 100 requests per 60 s reached; retry in 1 s",
        "details": {"retry_after_s": 1, "limit": 100},
    }


async def test_allowed_responses_carry_the_ratelimit_headers() -> None:
    async with _client(_app()) as client:
        first = await client.get("/api/v1/ping")
        second = await client.get("/api/v1/ping")
    assert first.headers["ratelimit-limit"] == "100"
    assert [first.headers["ratelimit-remaining"], second.headers["ratelimit-remaining"]] == [
        "99",
        "98",
    ]
    assert first.headers["ratelimit-reset"] == "1"
    assert "retry-after" not in first.headers


async def test_each_role_gets_its_own_limit() -> None:
    policy = RatePolicy(default_limit=3, role_limits={Role.TRADER: 5})
    async with _client(_app(policy)) as client:

        async def passed(user: str) -> int:
            answers = [await client.get("/api/v1/ping", headers={"X-User": user}) for _ in range(8)]
            return sum(answer.status_code == 200 for answer in answers)

        assert await passed("tina:trader") == 5
        assert await passed("vic:viewer") == 3
        assert await passed("ada:admin") == 3  # no override: the default


async def test_a_signed_in_user_has_one_budget_from_any_address() -> None:
    app = _app(RatePolicy(default_limit=2))
    headers = {"X-User": "tina:trader"}
    async with _client(app, "10.0.0.1") as home, _client(app, "10.0.0.2") as office:
        assert (await home.get("/api/v1/ping", headers=headers)).status_code == 200
        assert (await office.get("/api/v1/ping", headers=headers)).status_code == 200
        assert (await home.get("/api/v1/ping", headers=headers)).status_code == 429


async def test_anonymous_callers_are_counted_per_ip() -> None:
    app = _app(RatePolicy(anonymous_limit=2, default_limit=50))
    async with _client(app, "10.0.0.1") as one, _client(app, "10.0.0.2") as two:
        assert [(await one.get("/api/v1/ping")).status_code for _ in range(3)] == [200, 200, 429]
        assert (await two.get("/api/v1/ping")).status_code == 200
        signed_in = await one.get("/api/v1/ping", headers={"X-User": "tina:trader"})
        assert signed_in.status_code == 200
        assert signed_in.headers["ratelimit-limit"] == "50"


async def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted() -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    async with _client(_app(RatePolicy(anonymous_limit=1))) as client:
        assert (await client.get("/api/v1/ping", headers=spoofed)).status_code == 200
        other = {"X-Forwarded-For": "203.0.113.10"}
        assert (await client.get("/api/v1/ping", headers=other)).status_code == 429


async def test_behind_a_trusted_proxy_the_last_forwarded_address_is_the_bucket() -> None:
    app = _app(RatePolicy(anonymous_limit=1, trust_proxy=True))
    async with _client(app, "127.0.0.1") as proxy:
        first = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        assert (await proxy.get("/api/v1/ping", headers=first)).status_code == 200
        forged_origin = {"X-Forwarded-For": "198.51.100.2, 203.0.113.9"}
        assert (await proxy.get("/api/v1/ping", headers=forged_origin)).status_code == 429
        other = {"X-Forwarded-For": "203.0.113.10"}
        assert (await proxy.get("/api/v1/ping", headers=other)).status_code == 200


@pytest.mark.parametrize(
    ("client", "forwarded", "expected"),
    [
        ("192.0.2.7", None, "ip:192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", None, "ip:2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", None, "ip:192.0.2.7"),
        ("127.0.0.1", b"2001:db8::5", "ip:2001:db8::/64"),
        ("127.0.0.1", b"not-an-ip", "ip:not-an-ip"),
        (None, None, "ip:unknown"),
    ],
)
def test_anonymous_bucket_is_the_address_or_ipv6_network(
    client: str | None, forwarded: bytes | None, expected: str
) -> None:
    scope: dict[str, Any] = {"client": (client, 1) if client else None, "headers": []}
    if forwarded is not None:
        scope["headers"] = [(b"x-forwarded-for", forwarded)]
    assert anonymous_key(scope, trust_proxy=True) == expected


async def test_health_static_files_and_the_kill_switch_are_never_counted() -> None:
    identify = _Identify()
    async with _client(_app(RatePolicy(anonymous_limit=1), identify)) as client:
        for _ in range(5):
            health = await client.get("/api/v1/health")
            page = await client.get("/index.html")
            kill = await client.post("/api/v1/risk/kill-switch")
            assert (health.status_code, page.status_code, kill.status_code) == (200, 200, 200)
        assert "ratelimit-limit" not in health.headers
        assert identify.calls == 0
        assert (await client.get("/api/v1/ping")).status_code == 200


async def test_exemptions_are_a_parameter() -> None:
    async with _client(_app(RatePolicy(anonymous_limit=1, exempt=frozenset()))) as client:
        assert (await client.get("/api/v1/health")).status_code == 200
        assert (await client.get("/api/v1/health")).status_code == 429


async def test_streaming_responses_pass_through_with_headers() -> None:
    async with _client(_app()) as client:
        answer = await client.get("/api/v1/stream")
    assert answer.text == "one\ntwo\n"
    assert answer.headers["ratelimit-remaining"] == "99"


async def _ws_attempt(app: FastAPI, *, extensions: dict[str, Any] | None = None) -> list[Message]:
    """One WebSocket connection to /ws sending three messages; what the app sent back."""
    incoming: list[Message] = [
        {"type": "websocket.connect"},
        *({"type": "websocket.receive", "text": str(n)} for n in range(3)),
        {"type": "websocket.disconnect", "code": 1000},
    ]
    sent: list[Message] = []
    scope = {
        "type": "websocket",
        "path": "/ws",
        "raw_path": b"/ws",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [],
        "client": ("10.0.0.5", 40000),
        "server": ("test", 80),
        "subprotocols": [],
        "extensions": extensions or {},
    }

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_a_websocket_counts_once_per_connection_attempt() -> None:
    app = _app(RatePolicy(anonymous_limit=2))
    first = await _ws_attempt(app)
    assert [m["type"] for m in first] == ["websocket.accept"] + ["websocket.send"] * 3
    assert (b"ratelimit-remaining", b"1") in first[0]["headers"]
    second = await _ws_attempt(app)
    assert (b"ratelimit-remaining", b"0") in second[0]["headers"]
    refused = await _ws_attempt(app)
    assert refused == [
        {"type": "websocket.close", "code": 1013, "reason": "rate limited; retry in 30 s"}
    ]


async def test_a_refused_websocket_gets_a_429_where_the_server_can_send_one() -> None:
    app = _app(RatePolicy(anonymous_limit=1))
    await _ws_attempt(app)
    refused = await _ws_attempt(app, extensions={"websocket.http.response": {}})
    assert refused[0]["type"] == "websocket.http.response.start"
    assert refused[0]["status"] == 429
    assert (b"retry-after", b"60") in refused[0]["headers"]
    assert json.loads(refused[1]["body"])["code"] == "rate_limited"


async def test_a_refusal_is_counted_on_the_middleware() -> None:
    inner = FastAPI()
    middleware = RateLimitMiddleware(
        inner, MemoryLimiter(), RatePolicy(anonymous_limit=1), _Identify()
    )
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/api/v1/missing")
        assert (await client.get("/api/v1/missing")).status_code == 429
    assert middleware.refusals == 1


def test_settings_default_to_a_hundred_a_minute_in_memory() -> None:
    settings = RateLimitSettings()
    assert (settings.default_limit, settings.anonymous_limit, settings.window_s) == (100, 100, 60)
    assert settings.backend == "memory"
    assert settings.enabled
    policy = settings.policy()
    assert type(policy) is RatePolicy
    assert policy.limit_for(None) == 100
    assert policy.limit_for("trader") == 100


def test_settings_from_config_data() -> None:
    settings = RateLimitSettings.model_validate(
        {
            "role_limits": {"admin": 600, "viewer": 30},
            "anonymous_limit": 20,
            "exempt": ["get /api/v1/health"],
            "backend": "redis",
            "redis_url": "redis://:secret@127.0.0.1:6379/0",
        }
    )
    policy = settings.policy()
    assert [policy.limit_for(r) for r in ("admin", "viewer", "trader", None)] == [600, 30, 100, 20]
    assert policy.limit_for("robot") == 100
    assert policy.exempt == frozenset({"GET /api/v1/health"})
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"role_limits": {"owner": 5}}, "role_limits.owner"),
        ({"role_limits": {"admin": 0}}, "role_limits.admin"),
        ({"backend": "redis"}, "needs redis_url"),
        ({"exempt": ["/api/v1/health"]}, "GET /api/v1/health"),
        ({"limited_prefixes": ["api/"]}, "start with '/'"),
        ({"window": 60}, "window"),
    ],
)
def test_settings_reject_mistakes_by_name(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RateLimitSettings.model_validate(data)


async def test_lifespan_messages_pass_through() -> None:
    seen: list[str] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        pass

    middleware = RateLimitMiddleware(inner, MemoryLimiter(), RatePolicy(), _Identify())
    await middleware({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]
