"""KIS message codes as a table: what each means, with which `rt_cd`, HTTP status and body
shape it travels (KIS.md §3.2, §5.4, §6.3, §10).

The adapter maps a received code to a JTS error (retry, wait, never retry) from this table;
the simulator answers with exactly these rows. Codes marked unverified in KIS.md keep their
row but say so in `note`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

import msgspec

from jts.core.enums import OrderType, TimeInForce
from jts.venues.kis.protocol.trs import Env

__all__ = [
    "CODES",
    "OPSP",
    "ORDER_DIVISIONS",
    "Action",
    "MsgCode",
    "OrderDivision",
    "Shape",
    "account_query_ok",
    "order_ok",
]


class Shape(StrEnum):
    """How an error body looks: the REST envelope or the token endpoint's own shape."""

    ENVELOPE = "envelope"  # {"rt_cd","msg_cd","msg1"}
    TOKEN = "token"  # {"error_code","error_description"}
    WS = "ws"  # a WebSocket control reply


class Action(StrEnum):
    """What a client should do on receiving the code (STYLE.md's error groups)."""

    OK = "ok"
    STOP = "stop"  # credentials or configuration wrong
    REFRESH_TOKEN = "refresh_token"
    WAIT = "wait"  # rate limit: the request was not executed, retry later
    NEVER_RETRY = "never_retry"  # refused on its merits


class MsgCode(msgspec.Struct, frozen=True, kw_only=True):
    """One code: `msg1` text, `rt_cd`, HTTP status it is sent with, body shape, action."""

    code: str
    msg1: str
    rt_cd: str = "1"
    http: int = 200
    shape: Shape = Shape.ENVELOPE
    action: Action = Action.NEVER_RETRY
    note: str = ""


def _rows(*rows: MsgCode) -> dict[str, MsgCode]:
    return {row.code: row for row in rows}


