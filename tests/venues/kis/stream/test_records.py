"""KIS records → Tick / BookUpdate / ExpectedPrice / Notice, built from the protocol layouts."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import kst_ns
from jts.core.enums import Side
from jts.core.events import ExpectedPrice
from jts.core.models import BookLevel, BookUpdate
from jts.venues.kis.protocol.fields import (
    BOOK_FIELDS,
    NOTICE_FIELDS,
    NXT_BOOK_FIELDS,
    NXT_TRADE_FIELDS,
    TRADE_FIELDS,
)
from jts.venues.kis.protocol.frames import format_frame, parse_frame, records_of
from jts.venues.kis.stream import events_of
from jts.venues.kis.stream_records import NoticeKind, book_of, notice_of, tick_of, to_int

DAY = date(2026, 11, 30)


def record(layout: tuple[str, ...], **values: str) -> tuple[str, ...]:
    unknown = set(values) - set(layout)
    assert not unknown, unknown
    return tuple(values.get(name, "") for name in layout)


def trade(**values: str) -> tuple[str, ...]:
    base = {
        "MKSC_SHRN_ISCD": "005930",
        "STCK_CNTG_HOUR": "093001",
        "STCK_PRPR": "71000",
        "CNTG_VOL": "3",
        "ACML_VOL": "1200",
        "CCLD_DVSN": "1",
        "BSOP_DATE": "20261130",
        "HOUR_CLS_CODE": "0",
    }
    return record(TRADE_FIELDS, **(base | values))


@pytest.mark.parametrize(
    ("text", "value"), [("", 0), ("  ", 0), ("71000", 71000), ("-150", -150), ("1.25", 1)]
)
def test_numbers_are_read_signed_and_blank_is_zero(text: str, value: int) -> None:
    assert to_int(text) == value


def test_a_trade_record_becomes_a_tick_at_its_kst_time() -> None:
    tick = tick_of(trade(), date(2000, 1, 1))
    assert tick is not None
    assert (tick.symbol, tick.price, tick.qty, tick.cum_volume) == ("005930", 71000, 3, 1200)
    assert tick.ts_ns == kst_ns(DAY, time(9, 30, 1))  # BSOP_DATE wins over the fallback day
    assert tick.side is Side.BUY
    assert not tick.auction


@pytest.mark.parametrize(
    ("code", "side", "auction"),
    [("1", Side.BUY, False), ("5", Side.SELL, False), ("3", None, True)],
)
def test_the_aggressor_code_sets_side_and_auction(
    code: str, side: Side | None, auction: bool
) -> None:
    tick = tick_of(trade(CCLD_DVSN=code), DAY)
    assert tick is not None
    assert (tick.side, tick.auction) == (side, auction)


def test_a_record_without_volume_is_no_trade() -> None:
    assert tick_of(trade(CNTG_VOL="0"), DAY) is None


@given(
    price=st.integers(min_value=1, max_value=5_000_000),
    qty=st.integers(min_value=1, max_value=10**9),
    hh=st.integers(min_value=0, max_value=23),
    mm=st.integers(min_value=0, max_value=59),
    ss=st.integers(min_value=0, max_value=59),
)
def test_any_well_formed_trade_round_trips(price: int, qty: int, hh: int, mm: int, ss: int) -> None:
    tick = tick_of(
        trade(STCK_PRPR=str(price), CNTG_VOL=str(qty), STCK_CNTG_HOUR=f"{hh:02d}{mm:02d}{ss:02d}"),
        DAY,
    )
    assert tick is not None
    assert (tick.price, tick.qty) == (price, qty)
    assert tick.ts_ns == kst_ns(DAY, time(hh, mm, ss))


def book(hour_cls: str = "0", **values: str) -> tuple[str, ...]:
    base = {"MKSC_SHRN_ISCD": "005930", "BSOP_HOUR": "100000", "HOUR_CLS_CODE": hour_cls}
    for i in range(1, 11):
        base[f"ASKP{i}"] = str(70_000 + 100 * i)
        base[f"BIDP{i}"] = str(70_100 - 100 * i)
        base[f"ASKP_RSQN{i}"] = str(i)
        base[f"BIDP_RSQN{i}"] = str(10 + i)
    return record(BOOK_FIELDS, **(base | values))


def test_a_book_record_in_continuous_trading_is_a_ten_level_snapshot() -> None:
    update = book_of(book(), DAY)
    assert isinstance(update, BookUpdate)
    update.validate()
    assert update.asks[0] == BookLevel(70_100, 1)
    assert update.bids[0] == BookLevel(70_000, 11)
    assert len(update.bids) == len(update.asks) == 10
    assert update.ts_ns == kst_ns(DAY, time(10, 0))


def test_empty_levels_are_left_out() -> None:
    update = book_of(book(ASKP10="0", ASKP9="", BIDP10="0"), DAY)
    assert isinstance(update, BookUpdate)
    assert (len(update.asks), len(update.bids)) == (8, 9)


def test_a_book_record_during_an_auction_is_an_expected_price() -> None:
    update = book_of(book("B", ANTC_CNPR="70500", ANTC_CNQN="42"), DAY)
    assert isinstance(update, ExpectedPrice)
    assert (update.price, update.qty) == (70_500, 42)
    assert update.bids
    assert update.asks


def notice(**values: str) -> tuple[str, ...]:
    base = {
        "ACNT_NO": "5012345601",
        "ODER_NO": "0000000123",
        "SELN_BYOV_CLS": "02",
        "RCTF_CLS": "0",
        "ODER_KIND": "00",
        "STCK_SHRN_ISCD": "005930",
        "CNTG_QTY": "0",
        "CNTG_UNPR": "0",
        "STCK_CNTG_HOUR": "100001",
        "RFUS_YN": "0",
        "CNTG_YN": "1",
        "ACPT_YN": "1",
        "ODER_QTY": "10",
        "ODER_PRC": "70000",
        "ORD_EXG_GB": "1",
    }
    return record(NOTICE_FIELDS, **(base | values))


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({}, NoticeKind.ACCEPTED),
        ({"CNTG_YN": "2", "CNTG_QTY": "4", "CNTG_UNPR": "70000"}, NoticeKind.FILL),
        ({"RFUS_YN": "1"}, NoticeKind.REJECTED),
        ({"RCTF_CLS": "1", "OODER_NO": "0000000100"}, NoticeKind.MODIFIED),
        ({"RCTF_CLS": "2", "OODER_NO": "0000000100"}, NoticeKind.CANCELLED),
        ({"ACPT_YN": "3"}, NoticeKind.CANCELLED),  # IOC/FOK remainder
    ],
)
def test_notice_kinds_follow_the_kis_flags(values: dict[str, str], kind: NoticeKind) -> None:
    assert notice_of(notice(**values), DAY).kind is kind


def test_a_receipt_reads_quantity_and_price_from_the_order_fields() -> None:
    parsed = notice_of(notice(CNTG_QTY="10", CNTG_UNPR="70000"), DAY)
    assert (parsed.order_qty, parsed.order_price) == (10, 70_000)
    assert (parsed.fill_qty, parsed.fill_price) == (0, 0)
    assert parsed.side is Side.BUY


def test_a_fill_notice_carries_the_execution() -> None:
    parsed = notice_of(
        notice(CNTG_YN="2", CNTG_QTY="4", CNTG_UNPR="70100", SELN_BYOV_CLS="01"), DAY
    )
    assert (parsed.fill_qty, parsed.fill_price, parsed.side) == (4, 70_100, Side.SELL)
    assert parsed.ts_ns == kst_ns(DAY, time(10, 0, 1))


def test_nxt_frames_use_the_krx_positions() -> None:
    trade_record = tuple(trade()[i] for i in range(len(NXT_TRADE_FIELDS)))
    book_record = (*book(), *("0",) * (len(NXT_BOOK_FIELDS) - len(BOOK_FIELDS)))
    for tr_id, record in (("H0NXCNT0", trade_record), ("H0UNASP0", book_record)):
        frame = parse_frame(format_frame(tr_id, [record, record]))
        events = events_of(tr_id, records_of(frame), DAY)
        assert len(events) == 2
        assert all(e.symbol == "005930" for e in events)
