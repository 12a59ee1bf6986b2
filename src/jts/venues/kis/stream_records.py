"""KIS WebSocket records → JTS values: trades → `Tick`, book → `BookUpdate` or `ExpectedPrice`,
order/fill notices → `Notice`.

A record is one tuple of text fields in its TR's layout (`protocol.fields`). KIS speaks KST
wall times (`HHMMSS`) and strings for numbers; here they become int ns UTC and ints. Book
records carry no date, and notices neither: the session's KST trading day is passed in.
A notice names an order by the broker's number only, so it stays a `Notice` here; the venue,
which knows which client order each number belongs to, turns it into `OrderUpdate`/`Fill`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

import msgspec

from jts.core.clock import kst_ns
from jts.core.enums import Side
from jts.core.events import ExpectedPrice
from jts.core.models import BOOK_DEPTH, BookLevel, BookUpdate, Tick
from jts.venues.kis.protocol.fields import BOOK_FIELDS, NOTICE_FIELDS, TRADE_FIELDS

__all__ = ["Notice", "NoticeKind", "book_of", "notice_of", "tick_of", "to_int"]

_T = {name: i for i, name in enumerate(TRADE_FIELDS)}
_B = {name: i for i, name in enumerate(BOOK_FIELDS)}
_N = {name: i for i, name in enumerate(NOTICE_FIELDS)}
_AGGRESSOR = {"1": Side.BUY, "5": Side.SELL}  # CCLD_DVSN; "3" = pre-open (auction print)
_NOTICE_SIDE = {"01": Side.SELL, "02": Side.BUY}


def to_int(text: str) -> int:
    """A KIS number field: signed, possibly blank (= 0), possibly with a fraction (truncated:
    only rates have one, and we never use rates for money)."""
    text = text.strip()
    if not text:
        return 0
    if "." in text:
        return int(float(text))
    return int(text)


def _hhmmss(day: dt.date, text: str) -> int:
    text = text.strip().zfill(6)
    at = dt.time(int(text[:2]) % 24, int(text[2:4]), int(text[4:6]))
    return kst_ns(day, at)


def _day(text: str, fallback: dt.date) -> dt.date:
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return fallback


def tick_of(record: Sequence[str], day: dt.date) -> Tick | None:
    """One H0STCNT0 record; None for a record without a positive price and quantity (KIS
    sends zero-volume records when only the quote fields changed)."""
    price, qty = to_int(record[_T["STCK_PRPR"]]), to_int(record[_T["CNTG_VOL"]])
    if price <= 0 or qty <= 0:
        return None
    aggressor = record[_T["CCLD_DVSN"]].strip()
    return Tick(
        symbol=record[_T["MKSC_SHRN_ISCD"]].strip(),
        ts_ns=_hhmmss(_day(record[_T["BSOP_DATE"]], day), record[_T["STCK_CNTG_HOUR"]]),
        price=price,
        qty=qty,
        side=_AGGRESSOR.get(aggressor),
        cum_volume=to_int(record[_T["ACML_VOL"]]),
        auction=aggressor == "3" or record[_T["HOUR_CLS_CODE"]].strip() not in ("", "0"),
    )


def _levels(record: Sequence[str], price: str, qty: str) -> tuple[BookLevel, ...]:
    levels = []
    for i in range(1, BOOK_DEPTH + 1):
        p = to_int(record[_B[f"{price}{i}"]])
        if p > 0:
            levels.append(BookLevel(p, to_int(record[_B[f"{qty}{i}"]])))
    return tuple(levels)


def book_of(record: Sequence[str], day: dt.date) -> BookUpdate | ExpectedPrice:
    """One H0STASP0 record: a `BookUpdate` in continuous trading, an `ExpectedPrice` while
    the symbol is in a call auction (`HOUR_CLS_CODE` other than 0: KIS then fills the
    expected-price fields and the levels hold the collected orders, which may cross)."""
    symbol = record[_B["MKSC_SHRN_ISCD"]].strip()
    ts_ns = _hhmmss(day, record[_B["BSOP_HOUR"]])
    bids = _levels(record, "BIDP", "BIDP_RSQN")
    asks = _levels(record, "ASKP", "ASKP_RSQN")
    if record[_B["HOUR_CLS_CODE"]].strip() not in ("", "0"):
        return ExpectedPrice(
            symbol=symbol,
            ts_ns=ts_ns,
            price=to_int(record[_B["ANTC_CNPR"]]),
            qty=to_int(record[_B["ANTC_CNQN"]]),
            bids=bids,
            asks=asks,
        )
    return BookUpdate(symbol=symbol, ts_ns=ts_ns, bids=bids, asks=asks)


class NoticeKind(StrEnum):
    """What a notice reports (KIS `CNTG_YN`, `RFUS_YN`, `RCTF_CLS`, `ACPT_YN` together)."""

    ACCEPTED = "accepted"  # new order received
    MODIFIED = "modified"  # a modification received (new order number)
    CANCELLED = "cancelled"  # a cancel received, or an IOC/FOK remainder cancelled
    REJECTED = "rejected"  # the exchange refused
    FILL = "fill"  # an execution


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """One H0STCNI0/H0STCNI9 notice; quantities in shares, prices int KRW, time int ns UTC."""

    kind: NoticeKind
    account: str
    order_no: str
    orig_order_no: str
    symbol: str
    side: Side
    order_kind: str
    """KIS `ORD_DVSN` code of the order (00 limit, 01 market, ...)."""
    order_qty: int
    order_price: int
    fill_qty: int
    fill_price: int
    ts_ns: int
    exchange: str = "1"
    """`ORD_EXG_GB`: 1 KRX, 2 NXT, 3/4 SOR routed to KRX/NXT."""
    seq: int = 0
    """Arrival number in the stream (1, 2, ...): tells which notices a REST read covers."""


def _notice_kind(record: Sequence[str]) -> NoticeKind:
    if record[_N["CNTG_YN"]].strip() == "2":
        return NoticeKind.FILL
    if record[_N["RFUS_YN"]].strip() == "1":
        return NoticeKind.REJECTED
    correction = record[_N["RCTF_CLS"]].strip()
    if correction == "2" or record[_N["ACPT_YN"]].strip() == "3":
        return NoticeKind.CANCELLED
    if correction == "1":
        return NoticeKind.MODIFIED
    return NoticeKind.ACCEPTED


def notice_of(record: Sequence[str], day: dt.date) -> Notice:
    """One decrypted notice record; order quantity and price come from `ODER_QTY`/`ODER_PRC`
    (receipts may carry 0 or the order's values in the fill fields, KIS.md §7.3)."""
    kind = _notice_kind(record)
    is_fill = kind is NoticeKind.FILL
    return Notice(
        kind=kind,
        account=record[_N["ACNT_NO"]].strip(),
        order_no=record[_N["ODER_NO"]].strip(),
        orig_order_no=record[_N["OODER_NO"]].strip(),
        symbol=record[_N["STCK_SHRN_ISCD"]].strip(),
        side=_NOTICE_SIDE.get(record[_N["SELN_BYOV_CLS"]].strip(), Side.BUY),
        order_kind=record[_N["ODER_KIND"]].strip(),
        order_qty=to_int(record[_N["ODER_QTY"]]),
        order_price=to_int(record[_N["ODER_PRC"]]),
        fill_qty=to_int(record[_N["CNTG_QTY"]]) if is_fill else 0,
        fill_price=to_int(record[_N["CNTG_UNPR"]]) if is_fill else 0,
        ts_ns=_hhmmss(day, record[_N["STCK_CNTG_HOUR"]]),
        exchange=record[_N["ORD_EXG_GB"]].strip() or "1",
    )
