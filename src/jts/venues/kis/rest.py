"""`KisRest`: every KIS REST call goes through here — budget, token, headers, envelope, retries.

One keep-alive `httpx.AsyncClient` per connection. A call waits for a slot of its priority in
the `Throttle`, takes the app key's token from the `TokenStore`, sends the headers of KIS.md
§3.1 (the TR id in its paper form on the paper host, §1), and reads the **body** before the
HTTP status (§3.2: business errors come as 200, gateway errors as 500 with an envelope).

What happens on failure depends on whether sending again could do harm:

* EGW00121/EGW00123 (token refused): renew the token once and send again, for every call —
  KIS did not execute the request.
* EGW00201 (rate): KIS did not execute it either; wait and send again, orders included.
* 5xx and transport errors: queries retry with exponential backoff. An **order** (`post(...,
  order=True)`) is never sent twice blindly: if the connection failed before the request left
  (connect error, pool timeout) it is retried, otherwise `SubmitUncertain` is raised and the
  caller resolves the outcome by inquiry (`KisOrders`).
* A refusal (`rt_cd != "0"` on a 2xx) raises `KisRefused` at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import msgspec
import structlog

from jts.venues.kis.config import KisConfig
from jts.venues.kis.errors import (
    KisApiError,
    KisRateLimited,
    KisTokenInvalid,
    KisUnavailable,
    SubmitUncertain,
    error_for,
)
from jts.venues.kis.protocol.envelope import MORE_PAGES, Envelope, PageState, parse_envelope
from jts.venues.kis.protocol.trs import TRS, Tr, tr_id
from jts.venues.kis.throttle import Priority, Throttle
from jts.venues.kis.tokens import TokenStore

__all__ = ["KisResponse", "KisRest"]

_log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before a request leaves: safe to resend even an order."""


class KisResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A successful answer: the envelope, the response `tr_cont` header, the key used."""

    envelope: Envelope
    tr_cont: str = ""
    key_id: str = ""

    @property
    def output(self) -> Any:
        return self.envelope.output

    @property
    def output1(self) -> Any:
        return self.envelope.output1

    @property
    def output2(self) -> Any:
        return self.envelope.output2

    @property
    def page(self) -> PageState:
        """Where a paged query stands; `.more` when another page follows."""
        return PageState(
            self.tr_cont, self.envelope.ctx_area_fk100.strip(), self.envelope.ctx_area_nk100.strip()
        )


class KisRest:
    """The REST side of one KIS connection. Close it with `aclose`."""

    def __init__(
        self,
        config: KisConfig,
        tokens: TokenStore,
        throttle: Throttle,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        attempts: int = 4,
        backoff_s: float = 0.25,
        timeout_s: float = 10.0,
    ) -> None:
        """`attempts`: tries of one query (retries = attempts - 1); `backoff_s` doubles per
        retry of a 5xx/transport failure; `timeout_s` bounds each HTTP exchange."""
        self.config = config
        self.tokens = tokens
        self.throttle = throttle
        self._http = http if http is not None else new_http_client(timeout_s)
        self._owns_http = http is None
        self._sleep = sleep
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s

    @property
    def http(self) -> httpx.AsyncClient:
        """The keep-alive client (also used by `KisAuth` for the token calls)."""
        return self._http

    def tr_id(self, tr: Tr) -> str:
        """The id `tr` goes by on this host (paper: `T/J/C…` → `V…`)."""
        return tr_id(tr, self.config.mode)

    async def get(
        self,
        tr: Tr,
        params: Mapping[str, str],
        *,
        priority: Priority = Priority.QUOTE,
        tr_cont: str = "",
    ) -> KisResponse:
        """One GET of `tr` with UPPERCASE query `params`, retried as the module says."""
        return await self._call(tr, params=dict(params), priority=priority, tr_cont=tr_cont)

    async def post(
        self,
        tr: Tr,
        body: Mapping[str, str],
        *,
        priority: Priority = Priority.ORDER,
        order: bool = True,
    ) -> KisResponse:
        """One POST of `tr` with an UPPERCASE, all-string JSON `body`. With `order=True` an
        uncertain outcome raises `SubmitUncertain` instead of sending again."""
        return await self._call(tr, body=dict(body), priority=priority, order=order)

    async def pages(
        self,
        tr: Tr,
        params: Mapping[str, str],
        *,
        priority: Priority = Priority.ORDER_STATUS,
        max_pages: int = 1_000,
    ) -> AsyncIterator[KisResponse]:
        """Every page of an account TR (KIS.md §3.3): `tr_cont` F/M means more; the next call
        sends header `tr_cont: N` and echoes `ctx_area_fk100/nk100` as CTX_AREA_* params."""
        query = {**params, "CTX_AREA_FK100": "", "CTX_AREA_NK100": ""}
        cont = ""
        for _ in range(max_pages):
            response = await self.get(tr, query, priority=priority, tr_cont=cont)
            yield response
            page = response.page
            if page.tr_cont not in MORE_PAGES:
                return
            query = {**query, "CTX_AREA_FK100": page.fk100, "CTX_AREA_NK100": page.nk100}
            cont = "N"
        raise KisUnavailable("PAGING", f"{tr}: more than {max_pages} pages")

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- internals ------------------------------------------------------------------------------

    async def _call(
        self,
        tr: Tr,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, str] | None = None,
        priority: Priority,
        tr_cont: str = "",
        order: bool = False,
    ) -> KisResponse:
        renewed = False
        attempt = 0
        while True:
            try:
                return await self._once(tr, params, body, priority, tr_cont, order)
            except KisTokenInvalid:
                if renewed:
                    raise
                renewed = True  # the token store forgot the token in `_once`
            except KisRateLimited as exc:
                attempt += 1
                if attempt >= self._attempts:
                    raise
                await self._pause(tr, exc, exc.retry_after)
            except SubmitUncertain:
                raise
            except KisUnavailable as exc:
                attempt += 1
                if attempt >= self._attempts:
                    raise
                await self._pause(tr, exc, self._backoff_s * 2 ** (attempt - 1))

    async def _pause(self, tr: Tr, error: KisApiError, seconds: float) -> None:
        _log.debug("kis.rest.retry", tr=str(tr), code=error.code, after_s=seconds)
        await self._sleep(seconds)

    async def _once(
        self,
        tr: Tr,
        params: dict[str, str] | None,
        body: dict[str, str] | None,
        priority: Priority,
        tr_cont: str,
        order: bool,
    ) -> KisResponse:
        spec = TRS[tr]
        # an account's orders and queries go with its own key; quotes with any key's budget
        pinned = self.config.primary_key.key_id if _ACCOUNT_PATH in spec.path else None
        key_id = await self.throttle.acquire(priority, key_id=pinned)
        key = self.config.key_by_id(key_id)
        token = await self.tokens.access_token(key)
        headers = {
            "content-type": "application/json; charset=utf-8",
            "authorization": f"Bearer {token}",
            "appkey": key.app_key,
            "appsecret": key.app_secret,
            "tr_id": self.tr_id(tr),
            "custtype": self.config.custtype,
            "tr_cont": tr_cont,
        }
        url = self.config.rest_url + spec.path
        try:
            response = await self._http.request(
                spec.method, url, params=params, json=body, headers=headers
            )
        except _NOT_SENT as exc:
            raise KisUnavailable("TRANSPORT", f"{tr}: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            if order:
                raise SubmitUncertain("TRANSPORT", f"{tr}: {type(exc).__name__}") from None
            raise KisUnavailable("TRANSPORT", f"{tr}: {type(exc).__name__}") from None
        try:
            envelope = parse_envelope(response.content)
        except msgspec.DecodeError:
            error: KisApiError = _gateway_error(response) or self._unreadable(
                tr, response.status_code, order
            )
        else:
            if envelope.ok:
                return KisResponse(
                    envelope=envelope, tr_cont=response.headers.get("tr_cont", ""), key_id=key_id
                )
            error = error_for(envelope.msg_cd, envelope.msg1, http_status=response.status_code)
        if isinstance(error, KisTokenInvalid):
            await self.tokens.invalidate(key, token)
        elif order and isinstance(error, KisUnavailable):
            error = SubmitUncertain(error.code, error.message)  # a server fault: executed?
        _log.info("kis.rest.failed", tr=str(tr), code=error.code, status=response.status_code)
        raise error

    @staticmethod
    def _unreadable(tr: Tr, status: int, order: bool) -> KisUnavailable:
        """A body that is not an envelope: a proxy or server fault. For an order, whether KIS
        executed it is unknown."""
        if order:
            return SubmitUncertain(f"HTTP{status}", f"{tr}: the answer is not a KIS envelope")
        return KisUnavailable(f"HTTP{status}", f"{tr}: the answer is not a KIS envelope")


def _gateway_error(response: httpx.Response) -> KisApiError | None:
    """The error of a body in the token endpoint's shape (`error_code`, `error_description`),
    which a gateway may use for any call; None for anything else."""
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("error_code"), str):
        return None
    message = str(body.get("error_description", ""))
    return error_for(body["error_code"], message, http_status=response.status_code)


_ACCOUNT_PATH = "/trading/"
"""TRs under this path act on the account (orders, balance, executions): the primary key's."""


def new_http_client(timeout_s: float = 10.0) -> httpx.AsyncClient:
    """A keep-alive client sized for one app key's budget (20 requests/s)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=60),
    )
