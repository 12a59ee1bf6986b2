"""Turns a request's credential into a `Principal`, and the FastAPI dependencies that demand one.

Two credentials are accepted, both as `Authorization: Bearer <...>` (bots may also use the
`X-API-Key` header): an access token from login, checked without I/O, or an API key
(`jts_<id>_<secret>`), checked with one indexed read. The user's current role and enabled flag
are re-read at most every `recheck_s` seconds, so a demotion or a disabled account takes
effect within that time even while old access tokens are still unexpired.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from jts.gateway.auth.principal import Principal, Role, Scope
from jts.gateway.auth.tokens import TokenService
from jts.gateway.auth.users import User, UserStore
from jts.gateway.errors import ApiError

_bearer = HTTPBearer(auto_error=False, description="access token from /api/v1/auth/login")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="a bot's API key")

PrincipalDependency = Callable[..., Awaitable[Principal]]


class Authenticator:
    def __init__(self, users: UserStore, tokens: TokenService, *, recheck_s: float = 5.0) -> None:
        self.users = users
        self.tokens = tokens
        self._recheck_s = recheck_s
        self._seen: dict[int, tuple[float, User | None]] = {}
        self._keys: dict[str, tuple[float, Principal | None]] = {}

    def issue(self, user: User) -> dict[str, Any]:
        """The login answer for `user`: a new access token and a new refresh-token family."""
        return self._answer(user, self.users.issue_refresh(user.id))

    def refresh(self, refresh_token: str) -> dict[str, Any] | None:
        rotated = self.users.rotate_refresh(refresh_token)
        if rotated is None:
            return None
        user, token = rotated
        self.forget(user.id)
        return self._answer(user, token)

    def _answer(self, user: User, refresh_token: str) -> dict[str, Any]:
        return {
            "access_token": self.tokens.issue_access(user.id, user.username, user.role),
            "refresh_token": refresh_token,
            "token_type": "bearer",
            "expires_in": self.tokens.access_ttl_s,
            "user": {"id": user.id, "username": user.username, "role": str(user.role)},
        }

    def check(self, credential: str) -> Principal | None:
        """The principal a credential stands for, or None. May read the database: call it
        from a thread (`check_async`) on the event loop."""
        if credential.startswith("jts_"):
            return self._check_key(credential)
        claims = self.tokens.check_access(credential)
        if claims is None:
            return None
        user = self._user(claims.user_id)
        if user is None or user.disabled:
            return None
        return Principal(user.id, user.username, user.role)

    async def check_async(self, credential: str) -> Principal | None:
        claims = None if credential.startswith("jts_") else self.tokens.check_access(credential)
        if claims is not None:
            cached = self._seen.get(claims.user_id)
            if cached is not None and time.monotonic() - cached[0] < self._recheck_s:
                user = cached[1]
                if user is None or user.disabled:
                    return None
                return Principal(user.id, user.username, user.role)
        return await run_in_threadpool(self.check, credential)

    def forget(self, user_id: int | None = None) -> None:
        """Drop cached user state and API-key answers (after an admin changed something)."""
        if user_id is None:
            self._seen.clear()
        else:
            self._seen.pop(user_id, None)
        self._keys.clear()

    def _user(self, user_id: int) -> User | None:
        now = time.monotonic()
        cached = self._seen.get(user_id)
        if cached is not None and now - cached[0] < self._recheck_s:
            return cached[1]
        user = self.users.get(user_id)
        self._seen[user_id] = (now, user)
        return user

    def _check_key(self, secret: str) -> Principal | None:
        now = time.monotonic()
        cached = self._keys.get(secret)
        if cached is not None and now - cached[0] < self._recheck_s:
            return cached[1]
        principal = self.users.check_api_key(secret)
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[secret] = (now, principal)
        return principal

    async def identify(self, scope: MutableMapping[str, Any]) -> tuple[str, str | None]:
        """The rate-limit bucket of an ASGI request: its user's (and role) when it carries a
        valid credential, else an anonymous one (the limiter then buckets by client IP)."""
        credential = _credential(scope)
        principal = await self.check_async(credential) if credential else None
        if principal is None:
            return "", None
        return principal.rate_key, str(principal.role)

    def requires(self, scope: Scope = Scope.READ) -> PrincipalDependency:
        """A dependency that answers 401 without a valid credential and 403 without `scope`."""

        async def dependency(
            request: Request,
            bearer: HTTPAuthorizationCredentials | None = Security(_bearer),  # noqa: B008
            api_key: str | None = Security(_api_key),
        ) -> Principal:
            credential = bearer.credentials if bearer is not None else api_key
            if not credential:
                raise ApiError(401, "unauthorized", "sign in: send Authorization: Bearer <token>")
            principal = await self.check_async(credential)
            if principal is None:
                raise ApiError(401, "unauthorized", "the token or API key is invalid or expired")
            if not principal.allows(scope):
                raise ApiError(
                    403,
                    "forbidden",
                    f"this needs the {scope} permission; {principal.username} has "
                    + ", ".join(sorted(principal.scopes)),
                    {"needed": str(scope)},
                )
            request.state.principal = principal
            return principal

        return dependency


def _credential(scope: MutableMapping[str, Any]) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            if kind.lower() == "bearer" and token:
                return token.strip()
        elif name == b"x-api-key" and value:
            return value.decode("latin-1").strip()
    return None


def role_at_least(principal: Principal, role: Role) -> bool:
    order = [Role.VIEWER, Role.TRADER, Role.ADMIN]
    return order.index(principal.role) >= order.index(role)
