"""`RateLimitMiddleware`: counts each API request (and each WebSocket connection attempt)
against its caller's budget, answers 429 when it is spent, and tells every counted response
how much is left.

A pure ASGI middleware rather than Starlette's `BaseHTTPMiddleware`, which runs the app in a
separate task and buffers through memory streams: slower, and it breaks streaming responses.
Here an allowed request goes straight through; only `http.response.start` (or the WebSocket
accept) gains the `RateLimit-*` headers.

Who the caller is comes from `identify`, which the gateway builds from its auth (bearer token
or API key): it returns the bucket key and the role, or a None role for an anonymous caller,
whose bucket is then its IP address (`client_ip.py`), whatever key it returned. `identify`
should answer None for credentials it cannot verify rather than raise: the route's own auth
will refuse them. It is not called for exempt requests.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jts.gateway.errors import error_response
from jts.gateway.ratelimit.client_ip import anonymous_key
from jts.gateway.ratelimit.gcra import Decision, RateLimiter
from jts.gateway.ratelimit.policy import RatePolicy

__all__ = ["Identify", "RateLimitMiddleware", "rate_limit_headers"]

Identify = Callable[[Scope], Awaitable[tuple[str, str | None]]]
"""(bucket key, role) of a request's caller; role None means anonymous (bucket by IP)."""

Headers = list[tuple[bytes, bytes]]

_WS_TRY_AGAIN_LATER = 1013
_HEADED = frozenset({"http.response.start", "websocket.accept", "websocket.http.response.start"})


class RateLimitMiddleware:
    """Wraps `app`; requests `policy` exempts pass uncounted and without headers."""

    def __init__(
        self, app: ASGIApp, limiter: RateLimiter, policy: RatePolicy, identify: Identify
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.policy = policy
        self.identify = identify
        self.refusals = 0
        """Requests answered 429 (or WebSocket attempts closed) since start."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.policy.is_exempt(
            scope.get("method", "GET"), scope["path"]
        ):
            await self.app(scope, receive, send)
            return
        decision = await self._decide(scope)
        headers = rate_limit_headers(decision)
        if not decision.allowed:
            self.refusals += 1
            await _refuse(scope, receive, send, decision, headers, self.policy.window_s)
            return
        await self.app(scope, receive, _adding_headers(send, headers))

    async def _decide(self, scope: Scope) -> Decision:
        key, role = await self.identify(scope)
        if role is None:
            key = anonymous_key(scope, trust_proxy=self.policy.trust_proxy)
        return await self.limiter.hit(key, self.policy.limit_for(role), self.policy.window_s)


def rate_limit_headers(decision: Decision) -> Headers:
    """RateLimit-Limit / -Remaining / -Reset (whole seconds, rounded up), and Retry-After
    (at least 1 s) when refused: a client that waits that long is allowed."""
    headers = [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(math.ceil(decision.reset_after_s)).encode()),
    ]
    if not decision.allowed:
        headers.append((b"retry-after", str(_retry_after(decision)).encode()))
    return headers


def _retry_after(decision: Decision) -> int:
    return max(1, math.ceil(decision.retry_after_s))


def _adding_headers(send: Send, headers: Headers) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] in _HEADED:
            message = {**message, "headers": [*message.get("headers", ()), *headers]}
        await send(message)

    return send_with_headers


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    decision: Decision,
    headers: Headers,
    window_s: float,
) -> None:
    """429 with the gateway's error body (`jts.gateway.errors`); a WebSocket gets the same as
    an HTTP denial response where the server supports one, else a close before accept."""
    wait = _retry_after(decision)
    if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
        "extensions", {}
    ):
        reason = f"rate limited; retry in {wait} s"
        await send({"type": "websocket.close", "code": _WS_TRY_AGAIN_LATER, "reason": reason})
        return
    response = error_response(
        429,
        "rate_limited",
        f"rate limit of {decision.limit} requests per {window_s:g} s reached; retry in {wait} s",
        {"retry_after_s": wait, "limit": decision.limit},
        {name.decode(): value.decode() for name, value in headers},
    )
    await response(scope, receive, send)
