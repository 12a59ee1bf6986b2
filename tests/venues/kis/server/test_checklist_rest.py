"""KIS.md §11 items 6-9 over real sockets: envelope fidelity, paging, orders, order life cycle."""

from __future__ import annotations

from typing import Any

import pytest

from jts.venues.kis.protocol import Env, Tr
from tests.venues.kis.conftest import SimFactory, account
from tests.venues.kis.server.client import KisClient

_QUOTE = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


def _all_strings(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _all_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_strings(v) for v in value)
    return isinstance(value, str)


@pytest.mark.parametrize(
    ("name", "params", "shape"),
    [
        (Tr.PRICE, _QUOTE, ("output",)),
        (Tr.ASKING_PRICE, _QUOTE, ("output1", "output2")),
        (Tr.DAILY_CHART, {**_QUOTE, "FID_PERIOD_DIV_CODE": "D"}, ("output1", "output2")),
        (Tr.MINUTE_CHART, {**_QUOTE, "FID_INPUT_HOUR_1": "090000"}, ("output1", "output2")),
        (Tr.MULTI_PRICE, {"FID_COND_MRKT_DIV_CODE_1": "J", "FID_INPUT_ISCD_1": "005930",
                          "FID_COND_MRKT_DIV_CODE_2": "J", "FID_INPUT_ISCD_2": "000660"},
         ("output",)),
        (Tr.BALANCE, None, ("output1", "output2")),
        (Tr.DAILY_CCLD, None, ("output1", "output2")),
        (Tr.BUYABLE, None, ("output",)),
    ],
)  # fmt: skip
async def test_item06_envelope_shapes_and_string_values(
    kis_sim_factory: SimFactory, name: Tr, params: dict[str, str] | None, shape: tuple[str, ...]
) -> None:
    async with kis_sim_factory(pad_msg1=40) as sim, KisClient(sim) as client:
        await client.login()
        query = params if params is not None else {**client.account_body(), "PDNO": "005930"}
        response = await client.get(name, query)
        body = response.json()
        assert response.status_code == 200
        assert response.headers["tr_id"] == client.tr(name)
        assert "tr_cont" in response.headers
        assert body["rt_cd"] == "0"
        assert len(body["msg1"]) == 40  # right-padded with spaces
        assert {k for k in body if k.startswith("output")} == set(shape)
        assert _all_strings(body)


async def test_item06_balance_summary_is_an_array_of_one_and_ccld_summary_an_object(
    kis_sim: Any,
) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        assert len((await client.balance()).json()["output2"]) == 1
        assert isinstance((await client.ccld()).json()["output2"], dict)
        multi = await client.get(
            Tr.MULTI_PRICE, {"FID_COND_MRKT_DIV_CODE_1": "J", "FID_INPUT_ISCD_1": "005930"}
        )
        assert multi.json()["output"][0]["inter_shrn_iscd"] == "005930"


def _codes(n: int) -> tuple[str, ...]:
    return tuple(f"{100 + i:05d}0" for i in range(n))


async def test_item07_balance_pages_twenty_rows_on_paper(kis_sim_factory: SimFactory) -> None:
    holdings = dict.fromkeys(_codes(25), 10)
    async with (
        kis_sim_factory(accounts=(account(0, holdings=holdings),), symbols=25, codes=()) as sim,
        KisClient(sim) as client,
    ):
        await client.login()
        first = await client.balance()
        assert first.headers["tr_cont"] == "F"
        body = first.json()
        assert len(body["output1"]) == 20
        assert body["ctx_area_fk100"]
        assert body["ctx_area_nk100"]
        echo = {"CTX_AREA_FK100": body["ctx_area_fk100"], "CTX_AREA_NK100": body["ctx_area_nk100"]}
        without_n = await client.balance(**echo)
        assert without_n.json()["output1"] == body["output1"]  # no tr_cont N: first page again
        second = await client.balance("N", **echo)
        assert second.headers["tr_cont"] == "D"
        rows = body["output1"] + second.json()["output1"]
        assert sorted(r["pdno"] for r in rows) == sorted(holdings)


async def test_item07_daily_ccld_pages_fifteen_rows_on_paper(kis_sim: Any) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        bid = int((await client.book("005930"))["bidp1"])
        tick = int((await client.price("005930"))["aspr_unit"])
        for i in range(32):
            response = await client.order("buy", "005930", 1, bid - tick * (1 + i % 3))
            assert response.json()["rt_cd"] == "0", response.json()
        pages: list[list[dict[str, str]]] = []
        tr_cont, echo = "", dict[str, str]()
        while True:
            response = await client.ccld(tr_cont, **echo)
            pages.append(response.json()["output1"])
            if response.headers["tr_cont"] not in ("F", "M"):
                break
            tr_cont = "N"
            body = response.json()
            echo = {"CTX_AREA_FK100": body["ctx_area_fk100"],
                    "CTX_AREA_NK100": body["ctx_area_nk100"]}  # fmt: skip
        assert [len(p) for p in pages] == [15, 15, 2]
        odnos = [row["odno"] for page in pages for row in page]
        assert odnos == sorted(odnos, reverse=True)  # INQR_DVSN 00: newest first
        assert len(set(odnos)) == 32


