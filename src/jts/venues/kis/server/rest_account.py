"""Account TRs of the simulator: inquire-balance, inquire-daily-ccld, inquire-psbl-order
(KIS.md §4.6-§4.8), with `tr_cont` paging (§3.3).

Paging: rows are cut into pages of the environment's size (balance 50/20, daily-ccld 100/15
real/paper). Each answer carries opaque `ctx_area_fk100` (the query) and `ctx_area_nk100`
(where the next page starts); a follow-up must send header `tr_cont: N` and echo both, or it
gets the first page again. Response `tr_cont` is F (first of several), M (middle), D (last).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from jts.core.enums import Side
from jts.venues.kis.protocol import Env, Tr, account_query_ok
from jts.venues.kis.server.broker import BRANCH, KisOrder
from jts.venues.kis.server.calls import Answer, Call, fail, ok
from jts.venues.kis.server.quotes import hhmmss, rate
from jts.venues.kis.server.rest_orders import refusal_code

__all__ = ["PAGE_SIZES", "balance", "buyable", "daily_ccld", "page"]

PAGE_SIZES = {
    (Tr.BALANCE, Env.REAL): 50,
    (Tr.BALANCE, Env.PAPER): 20,
    (Tr.DAILY_CCLD, Env.REAL): 100,
    (Tr.DAILY_CCLD, Env.PAPER): 15,
    (Tr.DAILY_CCLD_OLD, Env.REAL): 100,
    (Tr.DAILY_CCLD_OLD, Env.PAPER): 15,
}


def page(call: Call, rows: list[Any]) -> tuple[list[Any], str, tuple[str, str]]:
    """(this page's rows, response tr_cont, (fk100, nk100) to echo for the next page)."""
    size = call.market.config.page_size or PAGE_SIZES[call.spec.name, call.env]
    query = "&".join(f"{k}={v}" for k, v in sorted(call.query.items()) if not k.startswith("CTX"))
    fk = hashlib.sha1(f"{call.tr_id}?{query}".encode()).hexdigest()[:20].upper()
    start = 0
    nk = call.query.get("CTX_AREA_NK100", "")
    if call.tr_cont == "N" and call.query.get("CTX_AREA_FK100") == fk and nk.startswith(fk):
        offset = nk[len(fk) :]
        start = int(offset) if offset.isdigit() else 0
    end = start + size
    more = end < len(rows)
    tr_cont = ("M" if start else "F") if more else "D"
    return rows[start:end], tr_cont, (fk, f"{fk}{min(end, len(rows)):010d}" if more else "")


def _account_refusal(call: Call) -> Answer | None:
    spec = call.broker.spec
    if (call.arg("CANO"), call.arg("ACNT_PRDT_CD")) != (spec.cano, spec.product):
        return fail(refusal_code("bad_account", call.env))
    return None


def _holding_rows(call: Call) -> list[dict[str, Any]]:
    broker, market = call.broker, call.market
    traded = {o.code for o in broker.orders if o.filled}
    codes = [p.symbol for p in broker.account.positions()]
    codes += sorted(traded - set(codes))
    rows = []
    for code in codes:
        tape = market.tape[code]
        position = broker.account.position(code)
        qty = position.qty
        avg = Decimal(str(position.avg_price)) if position.avg_price else Decimal(tape.base)
        cost = int(avg * qty)
        value = tape.price * qty
        bought = sum(o.filled for o in broker.orders if o.code == code and o.side is Side.BUY)
        sold = sum(o.filled for o in broker.orders if o.code == code and o.side is Side.SELL)
        rows.append({
            "pdno": code, "prdt_name": tape.name, "trad_dvsn_name": "현금",
            "hldg_qty": qty, "ord_psbl_qty": broker.account.sellable(code),
            "pchs_avg_pric": f"{avg:.4f}", "pchs_amt": cost, "prpr": tape.price,
            "evlu_amt": value, "evlu_pfls_amt": value - cost,
            "evlu_pfls_rt": rate(value - cost, cost), "evlu_erng_rt": rate(value - cost, cost),
            "thdt_buyqty": bought, "thdt_sll_qty": sold, "bfdy_buy_qty": 0, "bfdy_sll_qty": 0,
            "fltt_rt": rate(tape.price - tape.base, tape.base),
        })  # fmt: skip
    return rows


def balance(call: Call) -> Answer:
    refused = _account_refusal(call)
    if refused is not None:
        return refused
    rows = _holding_rows(call)
    broker = call.broker
    cash, unsettled = broker.account.cash, broker.account.unsettled
    stocks = sum(r["evlu_amt"] for r in rows)
    cost = sum(r["pchs_amt"] for r in rows)
    summary = {
        "dnca_tot_amt": cash, "nxdy_excc_amt": cash, "prvs_rcdl_excc_amt": cash + unsettled,
        "cma_evlu_amt": 0, "scts_evlu_amt": stocks, "tot_evlu_amt": cash + unsettled + stocks,
        "nass_amt": cash + unsettled + stocks, "pchs_amt_smtl_amt": cost,
        "evlu_amt_smtl_amt": stocks, "evlu_pfls_smtl_amt": stocks - cost,
        "thdt_buy_amt": broker.buy_amount, "thdt_sll_amt": broker.sell_amount,
        "thdt_tlex_amt": broker.costs,
    }  # fmt: skip
    rows, tr_cont, ctx = page(call, rows)
    code = account_query_ok(call.env)
    return ok(call, code, output1=rows, output2=[summary], ctx=ctx, tr_cont=tr_cont)


def _ccld_row(order: KisOrder, day: str) -> dict[str, Any]:
    return {
        "ord_dt": day, "ord_gno_brno": BRANCH, "odno": order.odno,
        "orgn_odno": order.orgn_odno, "ord_dvsn_name": order.division.name,
        "sll_buy_dvsn_cd": "01" if order.side is Side.SELL else "02",
        "sll_buy_dvsn_cd_name": "매도" if order.side is Side.SELL else "매수",
        "pdno": order.code, "prdt_name": order.name, "ord_qty": order.qty,
        "ord_unpr": order.price,
        "ord_tmd": hhmmss(order.ts_ns),
        "tot_ccld_qty": order.filled, "avg_prvs": order.avg_price, "tot_ccld_amt": order.amount,
        "rmn_qty": order.rmn_qty, "rjct_qty": order.rejected,
        "cncl_yn": "Y" if order.kind == 2 else "N", "cnc_cfrm_qty": order.cancelled,
        "ord_dvsn_cd": order.division.code, "excg_id_dvsn_Cd": "KRX",
    }  # fmt: skip


def _selected(call: Call, order: KisOrder) -> bool:
    side = call.arg("SLL_BUY_DVSN_CD", "00")
    filled = call.arg("CCLD_DVSN", "00")
    return (
        (side in ("", "00") or side == ("01" if order.side is Side.SELL else "02"))
        and (not call.arg("PDNO") or call.arg("PDNO") == order.code)
        and (not call.arg("ODNO") or call.arg("ODNO").zfill(10) == order.odno)
        and (filled in ("", "00") or (filled == "01") == (order.filled > 0))
    )


def daily_ccld(call: Call) -> Answer:
    refused = _account_refusal(call)
    if refused is not None:
        return refused
    day = call.market.day.strftime("%Y%m%d")
    start, end = call.arg("INQR_STRT_DT", day) or day, call.arg("INQR_END_DT", day) or day
    orders = [o for o in call.broker.orders if start <= day <= end and _selected(call, o)]
    if call.arg("INQR_DVSN", "00") != "01":
        orders.reverse()  # 00: newest first
    rows = [_ccld_row(o, day) for o in orders]
    filled = sum(o.filled for o in orders)
    amount = sum(o.amount for o in orders)
    summary = {
        "tot_ord_qty": sum(o.qty for o in orders), "tot_ccld_qty": filled,
        "tot_ccld_amt": amount, "prsm_tlex_smtl": 0,
        "pchs_avg_pric": f"{amount / filled:.4f}" if filled else "0.0000",
    }  # fmt: skip
    rows, tr_cont, ctx = page(call, rows)
    code = account_query_ok(call.env)
    return ok(call, code, output1=rows, output2=summary, ctx=ctx, tr_cont=tr_cont)


def buyable(call: Call) -> Answer:
    refused = _account_refusal(call)
    if refused is not None:
        return refused
    account = call.broker.account
    tape = call.market.tape.get(call.arg("PDNO"))
    cash = account.orderable_cash
    given = call.arg("ORD_UNPR")
    price = int(given) if given.isdigit() and int(given) > 0 else 0
    if tape is not None and not price:
        price = tape.market.rules.upper  # market-type buys reserve at the upper limit
    unit = price + price * account.commission_rate if price else Decimal(0)
    qty = int(Decimal(cash) / unit) if unit else 0
    output = {
        "ord_psbl_cash": cash, "ord_psbl_sbst": 0, "ruse_psbl_amt": 0, "fund_rpch_chgs": 0,
        "psbl_qty_calc_unpr": price, "nrcvb_buy_amt": cash, "nrcvb_buy_qty": qty,
        "max_buy_amt": cash, "max_buy_qty": qty, "cma_evlu_amt": 0, "ovrs_re_use_amt_wcrc": 0,
        "ord_psbl_frcr_amt_wcrc": 0,
    }  # fmt: skip
    return ok(call, account_query_ok(call.env), output=output)
