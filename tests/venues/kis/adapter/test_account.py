"""`KisAccount` parsing (property tests on KIS's number strings and rows) and the balance of a
simulator account over real sockets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import KST, to_ns
from jts.core.enums import OrderStatus, Side
from jts.venues.kis.account import OrderRow, kis_int, kis_ts_ns
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.adapter.stack import adapter
from tests.venues.kis.adapter.test_orders import below, best, request
from tests.venues.kis.conftest import SimFactory, account


@given(st.integers(-(10**15), 10**15), st.sampled_from(["", ".0", ".00", ".0000"]))
def test_kis_numbers_parse_with_or_without_decimals_and_padding(n: int, tail: str) -> None:
    assert kis_int(f"  {n}{tail} ") == n


def test_blank_or_garbage_numbers_are_zero() -> None:
    assert [kis_int(v) for v in ("", None, "  ", "abc", "NaN", "Infinity")] == [0] * 6


def test_kis_times_are_kst() -> None:
    assert kis_ts_ns("20261127", "90001") == to_ns(dt.datetime(2026, 11, 27, 9, 0, 1, tzinfo=KST))


@given(
    st.integers(1, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.booleans(),
)
def test_an_order_row_is_open_only_while_something_works(
    qty: int, filled: int, remaining: int, cancelled: bool
) -> None:
    raw = {
        "ord_dt": "20261127", "ord_gno_brno": "00950", "odno": "0000000001", "orgn_odno": "",
        "sll_buy_dvsn_cd": "01", "pdno": "005930", "ord_qty": str(qty), "ord_unpr": "70000",
        "ord_tmd": "090100", "tot_ccld_qty": str(filled), "avg_prvs": "70000",
        "tot_ccld_amt": str(filled * 70_000), "rmn_qty": str(remaining), "rjct_qty": "0",
        "cncl_yn": "Y" if cancelled else "N", "ord_dvsn_cd": "00", "EXCG_ID_DVSN_CD": "KRX",
    }  # fmt: skip
    parsed = OrderRow.parse(raw)
    assert parsed.side is Side.SELL
    assert parsed.exchange == "KRX"
    assert parsed.is_open == (remaining > 0 and not cancelled)


async def test_balance_lists_holdings_and_cash(kis_sim_factory: SimFactory, tmp_path: Path) -> None:
    spec = account(0, holdings={"005930": 7}, cash=5_000_000)
    async with kis_sim_factory(accounts=(spec,)) as sim, adapter(sim, tmp_path) as kis:
        positions, cash = await kis.account.balance()
        assert [(p.symbol, p.qty, p.account) for p in positions] == [("005930", 7, spec.account)]
        assert (cash.cash, cash.unsettled, cash.venue) == (5_000_000, 0, "kis")


async def test_an_order_this_adapter_did_not_send_gets_a_kis_client_id(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as first:
        bid, _ = await best(first)
        sent = await first.orders.submit(request(Side.BUY, 1, below(bid)))
    async with adapter(kis_sim, tmp_path) as restarted:  # knows nothing of `sent`
        [order] = await restarted.account.open_orders()
    assert order.venue_order_id == sent.venue_order_id
    assert order.request.client_order_id == f"kis-{sent.venue_order_id}"
    assert order.status is OrderStatus.ACCEPTED


@given(
    st.dictionaries(
        st.sampled_from(
            ["odno", "ord_dt", "ord_tmd", "ord_qty", "rmn_qty", "avg_prvs", "sll_buy_dvsn_cd"]
        ),
        st.text(max_size=12),
    )
)
def test_any_row_of_strings_parses_without_raising(row: dict[str, str]) -> None:
    parsed = OrderRow.parse(row)
    assert parsed.qty == kis_int(row.get("ord_qty"))