_TK, _GW = Shape.TOKEN, Shape.ENVELOPE
CODES: Final[Mapping[str, MsgCode]] = _rows(
    # success
    MsgCode(code="MCA00000", msg1="정상처리 되었습니다.", rt_cd="0", action=Action.OK),
    MsgCode(code="KIOK0510", msg1="조회가 완료되었습니다", rt_cd="0", action=Action.OK),
    MsgCode(code="20310000", msg1="모의투자 조회가 완료되었습니다.", rt_cd="0", action=Action.OK),
    MsgCode(code="APBK0013", msg1="주문 전송 완료 되었습니다.", rt_cd="0", action=Action.OK),
    MsgCode(
        code="40600000", msg1="모의투자 매수주문이 완료 되었습니다.", rt_cd="0", action=Action.OK
    ),
    MsgCode(
        code="40590000", msg1="모의투자 매도주문이 완료 되었습니다.", rt_cd="0", action=Action.OK
    ),
    MsgCode(
        code="40620000", msg1="모의투자 정정주문이 완료 되었습니다.", rt_cd="0", action=Action.OK
    ),
    MsgCode(
        code="40630000", msg1="모의투자 취소주문이 완료 되었습니다.", rt_cd="0", action=Action.OK
    ),
    # token endpoint (HTTP 403, error_code/error_description)
    MsgCode(
        code="EGW00103", msg1="유효하지 않은 AppKey입니다.", http=403, shape=_TK, action=Action.STOP
    ),
    MsgCode(
        code="EGW00105",
        msg1="유효하지 않은 AppSecret입니다.",
        http=403,
        shape=_TK,
        action=Action.STOP,
    ),
    MsgCode(
        code="EGW00133",
        msg1="접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
        http=403,
        shape=_TK,
        action=Action.WAIT,
    ),
    # gateway (HTTP 500, envelope)
    MsgCode(
        code="EGW00121",
        msg1="유효하지 않은 token 입니다.",
        http=500,
        shape=_GW,
        action=Action.REFRESH_TOKEN,
    ),
    MsgCode(
        code="EGW00123",
        msg1="기간이 만료된 token 입니다.",
        http=500,
        shape=_GW,
        action=Action.REFRESH_TOKEN,
    ),
    MsgCode(
        code="EGW00201",
        msg1="초당 거래건수를 초과하였습니다.",
        http=500,
        shape=_GW,
        action=Action.WAIT,
    ),
    MsgCode(
        code="EGW02006", msg1="모의투자 TR 이 아닙니다.", http=500, shape=_GW, action=Action.STOP
    ),
    MsgCode(
        code="EGW02007",
        msg1="실전투자 TR 이 아닙니다.",
        http=500,
        shape=_GW,
        action=Action.STOP,
        note="code for a V… TR on the real host is unverified",
    ),
    MsgCode(
        code="EGW00002",
        msg1="서버 에러가 발생했습니다.",
        http=500,
        shape=_GW,
        action=Action.WAIT,
        note="unverified",
    ),
    MsgCode(
        code="EGW00206",
        msg1="API 사용 권한이 없습니다.",
        http=500,
        shape=_GW,
        action=Action.STOP,
        note="unverified",
    ),
    # business errors (HTTP 200)
    MsgCode(code="OPSQ2000", msg1="ERROR : INPUT INVALID_CHECK_ACNO", note="status unverified"),
    MsgCode(
        code="OPSQ2001", msg1="ERROR : INPUT INVALID_CHECK_MRKT_DIV_CODE", note="status unverified"
    ),
    MsgCode(code="OPSQ2002", msg1="ERROR : INPUT INVALID_CHECK_ISCD", note="code unverified"),
    MsgCode(code="OPSQ0002", msg1="없는 서비스 코드 입니다", http=500, note="code unverified"),
    MsgCode(code="OPSQ1002", msg1="ERROR : INPUT FIELD NOT VALID", note="code unverified"),
    MsgCode(code="APBK1685", msg1="종목코드 오류입니다.", note="code unverified"),
    MsgCode(code="40370000", msg1="모의투자 종목코드 오류입니다.", note="code unverified"),
    MsgCode(code="APBK0952", msg1="주문가능금액을 초과 했습니다", rt_cd="7"),
    MsgCode(code="40580000", msg1="모의투자 장종료 입니다."),
    MsgCode(code="40570000", msg1="모의투자 장시작전 입니다."),
    MsgCode(code="40100000", msg1="모의투자 영업일이 아닙니다.", note="unverified"),
    MsgCode(code="APBK0656", msg1="해당주문이 없습니다.", note="code unverified"),
    MsgCode(code="APBK1664", msg1="정정/취소할 수량이 없습니다.", note="code unverified"),
    MsgCode(code="APBK0918", msg1="호가단위 오류입니다.", note="code unverified"),
    MsgCode(code="APBK0919", msg1="가격제한폭을 벗어났습니다.", note="code unverified"),
    MsgCode(code="APBK0400", msg1="주문가능수량을 초과 했습니다.", note="code unverified"),
    MsgCode(code="APBK0017", msg1="지원하지 않는 주문구분입니다.", note="code unverified"),
    MsgCode(code="APBK1558", msg1="장운영시간이 아닙니다.", note="code unverified"),
    MsgCode(code="40310000", msg1="모의투자 주문가능금액이 부족합니다.", note="code unverified"),
    MsgCode(
        code="40320000",
        msg1="모의투자 주문처리가 안되었습니다(호가단위 오류)",
        note="code unverified",
    ),
    MsgCode(code="40330000", msg1="모의투자 주문가능수량을 초과 했습니다.", note="code unverified"),
    MsgCode(code="40340000", msg1="모의투자 가격제한폭을 벗어났습니다.", note="code unverified"),
    MsgCode(code="40350000", msg1="모의투자 정정/취소할 주문이 없습니다.", note="code unverified"),
    MsgCode(
        code="40360000", msg1="모의투자에서는 지원하지 않는 주문입니다.", note="code unverified"
    ),
)
"""REST codes. The paper reject codes 403x0000 and most APBK reject codes are our
placeholders where KIS.md has only a message: the adapter must key on `rt_cd != "0"` and keep
`msg_cd` verbatim, never on these particular numbers."""


