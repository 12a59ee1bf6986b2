"""Quote records in KIS's shapes, from a `SymbolTape`: the H0STCNT0 (46) and H0STASP0 (59)
WebSocket records and the REST `output`s of inquire-price, asking-price and multi-price.

Values are strings; prices KRW; rates two decimals; times HHMMSS KST.
"""

from __future__ import annotations

from typing import Any

from jts.core.clock import to_kst
from jts.core.models import BookLevel, Tick
from jts.venues.kis.protocol import BOOK_FIELDS, TRADE_FIELDS
from jts.venues.kis.server.tape import SymbolTape, hour_class, session_code, sign_code

__all__ = [
    "asking_price_outputs",
    "book_record",
    "hhmmss",
    "multi_price_row",
    "price_output",
    "rate",
    "trade_record",
]


def hhmmss(ts_ns: int) -> str:
    return to_kst(ts_ns).strftime("%H%M%S") if ts_ns else ""


def rate(part: int, whole: int) -> str:
    """part / whole in percent, two decimals ("0.00" when whole is 0)."""
    return f"{part * 100 / whole:.2f}" if whole else "0.00"


def _levels(levels: tuple[BookLevel, ...]) -> tuple[list[int], list[int]]:
    prices = [lv.price for lv in levels[:10]] + [0] * (10 - min(10, len(levels)))
    qtys = [lv.qty for lv in levels[:10]] + [0] * (10 - min(10, len(levels)))
    return prices, qtys


def _sides(tape: SymbolTape) -> tuple[list[int], list[int], list[int], list[int]]:
    """(ask prices, bid prices, ask qtys, bid qtys), ten each: the book, or the collected
    orders of a running auction."""
    source = tape.book if not tape.market.collecting else tape.expected
    if source is None:
        zero = [0] * 10
        return zero, zero, zero, zero
    asks, ask_q = _levels(source.asks)
    bids, bid_q = _levels(source.bids)
    return asks, bids, ask_q, bid_q


def _sign(tape: SymbolTape, price: int) -> str:
    rules = tape.market.rules
    return sign_code(price, tape.base, rules.upper, rules.lower)


def _vs(price: int, other: int) -> tuple[str, str]:
    """(sign, difference) of price against another price (open, high, low)."""
    diff = price - other
    return ("2" if diff > 0 else "5" if diff < 0 else "3"), str(diff)


def trade_record(tape: SymbolTape, tick: Tick, day: str) -> list[str]:
    """The 46 H0STCNT0 fields of one print (state after folding it into `tape`)."""
    asks, bids, ask_q, bid_q = _sides(tape)
    price, base, market = tick.price, tape.base, tape.market
    aggressor = "1" if tick.side is not None and tick.side.sign > 0 else "5"
    strength = rate(tape.buy_qty, tape.sell_qty) if tape.sell_qty else "0.00"
    values: dict[str, str] = {
        "MKSC_SHRN_ISCD": tape.code,
        "STCK_CNTG_HOUR": hhmmss(tick.ts_ns),
        "STCK_PRPR": str(price),
        "PRDY_VRSS_SIGN": _sign(tape, price),
        "PRDY_VRSS": str(price - base),
        "PRDY_CTRT": rate(price - base, base),
        "WGHN_AVRG_STCK_PRC": str(tape.vwap),
        "STCK_OPRC": str(tape.open), "STCK_HGPR": str(tape.high), "STCK_LWPR": str(tape.low),
        "ASKP1": str(asks[0]), "BIDP1": str(bids[0]),
        "CNTG_VOL": str(tick.qty), "ACML_VOL": str(tape.volume), "ACML_TR_PBMN": str(tape.value),
        "SELN_CNTG_CSNU": str(tape.sell_count), "SHNU_CNTG_CSNU": str(tape.buy_count),
        "NTBY_CNTG_CSNU": str(tape.buy_count - tape.sell_count),
        "CTTR": strength,
        "SELN_CNTG_SMTN": str(tape.sell_qty), "SHNU_CNTG_SMTN": str(tape.buy_qty),
        "CCLD_DVSN": "3" if tick.auction else aggressor,
        "SHNU_RATE": rate(tape.buy_qty, tape.buy_qty + tape.sell_qty),
        "PRDY_VOL_VRSS_ACML_VOL_RATE": "0.00",
        "OPRC_HOUR": hhmmss(tape.open_ns),
        "HGPR_HOUR": hhmmss(tape.high_ns),
        "LWPR_HOUR": hhmmss(tape.low_ns),
        "BSOP_DATE": day,
        "NEW_MKOP_CLS_CODE": session_code(market.phase),
        "TRHT_YN": "Y" if market.halted else "N",
        "ASKP_RSQN1": str(ask_q[0]), "BIDP_RSQN1": str(bid_q[0]),
        "TOTAL_ASKP_RSQN": str(sum(ask_q)), "TOTAL_BIDP_RSQN": str(sum(bid_q)),
        "VOL_TNRT": "0.00",
        "PRDY_SMNS_HOUR_ACML_VOL": "0", "PRDY_SMNS_HOUR_ACML_VOL_RATE": "0.00",
        "HOUR_CLS_CODE": hour_class(market.phase, market.state),
        "MRKT_TRTM_CLS_CODE": "",
        "VI_STND_PRC": str(tape.base),
    }  # fmt: skip
    for name, other in (("OPRC", tape.open), ("HGPR", tape.high), ("LWPR", tape.low)):
        values[f"{name}_VRSS_PRPR_SIGN"], values[f"{name}_VRSS_PRPR"] = _vs(price, other)
    return [values[name] for name in TRADE_FIELDS]


