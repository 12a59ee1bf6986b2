"""What the feed quality monitor reports: issue kinds, the events it emits, its per-symbol summary.

Issues are edge-triggered: one `FeedIssue` when a condition starts for a symbol, one
`FeedRecovered` when it clears, so a storm of bad prints makes one alert, not thousands. The
counters in `SymbolQuality.counts` still count every bad event (and every episode of the
time-based kinds, stale and gap). Events are immutable msgspec Structs, published on
``md.quality`` keyed by symbol; an unattributable malformed event carries the symbol "".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import msgspec


class IssueKind(StrEnum):
    """What went wrong; values are the wire names the dashboard matches on."""

    STALE = "stale"  # no update for too long while the market trades
    GAP = "gap"  # no trade for too long in the continuous session (normal for illiquid names)
    OUT_OF_ORDER = "out_of_order"  # a timestamp older than the symbol's last one (same stream)
    CROSSED_BOOK = "crossed_book"  # best bid >= best ask outside call auctions
    LIMIT_BREACH = "limit_breach"  # a trade outside the day's price limits
    PRICE_JUMP = "price_jump"  # a trade moved more than the jump threshold from the last one
    MALFORMED = "malformed"  # not a Tick/BookUpdate, or one with impossible fields


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


SEVERITY: Final[dict[IssueKind, Severity]] = {
    IssueKind.STALE: Severity.WARNING,
    IssueKind.GAP: Severity.INFO,
    IssueKind.OUT_OF_ORDER: Severity.WARNING,
    IssueKind.CROSSED_BOOK: Severity.WARNING,
    IssueKind.LIMIT_BREACH: Severity.ERROR,
    IssueKind.PRICE_JUMP: Severity.WARNING,
    IssueKind.MALFORMED: Severity.ERROR,
}
"""How bad each kind is: a gap is information, bad prices are errors, the rest warnings."""

EPISODE_KINDS: Final = frozenset({IssueKind.STALE, IssueKind.GAP})
"""Kinds found by the periodic check: counted once per episode, not once per check."""


class FeedIssue(msgspec.Struct, frozen=True, kw_only=True):
    """A quality condition started for `symbol`.

    `ts_ns`: when the monitor noticed (its clock, ns UTC); `value`: the measure behind it, in the
    unit of its kind — seconds (stale, gap), percent (price jump), KRW (limit breach: the price),
    0 for the others.
    """

    symbol: str
    kind: IssueKind
    ts_ns: int
    detail: str
    severity: Severity
    value: float = 0.0


class FeedRecovered(msgspec.Struct, frozen=True, kw_only=True):
    """The condition `kind` cleared for `symbol` after `duration_s` seconds (for a gap: its
    length, from the last trade to the next one)."""

    symbol: str
    kind: IssueKind
    ts_ns: int
    duration_s: float
    detail: str = ""


FeedEvent = FeedIssue | FeedRecovered


class SymbolQuality(msgspec.Struct, frozen=True, kw_only=True):
    """One row of `FeedQualityMonitor.snapshot()`, for the dashboard.

    Times are ns UTC; `last_update_ns` is when the monitor last *received* anything for the
    symbol (its clock), the `*_ts_ns` fields are exchange timestamps. `staleness_s` is the time
    since the last update, whatever the phase; `active` lists the conditions now in force.
    """

    symbol: str
    group: str | None
    last_update_ns: int | None
    last_tick_ts_ns: int | None
    last_book_ts_ns: int | None
    last_price: int | None
    staleness_s: float | None
    halted: bool
    active: tuple[IssueKind, ...]
    counts: dict[str, int]
