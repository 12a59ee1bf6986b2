"""Short-lived access tokens (JWT, HS256) and the opaque refresh tokens that renew them.

An access token is self-contained: the gateway checks it without a database read, which is
what lets every request and every WebSocket frame be authorized cheaply. It lives minutes, so
a revoked user or a stolen token stops working soon. Refresh tokens are random strings whose
SHA-256 digest is stored server-side (see `users.UserStore`), so they can be revoked at once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, Final

import jwt

from jts.core.clock import Clock, LiveClock
from jts.gateway.auth.principal import Role

ALGORITHM: Final = "HS256"
ISSUER: Final = "jts"
ACCESS_TTL_S: Final = 15 * 60
REFRESH_TTL_S: Final = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    username: str
    role: Role
    expires_s: int


class TokenService:
    """Issues and checks access tokens with one secret key (from `keyfile`)."""

    def __init__(
        self,
        secret: bytes,
        *,
        access_ttl_s: int = ACCESS_TTL_S,
        clock: Clock | None = None,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the token signing key needs at least 32 bytes")
        self._secret = secret
        self.access_ttl_s = access_ttl_s
        self._clock = clock or LiveClock()

    def now_s(self) -> int:
        return self._clock.now_ns() // 1_000_000_000

    def issue_access(self, user_id: int, username: str, role: Role) -> str:
        now = self.now_s()
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": str(user_id),
            "name": username,
            "role": str(role),
            "iat": now,
            "exp": now + self.access_ttl_s,
            "jti": uuid.uuid4().hex,
            "typ": "access",
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def check_access(self, token: str) -> AccessClaims | None:
        """The claims of a valid, unexpired access token; None for anything else."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "sub", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            return None
        # Expiry is checked against our clock, not the wall clock (simulated time in tests).
        now = self.now_s()
        if claims.get("typ") != "access" or int(claims["exp"]) <= now:
            return None
        if int(claims["iat"]) > now + 60:  # issued in our future: a clock or key problem
            return None
        try:
            return AccessClaims(
                user_id=int(claims["sub"]),
                username=str(claims.get("name", "")),
                role=Role(str(claims.get("role"))),
                expires_s=int(claims["exp"]),
            )
        except (ValueError, KeyError):
            return None


def new_refresh_token() -> str:
    """A fresh refresh token: 256 random bits, URL-safe."""
    return "rt_" + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The stored form of a high-entropy token (refresh tokens, API key secrets).

    SHA-256 rather than argon2: these are 256-bit random values, so a slow hash adds nothing
    against guessing, and a fast one keeps every API-key request a single indexed lookup.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