def book_record(tape: SymbolTape, ts_ns: int) -> list[str]:
    """The 59 H0STASP0 fields of the current book (expected-price fields in auctions)."""
    asks, bids, ask_q, bid_q = _sides(tape)
    market = tape.market
    values: dict[str, str] = {"MKSC_SHRN_ISCD": tape.code, "BSOP_HOUR": hhmmss(ts_ns)}
    values["HOUR_CLS_CODE"] = hour_class(market.phase, market.state)
    for i in range(10):
        values[f"ASKP{i + 1}"], values[f"BIDP{i + 1}"] = str(asks[i]), str(bids[i])
        values[f"ASKP_RSQN{i + 1}"], values[f"BIDP_RSQN{i + 1}"] = str(ask_q[i]), str(bid_q[i])
    expected = tape.expected if market.collecting else None
    antc = expected.price if expected is not None else 0
    antc_qty = expected.qty if expected is not None else 0
    values |= {
        "TOTAL_ASKP_RSQN": str(sum(ask_q)), "TOTAL_BIDP_RSQN": str(sum(bid_q)),
        "OVTM_TOTAL_ASKP_RSQN": "0", "OVTM_TOTAL_BIDP_RSQN": "0",
        "ANTC_CNPR": str(antc), "ANTC_CNQN": str(antc_qty), "ANTC_VOL": str(antc_qty),
        "ANTC_CNTG_VRSS": str(antc - tape.base if antc else 0),
        "ANTC_CNTG_VRSS_SIGN": _sign(tape, antc) if antc else "3",
        "ANTC_CNTG_PRDY_CTRT": rate(antc - tape.base, tape.base) if antc else "0.00",
        "ACML_VOL": str(tape.volume),
        "TOTAL_ASKP_RSQN_ICDC": "0", "TOTAL_BIDP_RSQN_ICDC": "0",
        "OVTM_TOTAL_ASKP_ICDC": "0", "OVTM_TOTAL_BIDP_ICDC": "0",
        "STCK_DEAL_CLS_CODE": "0",
    }  # fmt: skip
    return [values[name] for name in BOOK_FIELDS]


