"""The KIS transaction table: which REST path answers which TR id, in real and paper mode.

KIS names every request by a TR id sent in the `tr_id` header; the same path can serve
several TRs (the side of a cash order is chosen by the TR, not by a body field). Real and paper
ids differ by one rule (KIS.md §1): a TR starting with `T`, `J` or `C` gets `V` as its first
letter on the paper host; quote TRs (`FHK…`) are the same on both. Some TRs have no paper
version at all, which the paper host answers with `EGW02006`. This table is the one place
that knows all of it; the adapter and the simulator both read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

import msgspec

__all__ = [
    "APPROVAL_PATH",
    "DEPRECATED_TR_IDS",
    "HASHKEY_PATH",
    "HOSTS",
    "REVOKE_PATH",
    "STOCK_BASE",
    "TOKEN_PATH",
    "TRS",
    "Env",
    "Hosts",
    "Paging",
    "Tr",
    "TrSpec",
    "UnknownTr",
    "lookup_tr",
    "paper_tr_id",
    "tr_id",
]


class Env(StrEnum):
    """The two KIS environments: real money ("실전", `prod`) and paper ("모의투자", `vps`)."""

    REAL = "real"
    PAPER = "paper"


class Hosts(msgspec.Struct, frozen=True):
    """Where one environment listens (KIS.md §1). The WebSocket is plain `ws://` on both."""

    rest: str
    ws: str


HOSTS: Final[Mapping[Env, Hosts]] = {
    Env.REAL: Hosts(
        rest="https://openapi.koreainvestment.com:9443", ws="ws://ops.koreainvestment.com:21000"
    ),
    Env.PAPER: Hosts(
        rest="https://openapivts.koreainvestment.com:29443",
        ws="ws://ops.koreainvestment.com:31000",
    ),
}

TOKEN_PATH: Final = "/oauth2/tokenP"
REVOKE_PATH: Final = "/oauth2/revokeP"
APPROVAL_PATH: Final = "/oauth2/Approval"
HASHKEY_PATH: Final = "/uapi/hashkey"
STOCK_BASE: Final = "/uapi/domestic-stock/v1"


class Paging(StrEnum):
    """How a TR returns more rows than fit in one answer (KIS.md §3.3, §4.4, §4.5)."""

    NONE = "none"
    TR_CONT = "tr_cont"  # header tr_cont F/M/D/E + body ctx_area_fk100/nk100
    DATE_CURSOR = "date_cursor"  # move FID_INPUT_DATE_2 before the oldest row
    TIME_CURSOR = "time_cursor"  # move FID_INPUT_HOUR_1 before the oldest bar


class Tr(StrEnum):
    """Our names for the domestic-stock TRs (the keys of `TRS`)."""

    PRICE = "inquire_price"
    ASKING_PRICE = "inquire_asking_price"
    DAILY_CHART = "daily_chart"
    MINUTE_CHART = "minute_chart"
    MINUTE_CHART_PAST = "minute_chart_past"
    MULTI_PRICE = "multi_price"
    ORDER_SELL = "order_sell"
    ORDER_BUY = "order_buy"
    ORDER_MODIFY_CANCEL = "order_modify_cancel"
    BALANCE = "inquire_balance"
    DAILY_CCLD = "inquire_daily_ccld"
    DAILY_CCLD_OLD = "inquire_daily_ccld_old"
    BUYABLE = "inquire_psbl_order"


class TrSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One TR: HTTP method and path, its real id, and its paper id (None: real only)."""

    name: Tr
    method: str
    path: str
    real: str
    paper: str | None
    paging: Paging = Paging.NONE

    def id_for(self, env: Env) -> str | None:
        return self.real if env is Env.REAL else self.paper


def paper_tr_id(real_tr_id: str) -> str:
    """The paper id of a real TR id: `T`/`J`/`C` first letters become `V`, others stay."""
    if real_tr_id[:1] in ("T", "J", "C"):
        return "V" + real_tr_id[1:]
    return real_tr_id


def _spec(
    name: Tr, method: str, path: str, real: str, *, paper: bool = True, paging: Paging = Paging.NONE
) -> TrSpec:
    return TrSpec(
        name=name,
        method=method,
        path=f"{STOCK_BASE}{path}",
        real=real,
        paper=paper_tr_id(real) if paper else None,
        paging=paging,
    )


