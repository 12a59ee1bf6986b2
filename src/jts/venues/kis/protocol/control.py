"""KIS WebSocket control messages: subscribe requests, their replies, PINGPONG (KIS.md §6).

Client → server: `{"header":{approval_key, custtype, tr_type "1"|"2", content-type},
"body":{"input":{tr_id, tr_key}}}`. Server → client: `{"header":{tr_id, tr_key, encrypt},
"body":{rt_cd, msg_cd, msg1, output?:{iv, key}}}`, and the keep-alive
`{"header":{"tr_id":"PINGPONG","datetime":"YYYYMMDDHHMMSS"}}` which clients echo back.
"""

from __future__ import annotations

import json
from typing import Any, Final

import msgspec

from jts.venues.kis.protocol.codes import OPSP, MsgCode

__all__ = [
    "PINGPONG",
    "REGISTER",
    "UNREGISTER",
    "ControlError",
    "ControlReply",
    "PingPong",
    "SubscribeRequest",
    "control_reply",
    "parse_control",
    "parse_subscribe",
    "pingpong_message",
    "subscribe_message",
]

PINGPONG: Final = "PINGPONG"
REGISTER: Final = "1"
UNREGISTER: Final = "2"


class ControlError(ValueError):
    """A control message that cannot be read; `code` is the OPSP code a server answers."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {OPSP[code].msg1}{detail}")
        self.code = code


class SubscribeRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One register (`tr_type` "1") or unregister ("2") of (`tr_id`, `tr_key`)."""

    approval_key: str
    tr_id: str
    tr_key: str
    tr_type: str = REGISTER
    custtype: str = "P"

    @property
    def register(self) -> bool:
        return self.tr_type == REGISTER


def subscribe_message(
    approval_key: str, tr_id: str, tr_key: str, *, register: bool = True, custtype: str = "P"
) -> str:
    """The JSON text a client sends to (un)register `tr_id` for `tr_key` (a stock code, or
    the HTS user id for notices)."""
    return json.dumps(
        {
            "header": {
                "approval_key": approval_key,
                "custtype": custtype,
                "tr_type": REGISTER if register else UNREGISTER,
                "content-type": "utf-8",
            },
            "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}},
        }
    )


def _object(parent: Any, name: str, code: str) -> dict[str, Any]:
    value = parent.get(name) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise ControlError(code)
    return value


def parse_subscribe(text: str) -> SubscribeRequest:
    """Read a client's (un)subscribe message the way the KIS server does; `ControlError`
    carrying the OPSP code the server would answer with when it is malformed."""
    try:
        message = json.loads(text)
    except ValueError:
        raise ControlError("OPSP9999") from None
    header = _object(message, "header", "OPSP9994")
    body = _object(message, "body", "OPSP9992")
    payload = _object(body, "input", "OPSP9991")
    if not isinstance(header.get("approval_key"), str):
        raise ControlError("OPSP9995")
    if not isinstance(payload.get("tr_id"), str):
        raise ControlError("OPSP9993")
    if not isinstance(payload.get("tr_key"), str):
        raise ControlError("OPSP9990")
    tr_type = header.get("tr_type")
    if tr_type not in (REGISTER, UNREGISTER):
        raise ControlError("OPSP8997")
    custtype = header.get("custtype", "P")
    if custtype not in ("P", "B"):
        raise ControlError("OPSP8998")
    return SubscribeRequest(
        approval_key=header["approval_key"],
        tr_id=payload["tr_id"],
        tr_key=payload["tr_key"],
        tr_type=tr_type,
        custtype=custtype,
    )


class ControlReply(msgspec.Struct, frozen=True, kw_only=True):
    """A server's control answer; `key`/`iv` are set on successful subscribes."""

    tr_id: str
    tr_key: str
    encrypt: str
    rt_cd: str
    msg_cd: str
    msg1: str
    key: str = ""
    iv: str = ""

    @property
    def ok(self) -> bool:
        return self.rt_cd == "0"


class PingPong(msgspec.Struct, frozen=True):
    """The keep-alive; `raw` is the exact text, which a client echoes."""

    datetime: str
    raw: str


def control_reply(
    code: MsgCode | str,
    *,
    tr_id: str,
    tr_key: str = "",
    encrypt: bool = False,
    key_iv: tuple[str, str] | None = None,
    msg1: str | None = None,
) -> str:
    """The JSON text of a control reply with OPSP `code`; `key_iv` adds `output.iv/key`."""
    row = OPSP[code] if isinstance(code, str) else code
    body: dict[str, Any] = {"rt_cd": row.rt_cd, "msg_cd": row.code, "msg1": msg1 or row.msg1}
    if key_iv is not None:
        body["output"] = {"iv": key_iv[1], "key": key_iv[0]}
    header = {"tr_id": tr_id, "tr_key": tr_key, "encrypt": "Y" if encrypt else "N"}
    return json.dumps({"header": header, "body": body}, ensure_ascii=False)


def pingpong_message(datetime_kst: str) -> str:
    """The keep-alive text; `datetime_kst` is YYYYMMDDHHMMSS."""
    return json.dumps({"header": {"tr_id": PINGPONG, "datetime": datetime_kst}})


def parse_control(text: str) -> ControlReply | PingPong:
    """Read a server's JSON text frame: a PINGPONG or a control reply (ValueError if
    neither)."""
    message = json.loads(text)
    header = message.get("header") if isinstance(message, dict) else None
    if not isinstance(header, dict):
        raise ValueError(f"control message without header: {text[:60]!r}")
    if header.get("tr_id") == PINGPONG:
        return PingPong(str(header.get("datetime", "")), text)
    body = message.get("body") or {}
    output = body.get("output") or {}
    return ControlReply(
        tr_id=str(header.get("tr_id", "")),
        tr_key=str(header.get("tr_key", "")),
        encrypt=str(header.get("encrypt", "N")),
        rt_cd=str(body.get("rt_cd", "")),
        msg_cd=str(body.get("msg_cd", "")),
        msg1=str(body.get("msg1", "")),
        key=str(output.get("key", "")) if isinstance(output, dict) else "",
        iv=str(output.get("iv", "")) if isinstance(output, dict) else "",
    )