async def test_item07_real_page_sizes_are_fifty_and_hundred(kis_sim_factory: SimFactory) -> None:
    holdings = dict.fromkeys(_codes(55), 1)
    async with (
        kis_sim_factory(
            env=Env.REAL, accounts=(account(0, holdings=holdings),), symbols=55, codes=()
        ) as sim,
        KisClient(sim) as client,
    ):
        await client.login()
        first = await client.balance()
        assert (len(first.json()["output1"]), first.headers["tr_cont"]) == (50, "F")


async def test_item07_daily_bars_newest_first_at_most_100(kis_sim: Any) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        params = {**_QUOTE, "FID_INPUT_DATE_1": "20250101", "FID_INPUT_DATE_2": "20261127",
                  "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "0"}  # fmt: skip
        rows = (await client.get(Tr.DAILY_CHART, params)).json()["output2"]
        dates = [r["stck_bsop_date"] for r in rows]
        assert len(rows) == 100
        assert dates == sorted(dates, reverse=True)
        assert dates[0] == "20261127"
        oldest = dates[-1]
        params["FID_INPUT_DATE_2"] = str(int(oldest) - 1)
        older = (await client.get(Tr.DAILY_CHART, params)).json()["output2"]
        assert older[0]["stck_bsop_date"] < oldest


async def test_item07_minute_bars_cursor_and_future_clamp(kis_sim: Any) -> None:
    kis_sim.advance(45 * 60)
    async with KisClient(kis_sim) as client:
        await client.login()
        now_rows = (
            await client.get(Tr.MINUTE_CHART, {**_QUOTE, "FID_INPUT_HOUR_1": "235959"})
        ).json()["output2"]
        hours = [r["stck_cntg_hour"] for r in now_rows]
        assert len(now_rows) == 30
        assert hours == sorted(hours, reverse=True)
        assert hours[0] <= kis_sim.clock.hhmmss()
        cursor = f"{int(hours[-1]) - 100:06d}"  # one minute before the oldest
        older = (await client.get(Tr.MINUTE_CHART, {**_QUOTE, "FID_INPUT_HOUR_1": cursor})).json()[
            "output2"
        ]
        assert older[0]["stck_cntg_hour"] <= cursor
        assert older[0]["stck_cntg_hour"] < hours[-1]


async def test_item08_accepted_orders_by_env(kis_sim_factory: SimFactory) -> None:
    for env, buy_code, sell_code in (
        (Env.PAPER, "40600000", "40590000"),
        (Env.REAL, "APBK0013", "APBK0013"),
    ):
        holdings = {"005930": 10}
        async with (
            kis_sim_factory(env=env, accounts=(account(0, holdings=holdings),)) as sim,
            KisClient(sim) as client,
        ):
            await client.login()
            bid = int((await client.book("005930"))["bidp1"])
            buy = (await client.order("buy", "005930", 1, bid)).json()
            sell = (await client.order("sell", "005930", 1, 0, "01")).json()
            assert (buy["msg_cd"], sell["msg_cd"]) == (buy_code, sell_code)
            for output in (buy["output"], sell["output"]):
                assert set(output) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}
                assert len(output["ODNO"]) == 10
                assert output["ODNO"].isdigit()
                assert len(output["ORD_TMD"]) == 6
                assert len(output["KRX_FWDG_ORD_ORGNO"]) == 5


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"CANO": "99999999"}, "OPSQ2000"),
        ({"ORD_QTY": 1}, "OPSQ1002"),  # a number, not a string
        ({"ORD_UNPR": "OFF_TICK"}, "40320000"),
        ({"ORD_UNPR": "ABOVE_LIMIT"}, "40340000"),
        ({"ORD_QTY": "100000000"}, "40310000"),  # more than the cash
        ({"PDNO": "999990"}, "40370000"),
        ({"ORD_DVSN": "22"}, "40360000"),  # stop-limit: not simulated
    ],
)
async def test_item08_refused_orders_are_http_200_without_output(
    kis_sim: Any, change: dict[str, Any], code: str
) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        price = int((await client.price("005930"))["stck_prpr"])
        upper = int((await client.price("005930"))["stck_mxpr"])
        body: dict[str, Any] = {**client.account_body(), "PDNO": "005930", "ORD_DVSN": "00",
                                "ORD_QTY": "1", "ORD_UNPR": str(price)}  # fmt: skip
        body |= change
        if body["ORD_UNPR"] == "OFF_TICK":
            body["ORD_UNPR"] = str(price + 1)
        if body["ORD_UNPR"] == "ABOVE_LIMIT":
            body["ORD_UNPR"] = str(upper + 1000)
        response = await client.post(Tr.ORDER_BUY, body)
        assert response.status_code == 200
        assert response.json()["rt_cd"] != "0"
        assert response.json()["msg_cd"] == code
        assert "output" not in response.json()


