"""Answers the simulator never gives, from a canned HTTP server over real sockets: the token
endpoint's own shapes, a gateway's error shape on a TR call, a proxy's HTML page."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from jts.core.clock import KST, NS_PER_SECOND, from_ns
from jts.venues.kis.auth import KisAuth, token_expiry_ns
from jts.venues.kis.config import KisConfig
from jts.venues.kis.errors import (
    KisConfigError,
    KisRateLimited,
    KisUnavailable,
    SubmitUncertain,
)
from jts.venues.kis.protocol import Env, Tr
from jts.venues.kis.rest import KisRest, new_http_client
from jts.venues.kis.throttle import Throttle
from jts.venues.kis.tokens import TokenStore
from tests.venues.kis.adapter.canned import CannedServer
from tests.venues.kis.adapter.fakes import KEY, SteppingClock

TOKEN_OK = {
    "access_token": "tok-1",
    "access_token_token_expired": "2025-11-25 12:00:00",
    "token_type": "Bearer",
    "expires_in": 86_400,
}
PRICE_OK = {"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다.", "output": {}}
HTML_502 = b"<html><body>502 Bad Gateway</body></html>"


def config(url: str) -> KisConfig:
    return KisConfig(mode=Env.REAL, app_keys=(KEY,), account="12345678-01", rest_url=url)


@asynccontextmanager
async def rest_on(
    responses: list[tuple[int, Any]], tmp_path: Path
) -> AsyncIterator[tuple[KisRest, CannedServer, SteppingClock]]:
    clock = SteppingClock()
    async with CannedServer(responses).running() as server:
        cfg = config(server.url)
        http = new_http_client(5.0)
        tokens = TokenStore(
            tmp_path, KisAuth(cfg, http, clock=clock), clock=clock, sleep=clock.sleep
        )
        throttle = Throttle([KEY.key_id], 1_000, clock=clock, sleep=clock.sleep)
        rest = KisRest(cfg, tokens, throttle, http=http, sleep=clock.sleep, attempts=3)
        try:
            yield rest, server, clock
        finally:
            await http.aclose()


def test_the_token_expiry_is_the_earlier_of_its_two_forms() -> None:
    now = 1_764_000_000 * NS_PER_SECOND
    stated = token_expiry_ns({"access_token_token_expired": "2025-11-25 12:00:00"}, now)
    assert from_ns(stated, KST).strftime("%Y-%m-%d %H:%M:%S") == "2025-11-25 12:00:00"
    assert token_expiry_ns({**TOKEN_OK, "expires_in": 60}, now) == now + 60 * NS_PER_SECOND
    assert token_expiry_ns(TOKEN_OK, now) == stated
    # a stamp days away from the lifetime is another day's server clock (a rehearsal
    # simulator's market): the lifetime decides
    old_day = {"access_token_token_expired": "2025-11-20 09:00:00", "expires_in": 86_400}
    assert token_expiry_ns(old_day, now) == now + 86_400 * NS_PER_SECOND


async def test_token_and_approval_calls_send_what_kis_expects(tmp_path: Path) -> None:
    answers = [(200, TOKEN_OK), (200, {"approval_key": "ak-1"})]
    async with CannedServer(answers).running() as srv, new_http_client() as http:
        auth = KisAuth(config(srv.url), http, clock=SteppingClock())
        issued = await auth.issue_token(KEY)
        assert issued.token == "tok-1"
        assert await auth.issue_approval(KEY) == "ak-1"
    (token_line, _, token_body), (approval_line, _, approval_body) = srv.requests
    assert token_line.startswith("POST /oauth2/tokenP ")
    assert json.loads(token_body) == {
        "grant_type": "client_credentials",
        "appkey": KEY.app_key,
        "appsecret": KEY.app_secret,
    }
    assert approval_line.startswith("POST /oauth2/Approval ")
    assert json.loads(approval_body)["secretkey"] == KEY.app_secret
    assert "appsecret" not in json.loads(approval_body)


@pytest.mark.parametrize(
    ("code", "error"),
    [("EGW00133", KisRateLimited), ("EGW00103", KisConfigError), ("EGW00105", KisConfigError)],
)
async def test_token_endpoint_errors_come_in_their_own_shape(
    code: str, error: type[Exception]
) -> None:
    body = {"error_code": code, "error_description": "..."}
    async with CannedServer([(403, body)]).running() as srv, new_http_client() as http:
        with pytest.raises(error):
            await KisAuth(config(srv.url), http).issue_token(KEY)


async def test_an_error_code_shape_on_a_tr_call_is_understood(tmp_path: Path) -> None:
    expired = {"error_code": "EGW00123", "error_description": "기간이 만료된 token 입니다."}
    renewed = {**TOKEN_OK, "access_token": "tok-2"}
    answers = [(200, TOKEN_OK), (500, expired), (200, renewed), (200, PRICE_OK)]
    async with rest_on(answers, tmp_path) as (rest, server, clock):
        await rest.get(Tr.PRICE, {"FID_INPUT_ISCD": "005930"})
        assert [line.split()[1].split("?")[0] for line, _, _ in server.requests] == [
            "/oauth2/tokenP",
            "/uapi/domestic-stock/v1/quotations/inquire-price",
            "/oauth2/tokenP",
            "/uapi/domestic-stock/v1/quotations/inquire-price",
        ]
        assert server.requests[3][1]["authorization"] == "Bearer tok-2"
        assert clock.slept == [pytest.approx(60.0)]  # the second token waited out the minute


async def test_a_proxy_page_on_a_query_is_retried_then_raised(tmp_path: Path) -> None:
    async with rest_on([(200, TOKEN_OK), (502, HTML_502)], tmp_path) as (rest, server, clock):
        with pytest.raises(KisUnavailable) as info:
            await rest.get(Tr.PRICE, {"FID_INPUT_ISCD": "005930"})
        assert info.value.code == "HTTP502"
        assert len(server.requests) == 1 + 3
        assert clock.slept == [0.25, 0.5]


async def test_a_proxy_page_on_an_order_is_uncertain_and_never_resent(tmp_path: Path) -> None:
    async with rest_on([(200, TOKEN_OK), (502, HTML_502)], tmp_path) as (rest, server, _):
        with pytest.raises(SubmitUncertain):
            await rest.post(Tr.ORDER_BUY, {"PDNO": "005930"})
        orders = [r for r in server.requests if "order-cash" in r[0]]
        assert len(orders) == 1
        _, headers, body = orders[0]
        assert headers["tr_id"] == "TTTC0012U"
        assert (headers["appkey"], headers["custtype"]) == (KEY.app_key, "P")
        assert json.loads(body) == {"PDNO": "005930"}