_QUOTES, _TRADING = "/quotations", "/trading"
TRS: Final[Mapping[Tr, TrSpec]] = {
    spec.name: spec
    for spec in (
        _spec(Tr.PRICE, "GET", f"{_QUOTES}/inquire-price", "FHKST01010100"),
        _spec(Tr.ASKING_PRICE, "GET", f"{_QUOTES}/inquire-asking-price-exp-ccn", "FHKST01010200"),
        _spec(
            Tr.DAILY_CHART,
            "GET",
            f"{_QUOTES}/inquire-daily-itemchartprice",
            "FHKST03010100",
            paging=Paging.DATE_CURSOR,
        ),
        _spec(
            Tr.MINUTE_CHART,
            "GET",
            f"{_QUOTES}/inquire-time-itemchartprice",
            "FHKST03010200",
            paging=Paging.TIME_CURSOR,
        ),
        _spec(
            Tr.MINUTE_CHART_PAST,
            "GET",
            f"{_QUOTES}/inquire-time-dailychartprice",
            "FHKST03010230",
            paper=False,
            paging=Paging.TIME_CURSOR,
        ),
        _spec(Tr.MULTI_PRICE, "GET", f"{_QUOTES}/intstock-multprice", "FHKST11300006"),
        _spec(Tr.ORDER_SELL, "POST", f"{_TRADING}/order-cash", "TTTC0011U"),
        _spec(Tr.ORDER_BUY, "POST", f"{_TRADING}/order-cash", "TTTC0012U"),
        _spec(Tr.ORDER_MODIFY_CANCEL, "POST", f"{_TRADING}/order-rvsecncl", "TTTC0013U"),
        _spec(Tr.BALANCE, "GET", f"{_TRADING}/inquire-balance", "TTTC8434R", paging=Paging.TR_CONT),
        _spec(
            Tr.DAILY_CCLD,
            "GET",
            f"{_TRADING}/inquire-daily-ccld",
            "TTTC0081R",
            paging=Paging.TR_CONT,
        ),
        _spec(
            Tr.DAILY_CCLD_OLD,
            "GET",
            f"{_TRADING}/inquire-daily-ccld",
            "CTSC9215R",
            paging=Paging.TR_CONT,
        ),
        _spec(Tr.BUYABLE, "GET", f"{_TRADING}/inquire-psbl-order", "TTTC8908R"),
    )
}
"""Every domestic-stock TR we use (KIS.md §4). Multi-price on paper is unverified: listed as
available, since quote TRs are the same on both hosts."""

DEPRECATED_TR_IDS: Final[Mapping[str, Tr]] = {
    "TTTC0801U": Tr.ORDER_SELL,
    "TTTC0802U": Tr.ORDER_BUY,
    "TTTC0803U": Tr.ORDER_MODIFY_CANCEL,
    "TTTC8001R": Tr.DAILY_CCLD,
    "CTSC9115R": Tr.DAILY_CCLD_OLD,
}
"""Old ids the portal says may be blocked without notice; community logs show them still
answered in 2025. Their paper forms follow the usual `V` rule."""


class UnknownTr(LookupError):
    """A TR id that no table row (real or paper) has; `env_mismatch` when it exists but for
    the other environment (a `V…` id on the real host, a real-only id on the paper host)."""

    def __init__(self, tr_id: str, env: Env, *, env_mismatch: bool = False) -> None:
        super().__init__(f"TR {tr_id!r} is not a {env.value} TR")
        self.tr_id = tr_id
        self.env = env
        self.env_mismatch = env_mismatch


def tr_id(name: Tr, env: Env) -> str:
    """The id to send for TR `name` in `env`; `UnknownTr` when the TR has no paper version."""
    found = TRS[name].id_for(env)
    if found is None:
        raise UnknownTr(TRS[name].real, env, env_mismatch=True)
    return found


def _index() -> dict[tuple[Env, str], TrSpec]:
    by_id: dict[tuple[Env, str], TrSpec] = {}
    for spec in TRS.values():
        for env in Env:
            found = spec.id_for(env)
            if found is not None:
                by_id[env, found] = spec
    for old, name in DEPRECATED_TR_IDS.items():
        spec = TRS[name]
        by_id[Env.REAL, old] = spec
        by_id[Env.PAPER, paper_tr_id(old)] = spec
    return by_id


_BY_ID: Final = _index()


def lookup_tr(tr_id: str, env: Env) -> TrSpec:
    """The TR that `tr_id` names in `env` (deprecated ids included). Raises `UnknownTr`, with
    `env_mismatch=True` when the id belongs to the other environment."""
    spec = _BY_ID.get((env, tr_id))
    if spec is not None:
        return spec
    other = Env.PAPER if env is Env.REAL else Env.REAL
    raise UnknownTr(tr_id, env, env_mismatch=(other, tr_id) in _BY_ID)
