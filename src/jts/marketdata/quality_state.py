"""Per-symbol state of the feed quality monitor and its edge-triggered issue bookkeeping.

`IssueLedger` is where a detected condition becomes an event: the first occurrence of a kind
emits a `FeedIssue` and remembers since when it holds, repeats are only counted, and its end
emits a `FeedRecovered` with how long it lasted. The detection rules live in
`jts.marketdata.quality`; this module knows nothing about markets. Times are int ns UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jts.core.clock import NS_PER_SECOND
from jts.marketdata.quality_config import QualityThresholds
from jts.marketdata.quality_events import (
    EPISODE_KINDS,
    SEVERITY,
    FeedEvent,
    FeedIssue,
    FeedRecovered,
    IssueKind,
    SymbolQuality,
)


@dataclass(slots=True)
class FeedState:
    """What the monitor knows about one symbol."""

    symbol: str
    thresholds: QualityThresholds
    known_since: int = 0
    """When the monitor first heard of the symbol (its clock): silence before is not its fault."""
    group: str | None = None
    last_update_ns: int | None = None
    last_tick_ts: int | None = None
    last_book_ts: int | None = None
    last_price: int | None = None
    halted: bool = False
    resumed_at: int = 0
    limits: tuple[int, int] | None = None
    active: dict[IssueKind, int] = field(default_factory=dict)
    """Conditions in force → since when (ns)."""
    counts: dict[IssueKind, int] = field(default_factory=dict)

    def row(self, now_ns: int) -> SymbolQuality:
        last = self.last_update_ns
        return SymbolQuality(
            symbol=self.symbol,
            group=self.group,
            last_update_ns=last,
            last_tick_ts_ns=self.last_tick_ts,
            last_book_ts_ns=self.last_book_ts,
            last_price=self.last_price,
            staleness_s=None if last is None else (now_ns - last) / NS_PER_SECOND,
            halted=self.halted,
            active=tuple(self.active),
            counts={kind.value: n for kind, n in self.counts.items()},
        )


class IssueLedger:
    """The feeds by symbol (plus one for unattributable events) and their issues."""

    def __init__(self, default: QualityThresholds, emit: Callable[[FeedEvent], None]) -> None:
        self.default = default
        self.feeds: dict[str, FeedState] = {}
        self.unattributed = FeedState("", default)
        self._emit = emit

    def feed(self, symbol: str, now_ns: int) -> FeedState:
        """The state of `symbol`, created (known from `now_ns`) on first use."""
        feed = self.feeds.get(symbol)
        if feed is None:
            feed = self.feeds[symbol] = FeedState(symbol, self.default, now_ns)
        return feed

    def raise_(
        self,
        feed: FeedState,
        kind: IssueKind,
        detail: str,
        now_ns: int,
        value: float = 0.0,
        since: int | None = None,
    ) -> None:
        """Count `kind`; on its start, remember since when (default now) and emit a `FeedIssue`."""
        new = kind not in feed.active
        if new or kind not in EPISODE_KINDS:
            feed.counts[kind] = feed.counts.get(kind, 0) + 1
        if new:
            feed.active[kind] = now_ns if since is None else since
            severity = SEVERITY[kind]
            self._emit(FeedIssue(symbol=feed.symbol, kind=kind, ts_ns=now_ns, detail=detail,
                                 severity=severity, value=value))  # fmt: skip

    def recover(
        self, feed: FeedState, kind: IssueKind, now_ns: int, at: int, detail: str = ""
    ) -> None:
        """End `kind` if it is in force: emit a `FeedRecovered` lasting from its start to `at`."""
        since = feed.active.pop(kind, None)
        if since is not None:
            duration_s = max(0, at - since) / NS_PER_SECOND
            self._emit(FeedRecovered(symbol=feed.symbol, kind=kind, ts_ns=now_ns,
                                     duration_s=duration_s, detail=detail))  # fmt: skip

    def snapshot(self, now_ns: int) -> dict[str, SymbolQuality]:
        return {symbol: feed.row(now_ns) for symbol, feed in self.feeds.items()}

    def totals(self) -> dict[str, int]:
        """Counts by issue kind over all symbols, unattributable malformed events included."""
        result = {kind.value: 0 for kind in IssueKind}
        for feed in (*self.feeds.values(), self.unattributed):
            for kind, count in feed.counts.items():
                result[kind.value] += count
        return result