async def test_item08_lowercase_keys_are_refused(kis_sim: Any) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        body = {"cano": client.spec.cano, "acnt_prdt_cd": "01", "pdno": "005930",
                "ord_dvsn": "01", "ord_qty": "1", "ord_unpr": "0"}  # fmt: skip
        assert (await client.post(Tr.ORDER_BUY, body)).json()["rt_cd"] != "0"


async def test_item08_real_cash_refusal_is_apbk0952_rt_cd_7(kis_sim_factory: SimFactory) -> None:
    async with (
        kis_sim_factory(env=Env.REAL, accounts=(account(0, cash=1_000),)) as sim,
        KisClient(sim) as client,
    ):
        await client.login()
        price = int((await client.price("005930"))["stck_prpr"])
        refused = (await client.order("buy", "005930", 10, price)).json()
        assert (refused["rt_cd"], refused["msg_cd"]) == ("7", "APBK0952")


async def test_item08_modify_and_cancel_get_new_numbers(kis_sim: Any) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        bid = int((await client.book("005930"))["bidp1"])
        tick = int((await client.price("005930"))["aspr_unit"])
        odno = (await client.order("buy", "005930", 5, bid - tick)).json()["output"]["ODNO"]
        modified = (await client.revise(odno, cancel=False, price=bid - 2 * tick)).json()
        assert modified["msg_cd"] == "40620000"
        new = modified["output"]["ODNO"]
        assert new != odno
        cancelled = (await client.revise(new, cancel=True)).json()
        assert cancelled["msg_cd"] == "40630000"
        assert cancelled["output"]["ODNO"] not in (odno, new)
        again = (await client.revise(new, cancel=True)).json()
        assert again["rt_cd"] != "0"
        unknown = (await client.revise("0000999999", cancel=True)).json()
        assert unknown["rt_cd"] != "0"
        rows = {r["odno"]: r for r in (await client.ccld()).json()["output1"]}
        assert rows[new]["orgn_odno"] == odno
        assert rows[cancelled["output"]["ODNO"]]["cncl_yn"] == "Y"


async def test_item08_fully_filled_orders_cannot_be_cancelled(kis_sim: Any) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        ask = int((await client.book("005930"))["askp1"])
        odno = (await client.order("buy", "005930", 1, ask)).json()["output"]["ODNO"]
        refused = (await client.revise(odno, cancel=True)).json()
        assert refused["rt_cd"] != "0"
        assert refused["msg_cd"] == "40350000"


async def test_item09_partial_fill_shows_in_ccld_and_balance(kis_sim: Any) -> None:
    async with KisClient(kis_sim) as client:
        await client.login()
        book = await client.book("005930")
        ask, at_ask = int(book["askp1"]), int(book["askp_rsqn1"])
        odno = (await client.order("buy", "005930", at_ask + 7, ask)).json()["output"]["ODNO"]
        row = (await client.ccld(ODNO=odno)).json()["output1"][0]
        assert (int(row["tot_ccld_qty"]), int(row["rmn_qty"])) == (at_ask, 7)
        assert int(row["avg_prvs"]) == ask
        holding = next(
            r for r in (await client.balance()).json()["output1"] if r["pdno"] == "005930"
        )
        assert int(holding["hldg_qty"]) == at_ask
        assert (await client.revise(odno, cancel=True)).json()["rt_cd"] == "0"
        rows = {r["odno"]: r for r in (await client.ccld()).json()["output1"]}
        assert rows[odno]["rmn_qty"] == "0"
        cancel_row = next(r for r in rows.values() if r["orgn_odno"] == odno)
        assert cancel_row["cnc_cfrm_qty"] == "7"


async def test_item07_past_day_minute_bars_on_real(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(env=Env.REAL) as sim, KisClient(sim) as client:
        await client.login()
        params = {**_QUOTE, "FID_INPUT_DATE_1": "20261126", "FID_INPUT_HOUR_1": "153000",
                  "FID_PW_DATA_INCU_YN": "Y"}  # fmt: skip
        rows = (await client.get(Tr.MINUTE_CHART_PAST, params)).json()["output2"]
        hours = [r["stck_cntg_hour"] for r in rows]
        assert len(rows) == 120
        assert {r["stck_bsop_date"] for r in rows} == {"20261126"}
        assert hours == sorted(hours, reverse=True)
        assert hours[0] <= "153000"
