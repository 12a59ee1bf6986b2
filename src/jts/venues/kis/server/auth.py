"""Access tokens, WebSocket approval keys and per-appkey request limits (KIS.md §2, §3.4).

The rules reproduced: a token lives 24 h; asking again within 6 h of the last issuance gives
the same token back; more than one issuance per minute per appkey is refused (EGW00133); a
token that is unknown or revoked answers EGW00121, an expired one EGW00123. Approval keys
are UUID-like, 24 h. Requests per second are counted per appkey in fixed one-second windows
of the simulator clock. Every answer here is a KIS message code or None; the REST layer
turns codes into bodies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping

import msgspec

from jts.core.clock import to_kst
from jts.venues.kis.server.clock import NS, SimClock
from jts.venues.kis.server.config import AccountSpec, KisSimConfig

__all__ = ["AuthBook", "IssuedToken", "RateLimiter"]


class IssuedToken(msgspec.Struct, frozen=True):
    """A token as tokenP returns it; `issued_ns` / `expires_ns` simulated ns UTC."""

    appkey: str
    token: str
    issued_ns: int
    expires_ns: int

    def body(self, now_ns: int) -> dict[str, object]:
        expiry = to_kst(self.expires_ns).strftime("%Y-%m-%d %H:%M:%S")
        return {
            "access_token": self.token,
            "access_token_token_expired": expiry,
            "token_type": "Bearer",
            "expires_in": max(0, -((now_ns - self.expires_ns) // NS)),  # whole s, rounded up
        }


class AuthBook:
    """Who may call: credentials from the accounts, and the tokens and keys handed out."""

    def __init__(self, config: KisSimConfig, clock: SimClock) -> None:
        self._config = config
        self._clock = clock
        self.accounts: Mapping[str, AccountSpec] = {a.appkey: a for a in config.accounts}
        self._tokens: dict[str, IssuedToken] = {}  # token -> issued
        self._last: dict[str, IssuedToken] = {}  # appkey -> last issued
        self._called: dict[str, int] = {}  # appkey -> last answered tokenP call (ns)
        self._approvals: dict[str, tuple[str, int]] = {}  # key -> (appkey, expires)
        self._serial = 0

    def credentials(self, appkey: str, appsecret: str) -> str | None:
        """None when the pair is valid, else EGW00103 (appkey) / EGW00105 (appsecret)."""
        account = self.accounts.get(appkey)
        if account is None:
            return "EGW00103"
        return None if account.appsecret == appsecret else "EGW00105"

    def issue_token(self, appkey: str, appsecret: str) -> IssuedToken | str:
        """The token to return, or the error code (EGW00103/00105/00133)."""
        refused = self.credentials(appkey, appsecret)
        if refused is not None:
            return refused
        now = self._clock.now_ns()
        called = self._called.get(appkey)
        if called is not None and now - called < self._config.token_interval_s * NS:
            return "EGW00133"  # 1 issuance per minute, a repeated answer counting as one
        self._called[appkey] = now
        last = self._last.get(appkey)
        if last is not None and now - last.issued_ns < self._config.token_reuse_s * NS:
            return last  # the same token within 6 h (KIS since 2023-04-28)
        issued = IssuedToken(
            appkey, self._jwt(appkey, now), now, now + self._config.token_ttl_s * NS
        )
        self._tokens[issued.token] = issued
        self._last[appkey] = issued
        return issued

    def revoke(self, appkey: str, appsecret: str, token: str) -> bool:
        if self.credentials(appkey, appsecret) is not None:
            return False
        issued = self._tokens.get(token)
        if issued is None or issued.appkey != appkey:
            return False
        del self._tokens[token]
        if self._last.get(appkey) == issued:
            del self._last[appkey]
        return True

    def check(self, authorization: str, appkey: str) -> AccountSpec | str:
        """The caller's account, or EGW00121 (no/unknown token, or another appkey's token)
        / EGW00123 (expired) / EGW00103 (unknown appkey)."""
        account = self.accounts.get(appkey)
        scheme, _, token = authorization.partition(" ")
        issued = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is None or account is None or issued.appkey != appkey:
            return "EGW00121" if account is not None else "EGW00103"
        if self._clock.now_ns() >= issued.expires_ns:
            return "EGW00123"
        return account

    def issue_approval(self, appkey: str, secretkey: str) -> str:
        """A fresh approval key (valid `approval_ttl_s`)."""
        self._serial += 1
        key = str(uuid.UUID(bytes=hashlib.md5(f"{appkey}:{self._serial}".encode()).digest()))
        expires = self._clock.now_ns() + self._config.approval_ttl_s * NS
        self._approvals[key] = (appkey, expires)
        return key

    def approval_owner(self, key: str) -> str | None:
        """The appkey an approval key belongs to, None when unknown or expired."""
        found = self._approvals.get(key)
        if found is None or self._clock.now_ns() >= found[1]:
            return None
        return found[0]

    def _jwt(self, appkey: str, now: int) -> str:
        """A JWT-shaped token (unsigned: nobody verifies it but us)."""
        self._serial += 1
        header = {"typ": "JWT", "alg": "HS256"}
        claims = {"sub": "token", "aud": appkey[:8], "iat": now // NS, "jti": self._serial}
        parts = [_b64(json.dumps(p).encode()) for p in (header, claims)]
        digest = hashlib.sha256(f"{appkey}{now}{self._serial}".encode()).digest()
        return ".".join([*parts, _b64(digest)])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class RateLimiter:
    """At most `per_second` requests per appkey in each whole second of the simulator clock
    (fixed window: KIS's own window shape is unverified)."""

    def __init__(self, per_second: int, clock: SimClock) -> None:
        self.per_second = per_second
        self._clock = clock
        self._window: dict[str, tuple[int, int]] = {}  # appkey -> (second, count)

    def allow(self, appkey: str) -> bool:
        """Count one request; False (not counted) when the window is full."""
        if self.per_second <= 0:
            return True
        second = self._clock.now_ns() // NS
        current, count = self._window.get(appkey, (second, 0))
        if current != second:
            count = 0
        if count >= self.per_second:
            return False
        self._window[appkey] = (second, count + 1)
        return True
