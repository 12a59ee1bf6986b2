"""Order TRs of the simulator: order-cash and order-rvsecncl (KIS.md §5).

The body must use upper-case keys and string values, name the caller's own account, a known
code, a known `ORD_DVSN`, a price on the tick grid inside the daily limits, in a session that
takes orders; the account must afford it. Refusals are HTTP 200 with `rt_cd != "0"` and no
`output`; acceptance answers `KRX_FWDG_ORD_ORGNO`, a 10-digit `ODNO` and `ORD_TMD`.
Rejections after acceptance (the exchange refusing a numbered order) arrive as notices only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from jts.core.enums import Side
from jts.krx.sessions import Phase, sessions
from jts.venues.kis.protocol import ORDER_DIVISIONS, Env, OrderDivision, Tr, order_ok
from jts.venues.kis.server.broker import BRANCH, KisOrder
from jts.venues.kis.server.calls import Answer, Call, fail, ok
from jts.venues.kis.server.tape import SymbolTape

__all__ = ["order_cash", "order_rvsecncl", "refusal_code"]

_REFUSALS: Final[Mapping[str, tuple[str, str]]] = {
    "insufficient_cash": ("APBK0952", "40310000"),
    "insufficient_holdings": ("APBK0400", "40330000"),
    "off_tick": ("APBK0918", "40320000"),
    "outside_limits": ("APBK0919", "40340000"),
    "market_closed": ("APBK1558", "40580000"),
    "before_open": ("APBK1558", "40570000"),
    "unknown_symbol": ("APBK1685", "40370000"),
    "order_closed": ("APBK0656", "40350000"),
    "unknown_order": ("APBK0656", "40350000"),
    "not_modifiable": ("APBK1664", "40350000"),
    "bad_input": ("OPSQ1002", "OPSQ1002"),
    "bad_account": ("OPSQ2000", "OPSQ2000"),
}
"""(real, paper) KIS code for each reason; anything else: APBK0017 / 40360000."""


def refusal_code(reason: str, env: Env) -> str:
    real, paper = _REFUSALS.get(reason, ("APBK0017", "40360000"))
    return real if env is Env.REAL else paper


def _refuse(call: Call, reason: str) -> Answer:
    return fail(refusal_code(reason, call.env))


def _text(body: Mapping[str, Any], key: str) -> str | None:
    """A body field; None when missing or not a string (KIS wants every value a string)."""
    value = body.get(key)
    return value if isinstance(value, str) else None


def _count(body: Mapping[str, Any], key: str) -> int | None:
    text = _text(body, key)
    return int(text) if text is not None and text.isdigit() else None


def _account_ok(call: Call) -> bool:
    spec = call.broker.spec
    return (_text(call.body, "CANO"), _text(call.body, "ACNT_PRDT_CD")) == (spec.cano, spec.product)


def _venue_ok(call: Call) -> bool:
    venue = _text(call.body, "EXCG_ID_DVSN_CD") or "KRX"
    return venue == "KRX"  # NXT/SOR: paper refuses them; the simulator has KRX only


def _session_refusal(call: Call) -> str | None:
    exchange = call.market.exchange
    if exchange.current_phase not in (Phase.CLOSED, Phase.GAP):
        return None
    day = exchange.day
    opens = [s.start_ns(day) for s in sessions(day) if s.phase is Phase.CONTINUOUS]
    return "before_open" if opens and exchange.now_ns() < opens[0] else "market_closed"


def _price_refusal(tape: SymbolTape, price: int) -> str | None:
    rules = tape.market.rules
    if not rules.valid_price(price):
        return "off_tick"
    if not rules.lower <= price <= rules.upper:
        return "outside_limits"
    return None


def _order_output(order: KisOrder, call: Call) -> dict[str, str]:
    return {"KRX_FWDG_ORD_ORGNO": BRANCH, "ODNO": order.odno, "ORD_TMD": _tmd(call)}


def _tmd(call: Call) -> str:
    return call.market.clock.hhmmss()


def _checked_division(call: Call) -> OrderDivision | str:
    division = ORDER_DIVISIONS.get(_text(call.body, "ORD_DVSN") or "")
    return division if division is not None else "unsupported"


def order_cash(call: Call) -> Answer:
    """New buy (0012U) or sell (0011U) order."""
    if not _account_ok(call):
        return _refuse(call, "bad_account")
    tape = call.market.tape.get(_text(call.body, "PDNO") or "")
    if tape is None:
        return _refuse(call, "unknown_symbol")
    division = _checked_division(call)
    if isinstance(division, str) or not _venue_ok(call):
        return _refuse(call, "unsupported")
    qty, price = _count(call.body, "ORD_QTY"), _count(call.body, "ORD_UNPR")
    if not qty or price is None or (not division.price and price != 0):
        return _refuse(call, "bad_input")
    problem = _price_refusal(tape, price) if division.price else None
    problem = problem or _session_refusal(call)
    if problem is not None:
        return _refuse(call, problem)
    side = Side.SELL if call.spec.name is Tr.ORDER_SELL else Side.BUY
    order, update = call.broker.submit(side, tape.code, qty, price, division)
    if order is None:
        return _refuse(call, update.reject_code)
    code = order_ok(call.env, "sell" if side is Side.SELL else "buy")
    return ok(call, code, output=_order_output(order, call))


def order_rvsecncl(call: Call) -> Answer:
    """Modify (RVSE_CNCL_DVSN_CD 01) or cancel (02) the remainder or part of an order."""
    if not _account_ok(call):
        return _refuse(call, "bad_account")
    original = call.broker.find(_text(call.body, "ORGN_ODNO") or "")
    if original is None:
        return _refuse(call, "unknown_order")
    action = _text(call.body, "RVSE_CNCL_DVSN_CD")
    whole = _text(call.body, "QTY_ALL_ORD_YN") == "Y"
    qty = None if whole else _count(call.body, "ORD_QTY")
    price = _count(call.body, "ORD_UNPR")
    if action not in ("01", "02") or (not whole and not qty):
        return _refuse(call, "bad_input")
    cancel = action == "02"
    new_price = None
    if not cancel and original.division.price:
        if price is None:
            return _refuse(call, "bad_input")
        problem = _price_refusal(call.market.tape[original.code], price)
        if problem is not None:
            return _refuse(call, problem)
        new_price = price
    problem = _session_refusal(call)
    if problem is not None:
        return _refuse(call, problem)
    request, reason = call.broker.modify_or_cancel(
        original, cancel=cancel, qty=qty, price=new_price
    )
    if request is None:
        return _refuse(call, reason)
    code = order_ok(call.env, "cancel" if cancel else "modify")
    return ok(call, code, output=_order_output(request, call))
