"""A thin KIS client for the simulator tests: raw httpx and websockets, no adapter logic, so
that each test sees exactly what went over the wire."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from jts.venues.kis.protocol import (
    TRS,
    ControlReply,
    Env,
    PingPong,
    Tr,
    parse_control,
    subscribe_message,
    tr_id,
)
from jts.venues.kis.server import AccountSpec, KisSimulator


class KisClient:
    """One customer's REST calls against a running simulator."""

    def __init__(self, sim: KisSimulator, spec: AccountSpec | None = None) -> None:
        self.sim = sim
        self.spec = spec or sim.accounts[0]
        self.http = httpx.AsyncClient(base_url=sim.rest_url, timeout=10)
        self.token = ""

    async def __aenter__(self) -> KisClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def issue_token(self) -> httpx.Response:
        body = {
            "grant_type": "client_credentials",
            "appkey": self.spec.appkey,
            "appsecret": self.spec.appsecret,
        }
        response = await self.http.post("/oauth2/tokenP", json=body)
        if response.status_code == 200:
            self.token = response.json()["access_token"]
        return response

    async def login(self) -> KisClient:
        response = await self.issue_token()
        assert response.status_code == 200, response.text
        return self

    async def approval_key(self) -> str:
        body = {
            "grant_type": "client_credentials",
            "appkey": self.spec.appkey,
            "secretkey": self.spec.appsecret,
        }
        response = await self.http.post("/oauth2/Approval", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["approval_key"])

    def headers(self, tr: str, tr_cont: str = "") -> dict[str, str]:
        headers = {
            "content-type": "application/json; charset=utf-8",
            "appkey": self.spec.appkey,
            "appsecret": self.spec.appsecret,
            "tr_id": tr,
            "custtype": "P",
            "tr_cont": tr_cont,
        }
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return headers

    def tr(self, name: Tr) -> str:
        return tr_id(name, self.sim.env)

    async def get(
        self, name: Tr, params: dict[str, str], *, tr: str | None = None, tr_cont: str = ""
    ) -> httpx.Response:
        return await self.http.get(
            TRS[name].path, params=params, headers=self.headers(tr or self.tr(name), tr_cont)
        )

    async def post(
        self, name: Tr, body: dict[str, Any], *, tr: str | None = None
    ) -> httpx.Response:
        return await self.http.post(
            TRS[name].path, json=body, headers=self.headers(tr or self.tr(name))
        )

    async def price(self, code: str) -> dict[str, Any]:
        response = await self.get(Tr.PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": code})
        return dict(response.json()["output"])

    async def book(self, code: str) -> dict[str, Any]:
        response = await self.get(
            Tr.ASKING_PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": code}
        )
        return dict(response.json()["output1"])

    def account_body(self) -> dict[str, str]:
        return {"CANO": self.spec.cano, "ACNT_PRDT_CD": self.spec.product}

    async def order(
        self, side: str, code: str, qty: int, price: int, division: str = "00", **extra: str
    ) -> httpx.Response:
        body = {
            **self.account_body(),
            "PDNO": code,
            "ORD_DVSN": division,
            "ORD_QTY": str(qty),
            "ORD_UNPR": str(price),
            **extra,
        }
        return await self.post(Tr.ORDER_BUY if side == "buy" else Tr.ORDER_SELL, body)

    async def revise(
        self, odno: str, *, cancel: bool, qty: int | None = None, price: int = 0
    ) -> httpx.Response:
        body = {
            **self.account_body(),
            "KRX_FWDG_ORD_ORGNO": "00950",
            "ORGN_ODNO": odno,
            "ORD_DVSN": "00",
            "RVSE_CNCL_DVSN_CD": "02" if cancel else "01",
            "ORD_QTY": str(qty or 0),
            "ORD_UNPR": str(price),
            "QTY_ALL_ORD_YN": "Y" if qty is None else "N",
        }
        return await self.post(Tr.ORDER_MODIFY_CANCEL, body)

    async def ccld(self, tr_cont: str = "", **params: str) -> httpx.Response:
        query = {**self.account_body(), "INQR_STRT_DT": "", "INQR_END_DT": "", **params}
        return await self.get(Tr.DAILY_CCLD, query, tr_cont=tr_cont)

    async def balance(self, tr_cont: str = "", **params: str) -> httpx.Response:
        return await self.get(Tr.BALANCE, {**self.account_body(), **params}, tr_cont=tr_cont)


def notice_tr(env: Env) -> str:
    return "H0STCNI0" if env is Env.REAL else "H0STCNI9"


BARRIER = "H0BARRIER"
"""A TR id the server refuses (OPSP8991): its reply marks the end of what was queued."""


class WsClient:
    """A raw WebSocket session that separates control replies from data frames."""

    def __init__(self, connection: ClientConnection, key: str) -> None:
        self.connection = connection
        self.key = key

    async def send(self, tr: str, tr_key: str, *, register: bool = True) -> None:
        await self.connection.send(subscribe_message(self.key, tr, tr_key, register=register))

    async def subscribe(self, tr: str, tr_key: str, *, register: bool = True) -> ControlReply:
        await self.send(tr, tr_key, register=register)
        return await self.control()

    async def control(self, timeout: float = 5) -> ControlReply:
        while True:
            text = await self.recv(timeout)
            if text.startswith("{"):
                found = parse_control(text)
                if isinstance(found, ControlReply):
                    return found

    async def recv(self, timeout: float = 5) -> str:
        message = await asyncio.wait_for(self.connection.recv(), timeout)
        assert isinstance(message, str)
        return message

    async def frames(self, prefix: str, timeout: float = 10) -> list[str]:
        """Every data frame starting with `prefix` that the server queued before now.

        A barrier, not a timer: the server answers messages in order, so an (invalid)
        subscribe sent now is answered after every frame already queued for us."""
        await self.send(BARRIER, "barrier")
        found: list[str] = []
        while True:
            text = await self.recv(timeout)
            if text.startswith(prefix):
                found.append(text)
            elif text.startswith("{") and f'"{BARRIER}"' in text:
                return found

    async def drain(self, limit: int = 100, timeout: float = 5) -> None:
        """Read up to `limit` messages; a closed connection raises `ConnectionClosed`."""
        for _ in range(limit):
            await self.recv(timeout)

    async def next_ping(self, timeout: float = 5) -> PingPong:
        while True:
            text = await self.recv(timeout)
            found = parse_control(text) if text.startswith("{") else None
            if isinstance(found, PingPong):
                return found


async def connect(sim: KisSimulator, key: str) -> WsClient:
    connection = await websockets.connect(sim.ws_url + "/tryitout")
    return WsClient(connection, key)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
