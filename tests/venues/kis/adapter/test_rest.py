"""`KisRest` against the KIS simulator over real sockets: headers and TR ids, envelope first,
token reuse and renewal, rate-limit and server-error retries, paging."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from structlog.testing import capture_logs

from jts.venues.kis.errors import KisConfigError, KisRefused, KisUnavailable
from jts.venues.kis.protocol import Env, Tr
from jts.venues.kis.server import KisSimulator
from jts.venues.kis.throttle import Priority
from jts.venues.kis.tokens import TokenRecord
from tests.venues.kis.adapter.stack import adapter
from tests.venues.kis.conftest import SimFactory, account

QUOTE = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


async def test_a_quote_comes_back_with_one_token_for_many_calls(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        answers = [await kis.rest.get(Tr.PRICE, QUOTE) for _ in range(3)]
        assert all(int(a.output["stck_prpr"]) > 0 for a in answers)
        assert kis.tokens.issued == 1
        assert answers[0].envelope.msg_cd == "MCA00000"


async def test_a_restarted_adapter_reuses_the_stored_token(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        await kis.rest.get(Tr.PRICE, QUOTE)
    async with adapter(kis_sim, tmp_path) as kis:
        await kis.rest.get(Tr.PRICE, QUOTE)
        assert kis.tokens.issued == 0  # the file's token still works


async def test_the_paper_host_gets_the_paper_tr_ids(kis_sim: KisSimulator, tmp_path: Path) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        assert kis.rest.tr_id(Tr.BALANCE) == "VTTC8434R"
        assert kis.rest.tr_id(Tr.PRICE) == "FHKST01010100"
        answer = await kis.rest.get(Tr.BUYABLE, {**_account(kis), "PDNO": "005930"})
        assert answer.envelope.msg_cd == "20310000"


def _account(kis: object) -> dict[str, str]:
    config = kis.config  # type: ignore[attr-defined]
    return {"CANO": config.cano, "ACNT_PRDT_CD": config.product_code}


async def test_a_refused_token_is_renewed_once_and_the_call_succeeds(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        key = kis.config.primary_key
        forged = TokenRecord(access_token="forged", expires_ns=kis_sim.clock.now_ns() + 10**15)
        (tmp_path / f"{key.key_id}.json").write_bytes(msgspec.json.encode(forged))
        answer = await kis.rest.get(Tr.PRICE, QUOTE)  # EGW00121, renew, again
        assert int(answer.output["stck_prpr"]) > 0
        assert kis.tokens.issued == 1
        assert kis.tokens.record(key).access_token != "forged"


async def test_an_expired_token_is_renewed_before_kis_refuses_it(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    async with kis_sim_factory(token_ttl_s=7_200) as sim, adapter(sim, tmp_path) as kis:
        await kis.rest.get(Tr.PRICE, QUOTE)
        first = kis.tokens.record(kis.config.primary_key).access_token
        sim.advance(3_700)  # inside the one-hour renewal margin
        await kis.rest.get(Tr.PRICE, QUOTE)
        # the simulator hands out the same token within 6 h of issuance, as KIS does
        assert kis.tokens.issued == 2
        assert kis.tokens.record(kis.config.primary_key).access_token == first


async def test_egw00201_waits_and_sends_again(kis_sim_factory: SimFactory, tmp_path: Path) -> None:
    async with kis_sim_factory(rate_limit=2) as sim, adapter(sim, tmp_path) as kis:
        answers = [await kis.rest.get(Tr.PRICE, QUOTE) for _ in range(5)]
        assert len(answers) == 5
        assert kis.slept.count(1.0) >= 2  # the simulator's second filled up twice


async def test_server_errors_on_queries_are_retried_with_backoff_then_raised(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    async with kis_sim_factory(error_rate=1.0) as sim, adapter(sim, tmp_path, attempts=3) as kis:
        with pytest.raises(KisUnavailable) as info:
            await kis.rest.get(Tr.PRICE, QUOTE, priority=Priority.QUOTE)
        assert info.value.code == "EGW00002"
        assert kis.slept == [0.25, 0.5]


async def test_a_business_refusal_is_not_retried(kis_sim: KisSimulator, tmp_path: Path) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        with pytest.raises(KisRefused):
            await kis.rest.get(
                Tr.PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "999999"}
            )
        assert kis.slept == []


async def test_a_real_only_tr_on_the_paper_host_stops(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        kis.rest.tr_id = lambda tr: "TTTC8434R"  # type: ignore[method-assign]
        with pytest.raises(KisConfigError) as info:
            await kis.rest.get(Tr.BALANCE, _account(kis))
        assert info.value.code == "EGW02006"


async def test_bad_credentials_stop(kis_sim_factory: SimFactory, tmp_path: Path) -> None:
    async with kis_sim_factory() as sim:
        wrong = account(0, appsecret="WRONG" + "x" * 175)
        async with adapter(sim, tmp_path, spec=wrong) as kis:
            with pytest.raises(KisConfigError) as info:
                await kis.rest.get(Tr.PRICE, QUOTE)
            assert info.value.code == "EGW00105"


async def test_pages_follow_tr_cont_until_the_last(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    codes = tuple(f"{100 + i:05d}0" for i in range(45))
    spec = account(0, holdings=dict.fromkeys(codes, 10))
    async with (
        kis_sim_factory(accounts=(spec,), symbols=45, codes=()) as sim,
        adapter(sim, tmp_path) as kis,
    ):
        params = {
            **_account(kis),
            "AFHR_FLPR_YN": "N", "OFL_YN": "", "INQR_DVSN": "02", "UNPR_DVSN": "01",
            "FUND_STTL_ICLD_YN": "N", "FNCG_AMT_AUTO_RDPT_YN": "N", "PRCS_DVSN": "00",
        }  # fmt: skip
        pages = [page async for page in kis.rest.pages(Tr.BALANCE, params)]
        assert [len(p.output1) for p in pages] == [20, 20, 5]
        assert [p.tr_cont for p in pages][-1] in ("D", "E")
        symbols = [row["pdno"] for p in pages for row in p.output1]
        assert sorted(symbols) == sorted(codes)


async def test_the_real_host_takes_the_real_ids(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    async with kis_sim_factory(env=Env.REAL) as sim, adapter(sim, tmp_path) as kis:
        assert kis.rest.tr_id(Tr.BALANCE) == "TTTC8434R"
        answer = await kis.rest.get(Tr.BUYABLE, {**_account(kis), "PDNO": "005930"})
        assert answer.envelope.msg_cd == "KIOK0510"


async def test_the_approval_key_is_issued_with_secretkey_and_reused(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        first = await kis.connection.approval_key()
        assert kis_sim.auth.approval_owner(first) == kis.config.primary_key.app_key
        assert await kis.connection.approval_key() == first


async def test_no_log_line_carries_a_credential_or_token(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        key = kis.config.primary_key
        forged = TokenRecord(access_token="forged", expires_ns=kis_sim.clock.now_ns() + 10**15)
        (tmp_path / f"{key.key_id}.json").write_bytes(msgspec.json.encode(forged))
        with capture_logs() as logs:
            await kis.rest.get(Tr.PRICE, QUOTE)  # a refused token, logged, then renewed
            with pytest.raises(KisRefused):
                await kis.rest.get(Tr.PRICE, {**QUOTE, "FID_INPUT_ISCD": "999999"})
        token = kis.tokens.record(key).access_token
        text = repr(logs)
        assert logs  # the failures were logged
        assert all(secret not in text for secret in (key.app_key, key.app_secret, token, "forged"))