OPSP: Final[Mapping[str, MsgCode]] = _rows(
    MsgCode(code="OPSP0000", msg1="SUBSCRIBE SUCCESS", rt_cd="0", shape=Shape.WS, action=Action.OK),
    MsgCode(
        code="OPSP0001", msg1="UNSUBSCRIBE SUCCESS", rt_cd="0", shape=Shape.WS, action=Action.OK
    ),
    MsgCode(code="OPSP0002", msg1="ALREADY IN SUBSCRIBE", shape=Shape.WS),
    MsgCode(code="OPSP0003", msg1="UNSUBSCRIBE ERROR(not found!)", shape=Shape.WS),
    MsgCode(code="OPSP0007", msg1="SUBSCRIBE INTERNAL ERROR", shape=Shape.WS, action=Action.WAIT),
    MsgCode(code="OPSP0008", msg1="MAX SUBSCRIBE OVER", shape=Shape.WS),
    MsgCode(code="OPSP0011", msg1="invalid approval : ", shape=Shape.WS, action=Action.STOP),
    MsgCode(code="OPSP8991", msg1="SUBSCRIBE ERROR : invalid tr_id", shape=Shape.WS),
    MsgCode(code="OPSP8992", msg1="SUBSCRIBE ERROR : invalid tr_key", shape=Shape.WS),
    MsgCode(
        code="OPSP8996", msg1="ALREADY IN USE appkey", rt_cd="9", shape=Shape.WS, action=Action.STOP
    ),
    MsgCode(code="OPSP8997", msg1="JSON PARSING ERROR : invalid tr_type", shape=Shape.WS),
    MsgCode(code="OPSP8998", msg1="JSON PARSING ERROR : invalid custtype", shape=Shape.WS),
    MsgCode(code="OPSP9990", msg1="JSON PARSING ERROR : tr_key not found", shape=Shape.WS),
    MsgCode(code="OPSP9991", msg1="JSON PARSING ERROR : input not found", shape=Shape.WS),
    MsgCode(code="OPSP9992", msg1="JSON PARSING ERROR : body not found", shape=Shape.WS),
    MsgCode(code="OPSP9993", msg1="JSON PARSING ERROR : tr_id not found", shape=Shape.WS),
    MsgCode(code="OPSP9994", msg1="JSON PARSING ERROR : header not found", shape=Shape.WS),
    MsgCode(code="OPSP9995", msg1="JSON PARSING ERROR : approval_key not found", shape=Shape.WS),
    MsgCode(code="OPSP9999", msg1="JSON PARSING ERROR : invalid json format", shape=Shape.WS),
)
"""WebSocket control codes (KIS.md §6.3). Which 999x number goes with which missing part is
unverified beyond "JSON PARSING ERROR"; OPSP0011's msg1 is followed by the key."""


def account_query_ok(env: Env) -> MsgCode:
    """Success code of account queries: KIOK0510 real, 20310000 paper."""
    return CODES["KIOK0510" if env is Env.REAL else "20310000"]


def order_ok(env: Env, action: str) -> MsgCode:
    """Success code of an order TR; `action` is "buy", "sell", "modify" or "cancel". Real
    answers APBK0013 for all of them; paper has one code each."""
    if env is Env.REAL:
        return CODES["APBK0013"]
    paper = {"buy": "40600000", "sell": "40590000", "modify": "40620000", "cancel": "40630000"}
    return CODES[paper[action]]


class OrderDivision(msgspec.Struct, frozen=True):
    """What an `ORD_DVSN` code means in JTS terms; `price` whether ORD_UNPR carries one."""

    code: str
    order_type: OrderType
    tif: TimeInForce
    price: bool
    name: str


ORDER_DIVISIONS: Final[Mapping[str, OrderDivision]] = {
    d.code: d
    for d in (
        OrderDivision("00", OrderType.LIMIT, TimeInForce.DAY, True, "지정가"),
        OrderDivision("01", OrderType.MARKET, TimeInForce.DAY, False, "시장가"),
        OrderDivision("02", OrderType.CONDITIONAL_LIMIT, TimeInForce.DAY, True, "조건부지정가"),
        OrderDivision("03", OrderType.BEST_LIMIT, TimeInForce.DAY, False, "최유리지정가"),
        OrderDivision("04", OrderType.BEST_PRIORITY, TimeInForce.DAY, False, "최우선지정가"),
        OrderDivision("05", OrderType.CLOSING_PRICE, TimeInForce.DAY, False, "장전 시간외"),
        OrderDivision("06", OrderType.CLOSING_PRICE, TimeInForce.DAY, False, "장후 시간외"),
        OrderDivision("07", OrderType.LIMIT, TimeInForce.DAY, True, "시간외 단일가"),
        OrderDivision("11", OrderType.LIMIT, TimeInForce.IOC, True, "IOC지정가"),
        OrderDivision("12", OrderType.LIMIT, TimeInForce.FOK, True, "FOK지정가"),
        OrderDivision("13", OrderType.MARKET, TimeInForce.IOC, False, "IOC시장가"),
        OrderDivision("14", OrderType.MARKET, TimeInForce.FOK, False, "FOK시장가"),
        OrderDivision("15", OrderType.BEST_LIMIT, TimeInForce.IOC, False, "IOC최유리"),
        OrderDivision("16", OrderType.BEST_LIMIT, TimeInForce.FOK, False, "FOK최유리"),
    )
}
"""KRX `ORD_DVSN` codes (KIS.md §5.3) that map onto JTS order types. The mid-price (21, 23,
24) and stop-limit (22) codes have no JTS type and are absent."""
