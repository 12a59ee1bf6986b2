"""Field layouts of the KIS WebSocket data frames, as tables (KIS.md §6.7, §7).

A data frame carries no field names: record i of a TR with N fields is items [i*N, (i+1)*N)
of the `^`-separated payload. These tuples give each position its KIS name, so that
`dict(zip(FIELDS[tr], record))` names a record, and the field counts (46, 59, 26, 65) that
frame parsing checks come from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from jts.venues.kis.protocol.trs import Env

__all__ = [
    "BOOK_FIELDS",
    "FIELDS",
    "NOTICE_FIELDS",
    "NXT_BOOK_FIELDS",
    "NXT_TRADE_FIELDS",
    "TRADE_FIELDS",
    "WS_BOOK",
    "WS_NOTICE_PAPER",
    "WS_NOTICE_REAL",
    "WS_TRADES",
    "field_index",
    "notice_tr_id",
]

WS_TRADES: Final = "H0STCNT0"
WS_BOOK: Final = "H0STASP0"
WS_NOTICE_REAL: Final = "H0STCNI0"
WS_NOTICE_PAPER: Final = "H0STCNI9"


def notice_tr_id(env: Env) -> str:
    """The order/fill notice TR of `env`: H0STCNI0 real, H0STCNI9 paper (no `V` rule here)."""
    return WS_NOTICE_REAL if env is Env.REAL else WS_NOTICE_PAPER


TRADE_FIELDS: Final[tuple[str, ...]] = (
    "MKSC_SHRN_ISCD", "STCK_CNTG_HOUR", "STCK_PRPR", "PRDY_VRSS_SIGN", "PRDY_VRSS",
    "PRDY_CTRT", "WGHN_AVRG_STCK_PRC", "STCK_OPRC", "STCK_HGPR", "STCK_LWPR",
    "ASKP1", "BIDP1", "CNTG_VOL", "ACML_VOL", "ACML_TR_PBMN",
    "SELN_CNTG_CSNU", "SHNU_CNTG_CSNU", "NTBY_CNTG_CSNU", "CTTR", "SELN_CNTG_SMTN",
    "SHNU_CNTG_SMTN", "CCLD_DVSN", "SHNU_RATE", "PRDY_VOL_VRSS_ACML_VOL_RATE", "OPRC_HOUR",
    "OPRC_VRSS_PRPR_SIGN", "OPRC_VRSS_PRPR", "HGPR_HOUR", "HGPR_VRSS_PRPR_SIGN",
    "HGPR_VRSS_PRPR", "LWPR_HOUR", "LWPR_VRSS_PRPR_SIGN", "LWPR_VRSS_PRPR", "BSOP_DATE",
    "NEW_MKOP_CLS_CODE", "TRHT_YN", "ASKP_RSQN1", "BIDP_RSQN1", "TOTAL_ASKP_RSQN",
    "TOTAL_BIDP_RSQN", "VOL_TNRT", "PRDY_SMNS_HOUR_ACML_VOL", "PRDY_SMNS_HOUR_ACML_VOL_RATE",
    "HOUR_CLS_CODE", "MRKT_TRTM_CLS_CODE", "VI_STND_PRC",
)  # fmt: skip
"""H0STCNT0, KRX real-time trade (46 fields, KIS.md §7.1)."""

NXT_TRADE_FIELDS: Final[tuple[str, ...]] = (
    *TRADE_FIELDS[:21],
    "CNTG_CLS_CODE",
    *TRADE_FIELDS[22:],
)
"""H0NXCNT0 / H0UNCNT0: the trade layout with #21 named `CNTG_CLS_CODE`."""

_LEVELS = range(1, 11)
BOOK_FIELDS: Final[tuple[str, ...]] = (
    "MKSC_SHRN_ISCD",
    "BSOP_HOUR",
    "HOUR_CLS_CODE",
    *(f"ASKP{i}" for i in _LEVELS),
    *(f"BIDP{i}" for i in _LEVELS),
    *(f"ASKP_RSQN{i}" for i in _LEVELS),
    *(f"BIDP_RSQN{i}" for i in _LEVELS),
    "TOTAL_ASKP_RSQN", "TOTAL_BIDP_RSQN", "OVTM_TOTAL_ASKP_RSQN", "OVTM_TOTAL_BIDP_RSQN",
    "ANTC_CNPR", "ANTC_CNQN", "ANTC_VOL", "ANTC_CNTG_VRSS", "ANTC_CNTG_VRSS_SIGN",
    "ANTC_CNTG_PRDY_CTRT", "ACML_VOL", "TOTAL_ASKP_RSQN_ICDC", "TOTAL_BIDP_RSQN_ICDC",
    "OVTM_TOTAL_ASKP_ICDC", "OVTM_TOTAL_BIDP_ICDC", "STCK_DEAL_CLS_CODE",
)  # fmt: skip
"""H0STASP0, KRX 10-level book (59 fields, KIS.md §7.2); level 1 is the best."""

NXT_BOOK_FIELDS: Final[tuple[str, ...]] = (
    *BOOK_FIELDS,
    "KMID_PRC", "KMID_TOTAL_RSQN", "KMID_CLS_CODE", "NMID_PRC", "NMID_TOTAL_RSQN",
    "NMID_CLS_CODE",
)  # fmt: skip
"""H0NXASP0 / H0UNASP0: the book plus KRX and NXT mid-price fields (65)."""

NOTICE_FIELDS: Final[tuple[str, ...]] = (
    "CUST_ID", "ACNT_NO", "ODER_NO", "OODER_NO", "SELN_BYOV_CLS", "RCTF_CLS", "ODER_KIND",
    "ODER_COND", "STCK_SHRN_ISCD", "CNTG_QTY", "CNTG_UNPR", "STCK_CNTG_HOUR", "RFUS_YN",
    "CNTG_YN", "ACPT_YN", "BRNC_NO", "ODER_QTY", "ACNT_NAME", "ORD_COND_PRC", "ORD_EXG_GB",
    "POPUP_YN", "FILLER", "CRDT_CLS", "CRDT_LOAN_DATE", "CNTG_ISNM40", "ODER_PRC",
)  # fmt: skip
"""H0STCNI0 / H0STCNI9, order and fill notice after decryption (26 fields, KIS.md §7.3).
For receipts (`CNTG_YN` "1") read quantity and price from `ODER_QTY` / `ODER_PRC`."""

FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    WS_TRADES: TRADE_FIELDS,
    "H0NXCNT0": NXT_TRADE_FIELDS,
    "H0UNCNT0": NXT_TRADE_FIELDS,
    WS_BOOK: BOOK_FIELDS,
    "H0NXASP0": NXT_BOOK_FIELDS,
    "H0UNASP0": NXT_BOOK_FIELDS,
    WS_NOTICE_REAL: NOTICE_FIELDS,
    WS_NOTICE_PAPER: NOTICE_FIELDS,
}
"""Layout by real-time TR id."""


def field_index(tr_id: str, name: str) -> int:
    """Position of field `name` in TR `tr_id`'s records (KeyError / ValueError if unknown)."""
    return FIELDS[tr_id].index(name)
