"""The channel names a client may subscribe to, and what each family of channels promises.

A channel is a family name, optionally with parameters: `quotes:005930`, `bars:005930:1m`,
`orders`. Each family is one row of `FAMILIES`, which fixes its delivery:

* **conflated** — state (a quote, a position, P&L): only the newest value per (channel, key)
  matters, so an unsent older value is replaced by a newer one. A client's backlog on these
  channels is bounded by the number of keys, never by the message rate.
* **reliable** — events (orders, fills, alerts, jobs): every message, in order, exactly once.
  Each gets a per-channel sequence number so that a reconnecting client can resume.

and who may read it (`scope`: besides being authenticated, the `Scope` the principal needs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final

from jts.core.codes import is_valid_symbol
from jts.gateway.auth.principal import Principal, Scope

__all__ = [
    "FAMILIES",
    "TIMEFRAMES",
    "Authorizer",
    "Delivery",
    "Family",
    "default_authorize",
    "family_of",
]


class Delivery(StrEnum):
    CONFLATED = "conflated"
    RELIABLE = "reliable"


@dataclass(frozen=True, slots=True)
class Family:
    """One kind of channel.

    `params` names the parts after the family name (`quotes:<symbol>`); `snapshot_keys` is how
    many last values per channel the hub keeps for snapshots of a conflated channel (quotes
    one, bars two: the bar just closed and the one forming), evicting the least recently
    updated key beyond it.
    """

    name: str
    delivery: Delivery
    scope: Scope | None
    params: tuple[str, ...] = ()
    snapshot_keys: int = 0


TIMEFRAMES: Final[frozenset[str]] = frozenset({"1m", "5m", "15m", "30m", "60m", "1d"})
"""Bar timeframes a `bars:<symbol>:<tf>` channel may name."""

_C, _R = Delivery.CONFLATED, Delivery.RELIABLE
FAMILIES: Final[dict[str, Family]] = {
    f.name: f
    for f in (
        Family("quotes", _C, None, ("symbol",), snapshot_keys=1),
        Family("bars", _C, None, ("symbol", "tf"), snapshot_keys=2),
        Family("orders", _R, Scope.READ),
        Family("fills", _R, Scope.READ),
        Family("positions", _C, Scope.READ, snapshot_keys=10_000),
        Family("pnl", _C, Scope.READ, snapshot_keys=1_000),
        Family("alerts", _R, None),
        Family("jobs", _R, None),
        Family("system", _C, None, snapshot_keys=1_000),
    )
}

_PARAM_CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "symbol": is_valid_symbol,
    "tf": TIMEFRAMES.__contains__,
}

Authorizer = Callable[[Principal, str], bool]
"""(principal, valid channel name) -> may this principal subscribe to it."""


@lru_cache(maxsize=65_536)
def family_of(channel: str) -> Family | None:
    """The family of a well-formed channel name; None for anything else (unknown family,
    wrong number of parts, an invalid symbol or timeframe). Cached: a dashboard subscribing
    to every symbol's quotes and bars names thousands of channels at once."""
    name, *params = channel.split(":")
    family = FAMILIES.get(name)
    if family is None or len(params) != len(family.params):
        return None
    checks = (_PARAM_CHECKS[kind](value) for kind, value in zip(family.params, params, strict=True))
    return family if all(checks) else None


def default_authorize(principal: Principal, channel: str) -> bool:
    """Every channel needs an authenticated principal; some also need a scope (`FAMILIES`)."""
    family = family_of(channel)
    if family is None:
        return False
    return family.scope is None or principal.allows(family.scope)
