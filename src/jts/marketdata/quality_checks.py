"""Pure checks behind the feed quality monitor: is an event well formed, is a book crossed,
which sessions are running.

Each returns a reason (a short English phrase for the dashboard) or None; none of them raises,
whatever it is given, because a feed can deliver anything and the monitor must keep running.
Construction of the domain Structs does not validate (hot paths), so fields are checked here.
"""

from __future__ import annotations

from collections.abc import Callable

from jts.core.clock import to_kst
from jts.core.codes import is_valid_symbol
from jts.core.errors import InvalidInput
from jts.core.models import BookLevel, BookUpdate, Tick
from jts.krx import Session, active_sessions


def symbol_of(event: object) -> str:
    """The event's symbol if it is a valid KRX code, else "" (unattributable)."""
    symbol = getattr(event, "symbol", None)
    return symbol if isinstance(symbol, str) and is_valid_symbol(symbol) else ""


def guarded(check: Callable[[object], str | None], event: object) -> str | None:
    """`check(event)`, with anything it raises turned into a reason."""
    try:
        return check(event)
    except Exception as exc:
        return f"unreadable event: {type(exc).__name__}: {exc}"


def tick_problem(event: object) -> str | None:
    """Why `event` is not a usable trade print, or None."""
    if not isinstance(event, Tick):
        return f"expected a Tick, got {type(event).__name__}"
    return (
        _common_problem(event)
        or _not_positive("price", event.price)
        or _not_positive("qty", event.qty)
    )


def book_problem(event: object) -> str | None:
    """Why `event` is not a usable book snapshot, or None.

    Levels of price 0 are padding (brokers send all 10 levels, empty ones as zeros); the others
    must be positive and strictly ordered, bids descending and asks ascending.
    """
    if not isinstance(event, BookUpdate):
        return f"expected a BookUpdate, got {type(event).__name__}"
    return (
        _common_problem(event)
        or _levels_problem("bids", event.bids, descending=True)
        or _levels_problem("asks", event.asks, descending=False)
    )


def status_problem(event: object) -> str | None:
    """Why a trading-status event (`HaltStatus`) cannot be used, or None."""
    return _common_problem(event)


def sessions_at(ts_ns: int, venue: str) -> list[Session]:
    """Sessions of `venue` in force at `ts_ns`; none on dates the KRX tables do not model."""
    try:
        return active_sessions(to_kst(ts_ns), venue)
    except InvalidInput:
        return []


def in_call_auction(ts_ns: int, venue: str) -> bool:
    """True while a scheduled call auction runs (its order book overlaps by design)."""
    return any(session.call_auction for session in sessions_at(ts_ns, venue))


def best_prices(book: BookUpdate) -> tuple[int | None, int | None]:
    """(best bid, best ask) in KRW, ignoring padding levels; None for an empty side."""
    bids = [level.price for level in book.bids if level.price > 0]
    asks = [level.price for level in book.asks if level.price > 0]
    return (bids[0] if bids else None), (asks[0] if asks else None)


def crossed(book: BookUpdate) -> str | None:
    """Why `book` is crossed (best bid >= best ask), or None."""
    bid, ask = best_prices(book)
    if bid is not None and ask is not None and bid >= ask:
        return f"best bid {bid} >= best ask {ask} KRW"
    return None


def _common_problem(event: object) -> str | None:
    if not symbol_of(event):
        return f"invalid symbol {getattr(event, 'symbol', None)!r}"
    return _not_positive("ts_ns", getattr(event, "ts_ns", None))


def _not_positive(name: str, value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return None
    return f"{name} must be a positive integer, got {value!r}"


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _levels_problem(side: str, levels: object, *, descending: bool) -> str | None:
    if not isinstance(levels, tuple | list):
        return f"{side} must be a sequence of levels, got {type(levels).__name__}"
    prices: list[int] = []
    for level in levels:
        if not isinstance(level, BookLevel):
            return f"{side} holds a {type(level).__name__}, not a BookLevel"
        if not (_is_count(level.price) and _is_count(level.qty)):
            return f"{side} level {level.price!r}×{level.qty!r} is not two integers >= 0"
        if level.price:
            prices.append(level.price)
    ordered = sorted(set(prices), reverse=descending)
    if prices != ordered:
        return f"{side} prices are not strictly {'descending' if descending else 'ascending'}"
    return None
