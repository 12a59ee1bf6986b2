"""The KIS REST envelope (KIS.md §3.2, §3.3): building and reading response bodies.

Every answer is `{"rt_cd","msg_cd","msg1", "output" | "output1"+"output2", ...}` with all
values strings; `rt_cd` "0" is success whatever the HTTP status says. The token endpoint is
the exception: its errors are `{"error_code","error_description"}` with HTTP 403. Paged
account TRs add `ctx_area_fk100` / `ctx_area_nk100` to the body and `tr_cont` to the headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from jts.venues.kis.protocol.codes import CODES, MsgCode

__all__ = [
    "MORE_PAGES",
    "Envelope",
    "PageState",
    "error_body",
    "ok_body",
    "parse_envelope",
    "stringify",
    "token_error_body",
]

MORE_PAGES: Final = frozenset({"F", "M"})
"""Response `tr_cont` values that mean another page follows (`D`/`E`: the last page)."""


class PageState(msgspec.Struct, frozen=True):
    """Where a paged query stands: the response `tr_cont` and the continuation keys to echo
    (as `CTX_AREA_FK100` / `CTX_AREA_NK100`, with request header `tr_cont: N`)."""

    tr_cont: str
    fk100: str = ""
    nk100: str = ""

    @property
    def more(self) -> bool:
        return self.tr_cont in MORE_PAGES


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed REST answer: `ok` iff `rt_cd` is "0"; `msg1` stripped of its padding."""

    rt_cd: str
    msg_cd: str
    msg1: str
    output: Any = None
    output1: Any = None
    output2: Any = None
    ctx_area_fk100: str = ""
    ctx_area_nk100: str = ""

    @property
    def ok(self) -> bool:
        return self.rt_cd == "0"


def stringify(value: Any) -> Any:
    """`value` with every number (and bool) turned into the string KIS sends; dicts and lists
    recursively, None as ""."""
    if isinstance(value, Mapping):
        return {str(k): stringify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stringify(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def ok_body(
    code: MsgCode,
    *,
    output: Any = None,
    output1: Any = None,
    output2: Any = None,
    ctx: tuple[str, str] | None = None,
    pad_msg1: int = 0,
) -> dict[str, Any]:
    """A success body with `output`, or `output1`/`output2`, stringified. `ctx` adds the
    continuation keys (fk100, nk100) of a paged TR; `pad_msg1` right-pads msg1 with spaces
    to that width, as KIS sometimes does."""
    body: dict[str, Any] = {
        "rt_cd": code.rt_cd,
        "msg_cd": code.code,
        "msg1": code.msg1.ljust(pad_msg1),
    }
    if ctx is not None:
        body["ctx_area_fk100"], body["ctx_area_nk100"] = ctx
    if output is not None:
        body["output"] = stringify(output)
    if output1 is not None:
        body["output1"] = stringify(output1)
    if output2 is not None:
        body["output2"] = stringify(output2)
    return body


def error_body(code: MsgCode | str, msg1: str | None = None) -> dict[str, Any]:
    """A failure envelope for `code` (a `CODES` key or row), optionally with another msg1."""
    row = CODES[code] if isinstance(code, str) else code
    return {"rt_cd": row.rt_cd, "msg_cd": row.code, "msg1": msg1 or row.msg1}


def token_error_body(code: MsgCode | str) -> dict[str, str]:
    """The token endpoint's own error shape (sent with HTTP 403)."""
    row = CODES[code] if isinstance(code, str) else code
    return {"error_code": row.code, "error_description": row.msg1}


_decoder: Final = msgspec.json.Decoder(Envelope)


def parse_envelope(body: bytes | str) -> Envelope:
    """Read a REST body (msgspec.DecodeError when it is not an envelope); strips msg1."""
    envelope = _decoder.decode(body)
    return msgspec.structs.replace(envelope, msg1=envelope.msg1.strip())
