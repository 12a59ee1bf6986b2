"""KIS.md §11 items 1-5 over real sockets: environments, tokens, token checks, approval keys,
rate limits."""

from __future__ import annotations

import re

from jts.venues.kis.protocol import CODES, Env, Tr
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.conftest import SimFactory, account
from tests.venues.kis.server.client import KisClient, connect


async def test_item01_paper_refuses_real_ids_and_real_only_trs(kis_sim: KisSimulator) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        real_buy = await client.order("buy", "005930", 1, 0, "01")
        assert real_buy.status_code == 200  # sanity: the V-ed id is fine
        refused = await client.post(Tr.ORDER_BUY, {**client.account_body()}, tr="TTTC0012U")
        assert refused.status_code == 500
        assert refused.json()["msg_cd"] == "EGW02006"
        assert refused.json()["msg1"] == "모의투자 TR 이 아닙니다."
        past = await client.get(Tr.MINUTE_CHART_PAST, {}, tr="FHKST03010230")
        assert (past.status_code, past.json()["msg_cd"]) == (500, "EGW02006")


async def test_item01_real_refuses_v_ids(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(env=Env.REAL) as sim, KisClient(sim) as client:
        await client.login()
        refused = await client.get(Tr.BALANCE, client.account_body(), tr="VTTC8434R")
        assert refused.status_code == 500
        assert refused.json()["msg1"] == "실전투자 TR 이 아닙니다."
        assert refused.json()["rt_cd"] == "1"


async def test_item01_paper_refuses_nxt_and_sor_orders(kis_sim: KisSimulator) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        for venue in ("NXT", "SOR"):
            response = await client.order("buy", "005930", 1, 0, "01", EXCG_ID_DVSN_CD=venue)
            assert response.status_code == 200
            assert response.json()["rt_cd"] != "0"
            assert "output" not in response.json()


async def test_item02_token_validates_credentials(kis_sim: KisSimulator) -> None:
    bad_key = KisClient(kis_sim, account(5))
    bad_secret = KisClient(kis_sim, account(0, appsecret="wrong"))
    async with bad_key, bad_secret:
        for client, code in ((bad_key, "EGW00103"), (bad_secret, "EGW00105")):
            response = await client.issue_token()
            assert response.status_code == 403
            assert response.json() == {
                "error_code": code,
                "error_description": CODES[code].msg1,
            }


async def test_item02_token_reuse_rate_and_expiry(kis_sim: KisSimulator) -> None:
    async with KisClient(kis_sim) as client:
        first = await client.issue_token()
        body = first.json()
        assert body["expires_in"] == 86400
        assert body["token_type"] == "Bearer"
        expiry = kis_sim.clock.kst().replace(day=kis_sim.clock.kst().day + 1)
        assert body["access_token_token_expired"] == expiry.strftime("%Y-%m-%d %H:%M:%S")
        again = await client.issue_token()
        assert again.status_code == 403
        assert again.json()["error_code"] == "EGW00133"
        kis_sim.advance(61)
        same = await client.issue_token()
        assert same.json()["access_token"] == body["access_token"]
        kis_sim.advance(6 * 3600)
        fresh = await client.issue_token()
        assert fresh.status_code == 200
        assert fresh.json()["access_token"] != body["access_token"]


async def test_item03_missing_unknown_and_expired_tokens(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(token_ttl_s=120) as sim, KisClient(sim) as client:
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
        missing = await client.get(Tr.PRICE, params)
        assert (missing.status_code, missing.json()["msg_cd"]) == (500, "EGW00121")
        assert missing.json()["rt_cd"] == "1"
        client.token = "not-a-token"
        unknown = await client.get(Tr.PRICE, params)
        assert unknown.json()["msg_cd"] == "EGW00121"
        await client.login()
        assert (await client.get(Tr.PRICE, params)).json()["rt_cd"] == "0"
        sim.advance(121)
        expired = await client.get(Tr.PRICE, params)
        assert (expired.status_code, expired.json()["msg_cd"]) == (500, "EGW00123")
        assert expired.json()["rt_cd"] == "1"


async def test_item04_approval_needs_secretkey(kis_sim: KisSimulator) -> None:
    async with KisClient(kis_sim) as client:
        spec = client.spec
        wrong = await client.http.post(
            "/oauth2/Approval",
            json={"grant_type": "client_credentials", "appkey": spec.appkey,
                  "appsecret": spec.appsecret},
        )  # fmt: skip
        assert wrong.status_code == 403
        key = await client.approval_key()
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key)


async def test_item04_unknown_approval_key_is_opsp0011(kis_sim: KisSimulator) -> None:
    ws = await connect(kis_sim, "not-a-key")
    async with ws.connection:
        reply = await ws.subscribe("H0STCNT0", "005930")
        assert (reply.rt_cd, reply.msg_cd) == ("1", "OPSP0011")
        assert reply.msg1.endswith("not-a-key")


async def test_item05_paper_allows_two_calls_per_second(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(rate_limit=None) as sim, KisClient(sim) as client:
        await client.login()
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
        assert (await client.get(Tr.PRICE, params)).json()["rt_cd"] == "0"
        assert (await client.get(Tr.PRICE, params)).json()["rt_cd"] == "0"
        over = await client.order("buy", "005930", 1, 0, "01")
        assert (over.status_code, over.json()["msg_cd"]) == (500, "EGW00201")
        assert over.json()["msg1"] == "초당 거래건수를 초과하였습니다."
        assert sim.market.brokers[client.spec.appkey].orders == []  # not executed
        sim.advance(1)
        listed = await client.ccld()
        assert listed.json()["output1"] == []


async def test_item05_real_allows_twenty_per_second(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(env=Env.REAL, rate_limit=None) as sim, KisClient(sim) as client:
        await client.login()
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
        codes = [(await client.get(Tr.PRICE, params)).json()["msg_cd"] for _ in range(21)]
        assert codes[:20] == ["MCA00000"] * 20
        assert codes[20] == "EGW00201"


async def test_revoked_tokens_stop_working_and_hashkey_answers(kis_sim: KisSimulator) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        spec = client.spec
        body = {"CANO": spec.cano, "ACNT_PRDT_CD": "01", "PDNO": "005930"}
        hashed = await client.http.post(
            "/uapi/hashkey", json=body, headers={"appkey": spec.appkey, "appsecret": spec.appsecret}
        )
        assert re.fullmatch(r"[0-9a-f]{64}", hashed.json()["HASH"])
        revoked = await client.http.post(
            "/oauth2/revokeP",
            json={"appkey": spec.appkey, "appsecret": spec.appsecret, "token": client.token},
        )
        assert revoked.status_code == 200
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
        assert (await client.get(Tr.PRICE, params)).json()["msg_cd"] == "EGW00121"