def price_output(tape: SymbolTape) -> dict[str, Any]:
    """inquire-price `output` (KIS.md §4.2)."""
    rules, price = tape.market.rules, tape.price
    return {
        "stck_prpr": price,
        "prdy_vrss": price - tape.base,
        "prdy_vrss_sign": _sign(tape, price),
        "prdy_ctrt": rate(price - tape.base, tape.base),
        "stck_oprc": tape.open, "stck_hgpr": tape.high, "stck_lwpr": tape.low,
        "stck_mxpr": rules.upper, "stck_llam": rules.lower, "stck_sdpr": tape.base,
        "acml_vol": tape.volume, "acml_tr_pbmn": tape.value,
        "prdy_vrss_vol_rate": "0.00",
        "wghn_avrg_stck_prc": tape.vwap,
        "aspr_unit": rules.tick(price),
        "hts_avls": "0", "lstn_stcn": "0",
        "per": "0.00", "pbr": "0.00", "eps": "0.00", "bps": "0.00",
        "w52_hgpr": max(tape.high, rules.base_price), "w52_lwpr": min(tape.low or price, price),
        "hts_frgn_ehrt": "0.00", "frgn_ntby_qty": "0",
        "temp_stop_yn": "Y" if tape.market.halted else "N",
        "iscd_stat_cls_code": "58" if tape.market.halted else "55",
        "vi_cls_code": "Y" if tape.market.state.value == "vi" else "N",
        "rprs_mrkt_kor_name": rules.instrument.market.value,
        "bstp_kor_isnm": "",
        "stck_shrn_iscd": tape.code,
    }  # fmt: skip


def asking_price_outputs(tape: SymbolTape, ts_ns: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """inquire-asking-price-exp-ccn (`output1` book, `output2` quote + expected price)."""
    record = dict(zip(BOOK_FIELDS, book_record(tape, ts_ns), strict=True))
    output1: dict[str, Any] = {"aspr_acpt_hour": record["BSOP_HOUR"]}
    for i in range(1, 11):
        for name in ("ASKP", "BIDP", "ASKP_RSQN", "BIDP_RSQN"):
            output1[f"{name.lower()}{i}"] = record[f"{name}{i}"]
        output1[f"askp_rsqn_icdc{i}"] = output1[f"bidp_rsqn_icdc{i}"] = "0"
    output1 |= {
        "total_askp_rsqn": record["TOTAL_ASKP_RSQN"], "total_bidp_rsqn": record["TOTAL_BIDP_RSQN"],
        "total_askp_rsqn_icdc": "0", "total_bidp_rsqn_icdc": "0",
        "ovtm_total_askp_rsqn": "0", "ovtm_total_bidp_rsqn": "0",
        "ntby_aspr_rsqn": int(record["TOTAL_BIDP_RSQN"]) - int(record["TOTAL_ASKP_RSQN"]),
        "new_mkop_cls_code": session_code(tape.market.phase),
    }  # fmt: skip
    output2 = {
        "stck_prpr": tape.price, "stck_oprc": tape.open, "stck_hgpr": tape.high,
        "stck_lwpr": tape.low, "stck_sdpr": tape.base,
        "antc_cnpr": record["ANTC_CNPR"], "antc_vol": record["ANTC_VOL"],
        "antc_cntg_vrss": record["ANTC_CNTG_VRSS"],
        "antc_cntg_vrss_sign": record["ANTC_CNTG_VRSS_SIGN"],
        "antc_cntg_prdy_ctrt": record["ANTC_CNTG_PRDY_CTRT"],
        "vi_cls_code": "Y" if tape.market.state.value == "vi" else "N",
        "stck_shrn_iscd": tape.code,
    }  # fmt: skip
    return output1, output2


def multi_price_row(tape: SymbolTape) -> dict[str, Any]:
    """One row of intstock-multprice `output` (KIS.md §4.9)."""
    asks, bids, _, _ = _sides(tape)
    price = tape.price
    return {
        "inter_shrn_iscd": tape.code, "inter_kor_isnm": tape.name,
        "inter2_prpr": price, "inter2_prdy_vrss": price - tape.base,
        "prdy_vrss_sign": _sign(tape, price), "prdy_ctrt": rate(price - tape.base, tape.base),
        "acml_vol": tape.volume, "acml_tr_pbmn": tape.value,
        "inter2_oprc": tape.open, "inter2_hgpr": tape.high, "inter2_lwpr": tape.low,
        "inter2_askp": asks[0], "inter2_bidp": bids[0],
        "inter2_sdpr": tape.base, "inter2_mxpr": tape.market.rules.upper,
        "inter2_llam": tape.market.rules.lower,
    }  # fmt: skip
