"""What a REST handler of the simulator receives and returns, independent of the web framework.

A `Call` is one authenticated request: the caller's `Broker`, the TR it named, its query
parameters (upper-cased names: KIS reads them case-insensitively) or JSON body, and the
paging header. An `Answer` is the HTTP status, the body and the response `tr_cont`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jts.venues.kis.protocol import CODES, Env, MsgCode, TrSpec, error_body, ok_body
from jts.venues.kis.server.broker import Broker
from jts.venues.kis.server.market import KisMarket

__all__ = ["Answer", "Call", "fail", "ok"]


@dataclass(frozen=True, slots=True)
class Call:
    env: Env
    spec: TrSpec
    tr_id: str
    broker: Broker
    market: KisMarket
    query: Mapping[str, str]
    body: Mapping[str, Any]
    tr_cont: str
    pad_msg1: int = 0

    def arg(self, name: str, default: str = "") -> str:
        """A query parameter by its upper-case name, or a body field."""
        value = self.query.get(name.upper())
        if value is None:
            found = self.body.get(name)
            value = found if isinstance(found, str) else default
        return value


@dataclass(frozen=True, slots=True)
class Answer:
    body: dict[str, Any]
    status: int = 200
    tr_cont: str = ""


def ok(call: Call, code: MsgCode | str = "MCA00000", **outputs: Any) -> Answer:
    """A success answer; `outputs` are output / output1 / output2 / ctx (see `ok_body`)."""
    tr_cont = outputs.pop("tr_cont", "")
    row = CODES[code] if isinstance(code, str) else code
    return Answer(ok_body(row, pad_msg1=call.pad_msg1, **outputs), 200, tr_cont)


def fail(code: MsgCode | str, msg1: str | None = None) -> Answer:
    """A failure answer with the HTTP status the code travels with."""
    row = CODES[code] if isinstance(code, str) else code
    return Answer(error_body(row, msg1), row.http)
