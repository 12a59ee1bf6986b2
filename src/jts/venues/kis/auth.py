"""`KisAuth`: the two credential calls of KIS (KIS.md §2), the `TokenIssuer` of `TokenStore`.

`/oauth2/tokenP` answers errors in its own shape (HTTP 403, `error_code` /
`error_description`), so it is parsed here rather than by `KisRest`. Note the approval call's
field is `secretkey`, not `appsecret`. Nothing here is logged: the bodies hold credentials.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from jts.core.clock import KST, NS_PER_SECOND, Clock, LiveClock, to_ns
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.errors import KisUnavailable, error_for
from jts.venues.kis.protocol.trs import APPROVAL_PATH, TOKEN_PATH
from jts.venues.kis.tokens import IssuedToken

__all__ = ["KisAuth", "token_expiry_ns"]

_TRANSPORT = "TRANSPORT"
_SAME_CLOCK_NS = 86_400 * NS_PER_SECOND


def token_expiry_ns(body: dict[str, Any], now_ns: int) -> int:
    """When a tokenP answer's token stops working, int ns UTC: the earlier of `expires_in`
    seconds from now and `access_token_token_expired` (KST, `YYYY-MM-DD HH:MM:SS`). A stamp
    more than a day away from what `expires_in` says comes from a server clock on another day
    (a rehearsal simulator's market) and is not used."""
    candidates = []
    expires_in = body.get("expires_in")
    by_lifetime: int | None = None
    if expires_in not in (None, ""):
        by_lifetime = now_ns + int(float(expires_in)) * NS_PER_SECOND
        candidates.append(by_lifetime)
    stamp = str(body.get("access_token_token_expired") or "").strip()
    if stamp:
        parsed = to_ns(dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=KST))
        if by_lifetime is None or abs(parsed - by_lifetime) <= _SAME_CLOCK_NS:
            candidates.append(parsed)
    if not candidates:
        raise KisUnavailable("TOKEN", "the token answer carries no expiry")
    return min(candidates)


class KisAuth:
    """Issues access tokens and WebSocket approval keys over `http` (base URL: the REST host)."""

    def __init__(
        self, config: KisConfig, http: httpx.AsyncClient, *, clock: Clock | None = None
    ) -> None:
        self._config = config
        self._http = http
        self._clock: Clock = clock if clock is not None else LiveClock()

    async def issue_token(self, key: AppKey) -> IssuedToken:
        body = await self._post(
            TOKEN_PATH,
            {
                "grant_type": "client_credentials",
                "appkey": key.app_key,
                "appsecret": key.app_secret,
            },
        )
        token = body.get("access_token")
        if not token:
            raise KisUnavailable("TOKEN", "the token answer carries no access_token")
        return IssuedToken(str(token), token_expiry_ns(body, self._clock.now_ns()))

    async def issue_approval(self, key: AppKey) -> str:
        body = await self._post(
            APPROVAL_PATH,
            {
                "grant_type": "client_credentials",
                "appkey": key.app_key,
                "secretkey": key.app_secret,
            },
        )
        approval = body.get("approval_key")
        if not approval:
            raise KisUnavailable("APPROVAL", "the approval answer carries no approval_key")
        return str(approval)

    async def _post(self, path: str, payload: dict[str, str]) -> dict[str, Any]:
        url = self._config.rest_url + path
        try:
            response = await self._http.post(
                url, json=payload, headers={"content-type": "application/json; charset=utf-8"}
            )
        except httpx.TransportError as exc:
            raise KisUnavailable(  # the URL (no secret in it) says which setting to check
                _TRANSPORT, f"{url}: {type(exc).__name__} (is kis.rest_url right?)"
            ) from None
        try:
            body = response.json()
        except ValueError:
            raise KisUnavailable(f"HTTP{response.status_code}", f"{path}: not JSON") from None
        if not isinstance(body, dict):
            raise KisUnavailable(f"HTTP{response.status_code}", f"{path}: not an object")
        if "error_code" in body:
            raise error_for(
                str(body["error_code"]),
                str(body.get("error_description", "")),
                http_status=response.status_code,
            )
        if body.get("rt_cd") not in (None, "0"):
            raise error_for(
                str(body.get("msg_cd", "")),
                str(body.get("msg1", "")),
                http_status=response.status_code,
            )
        if response.status_code >= 400:
            raise KisUnavailable(f"HTTP{response.status_code}", path)
        return body
