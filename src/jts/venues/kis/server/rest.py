"""The simulator's REST side as a Starlette app: auth endpoints and the domestic-stock TRs.

Every TR call passes the same gate, in KIS's order: fault injection (latency, EGW00002),
token (EGW00121 / EGW00123), per-appkey rate (EGW00201, the request not executed), then the
TR id for this environment (EGW02006 on paper for a real-only or un-`V`-ed id, EGW02007 on
real for a `V` id) and its path. Then the market catches up with the clock and the handler
runs. Response headers carry `tr_id`, `tr_cont` and `gt_uid`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jts.venues.kis.protocol import (
    APPROVAL_PATH,
    HASHKEY_PATH,
    REVOKE_PATH,
    STOCK_BASE,
    TOKEN_PATH,
    Env,
    Tr,
    UnknownTr,
    lookup_tr,
    token_error_body,
)
from jts.venues.kis.server import rest_account, rest_orders, rest_quotes
from jts.venues.kis.server.auth import AuthBook, RateLimiter
from jts.venues.kis.server.calls import Answer, Call, fail
from jts.venues.kis.server.market import KisMarket

__all__ = ["HANDLERS", "RestState", "build_rest_app"]

Handler = Callable[[Call], Answer]

HANDLERS: dict[Tr, Handler] = {
    Tr.PRICE: rest_quotes.inquire_price,
    Tr.ASKING_PRICE: rest_quotes.asking_price,
    Tr.MULTI_PRICE: rest_quotes.multi_price,
    Tr.DAILY_CHART: rest_quotes.daily_chart,
    Tr.MINUTE_CHART: rest_quotes.minute_chart,
    Tr.MINUTE_CHART_PAST: rest_quotes.minute_chart_past,
    Tr.ORDER_BUY: rest_orders.order_cash,
    Tr.ORDER_SELL: rest_orders.order_cash,
    Tr.ORDER_MODIFY_CANCEL: rest_orders.order_rvsecncl,
    Tr.BALANCE: rest_account.balance,
    Tr.DAILY_CCLD: rest_account.daily_ccld,
    Tr.DAILY_CCLD_OLD: rest_account.daily_ccld,
    Tr.BUYABLE: rest_account.buyable,
}
"""Every TR the simulator answers."""


class RestState:
    """What the REST app needs: environment, market, auth, rate limiter, fault dice."""

    def __init__(self, env: Env, market: KisMarket, auth: AuthBook) -> None:
        self.env = env
        self.market = market
        self.auth = auth
        self.config = market.config
        self.limiter = RateLimiter(market.config.requests_per_second, market.clock)
        self.faults = random.Random(f"kis-faults-{market.config.seed}")
        self.requests = 0


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    response = JSONResponse(body, status_code=status, headers=headers)
    response.headers["content-type"] = "application/json; charset=utf-8"
    return response


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def build_rest_app(state: RestState) -> Starlette:
    """The Starlette app of one environment."""

    async def token(request: Request) -> Response:
        body = await _body(request)
        if body.get("grant_type") != "client_credentials":
            return _json(token_error_body("EGW00103"), 403)
        issued = state.auth.issue_token(str(body.get("appkey", "")), str(body.get("appsecret", "")))
        if isinstance(issued, str):
            return _json(token_error_body(issued), 403)
        return _json(issued.body(state.market.clock.now_ns()))

    async def revoke(request: Request) -> Response:
        body = await _body(request)
        done = state.auth.revoke(
            str(body.get("appkey", "")), str(body.get("appsecret", "")), str(body.get("token", ""))
        )
        if done:
            return _json({"code": 200, "message": "접근토큰 폐기에 성공하였습니다"})
        return _json({"code": 403, "message": "유효하지 않은 접근토큰입니다"}, 403)

    async def approval(request: Request) -> Response:
        body = await _body(request)
        appkey, secret = str(body.get("appkey", "")), body.get("secretkey")
        if not isinstance(secret, str):  # `appsecret` instead of `secretkey`: an adapter bug
            return _json(token_error_body("EGW00105"), 403)
        refused = state.auth.credentials(appkey, secret)
        if refused is not None:
            return _json(token_error_body(refused), 403)
        return _json({"approval_key": state.auth.issue_approval(appkey, secret)})

    async def hashkey(request: Request) -> Response:
        raw = await request.body()
        refused = state.auth.credentials(
            request.headers.get("appkey", ""), request.headers.get("appsecret", "")
        )
        if refused is not None:
            return _json(token_error_body(refused), 403)
        return _json({"JsonBody": await _body(request), "HASH": hashlib.sha256(raw).hexdigest()})

    async def stock(request: Request) -> Response:
        return await _dispatch(state, request)

    routes = [
        Route(TOKEN_PATH, token, methods=["POST"]),
        Route(REVOKE_PATH, revoke, methods=["POST"]),
        Route(APPROVAL_PATH, approval, methods=["POST"]),
        Route(HASHKEY_PATH, hashkey, methods=["POST"]),
        Route(STOCK_BASE + "/{rest:path}", stock, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes)


async def _dispatch(state: RestState, request: Request) -> Response:
    tr_id = request.headers.get("tr_id", "")
    answer = await _answer(state, request, tr_id)
    headers = {"tr_id": tr_id, "tr_cont": answer.tr_cont, "gt_uid": _gt_uid(state)}
    return _json(answer.body, answer.status, headers)


def _gt_uid(state: RestState) -> str:
    state.requests += 1
    return f"{state.market.clock.yyyymmdd()}{state.requests:020d}"


async def _answer(state: RestState, request: Request, tr_id: str) -> Answer:
    config = state.config
    if config.latency_ms:
        await asyncio.sleep(config.latency_ms / 1000)
    if config.error_rate and state.faults.random() < config.error_rate:
        return fail("EGW00002")
    appkey = request.headers.get("appkey", "")
    account = state.auth.check(request.headers.get("authorization", ""), appkey)
    if isinstance(account, str):
        return fail(account if account != "EGW00103" else "EGW00121")
    if not state.limiter.allow(appkey):
        return fail("EGW00201")
    try:
        spec = lookup_tr(tr_id, state.env)
    except UnknownTr as exc:
        if not exc.env_mismatch:
            return fail("OPSQ0002")
        return fail("EGW02006" if state.env is Env.PAPER else "EGW02007")
    handler = HANDLERS.get(spec.name)
    if handler is None or request.url.path != spec.path or request.method != spec.method:
        return fail("OPSQ0002")
    state.market.sync()
    call = Call(
        env=state.env,
        spec=spec,
        tr_id=tr_id,
        broker=state.market.brokers[appkey],
        market=state.market,
        query={k.upper(): v for k, v in request.query_params.items()},
        body=await _body(request) if request.method == "POST" else {},
        tr_cont=request.headers.get("tr_cont", ""),
        pad_msg1=config.pad_msg1,
    )
    return handler(call)
