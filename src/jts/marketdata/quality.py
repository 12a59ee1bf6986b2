"""Live feed quality: stale symbols, trade gaps, out-of-order timestamps, crossed books, bad prices.

`FeedQualityMonitor` watches the normalized ticks and book snapshots (called directly or
subscribed to ``md.tick``/``md.book``/``md.halt``) and reports `FeedIssue`/`FeedRecovered`
events (`jts.marketdata.quality_events`) to a callback and to ``md.quality``, keyed by symbol.

Time-based conditions are evaluated by `check(now_ns)`, called every `check_interval_s` by the
service's own task or by whoever drives a simulation:
- *stale*: nothing received for a symbol for `stale_after_s` while the market is in one of the
  `trading_phases` (default: continuous trading only). The clock starts at the later of the last
  update and the start of the current session, so no symbol is stale at 20:00, on a holiday or
  in the first seconds of the session; staleness clears when the phase ends.
- *gap*: no trade for `gap_after_s` in the continuous session. Normal for illiquid names, so it
  is `info`; the `FeedRecovered` at the next trade carries the gap's length. A gap not caught by
  a check (checks not running) is reported when the next trade shows it.
Both are suspended while a symbol is halted (VI or trading halt, `on_halt`/`on_resume` or
`HaltStatus` on ``md.halt``) and measured from its resumption.

Event conditions are evaluated as events arrive: out-of-order timestamps (per symbol, ticks and
books separately, since they come from separate broker streams), crossed books (best bid >= best
ask, ignored while a call auction runs or the symbol is halted, because auction books overlap),
trades outside the day's price limits (after `set_base_price`), and tick-to-tick moves above
`jump_percent` within one KST day. Anything malformed is counted as `malformed`; nothing raises.

Times: event timestamps are exchange time; "received" times come from the injected `Clock`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from jts.bus.base import Bus
from jts.bus.worker import BusWorker
from jts.core.clock import NS_PER_SECOND, Clock, LiveClock, kst_date
from jts.core.enums import Market
from jts.core.errors import ConfigError, InvalidInput
from jts.core.events import HaltStatus
from jts.core.models import BookUpdate, Tick
from jts.krx import Phase, Session, price_limits
from jts.marketdata.bar_grid import kst_day
from jts.marketdata.quality_checks import (
    book_problem,
    crossed,
    guarded,
    in_call_auction,
    sessions_at,
    status_problem,
    symbol_of,
    tick_problem,
)
from jts.marketdata.quality_config import QualityConfig, QualityThresholds
from jts.marketdata.quality_events import (
    FeedEvent,
    FeedIssue,
    FeedRecovered,
    IssueKind,
    Severity,
    SymbolQuality,
)
from jts.marketdata.quality_state import FeedState, IssueLedger

__all__ = [
    "FeedEvent",
    "FeedIssue",
    "FeedQualityMonitor",
    "FeedRecovered",
    "IssueKind",
    "QualityConfig",
    "QualityThresholds",
    "Severity",
    "SymbolQuality",
]

_K = IssueKind


class FeedQualityMonitor(BusWorker):
    """Per-symbol feed health for the dashboard and alerts; see the module docstring."""

    def __init__(
        self,
        config: QualityConfig | None = None,
        *,
        clock: Clock | None = None,
        bus: Bus | None = None,
        on_event: Callable[[FeedEvent], None] | None = None,
        name: str = "md.quality",
    ) -> None:
        self.config = config or QualityConfig()
        topics = (self.config.tick_topic, self.config.book_topic, self.config.halt_topic)
        super().__init__(name, bus, topics, period_s=self.config.check_interval_s)
        self._clock = clock or LiveClock()
        self._on_event = on_event
        self._ledger = IssueLedger(self.config.default, self._emit)
        self._callback_errors = self._publish_errors = 0

    # -- set-up ---------------------------------------------------------------------------

    def watch(self, symbols: Iterable[str], *, group: str | None = None) -> None:
        """Expect updates for `symbols` (stale even if they never send one), with the thresholds
        of `group` (None: the default ones). Raises ConfigError for an unknown group."""
        thresholds = self._thresholds(group)
        for symbol in symbols:
            feed = self._feed(symbol)
            feed.group, feed.thresholds = group, thresholds

    def set_base_price(
        self,
        symbol: str,
        base_price: int,
        *,
        market: Market | str = Market.KOSPI,
        etf: bool = False,
        leverage: int = 1,
        on: dt.date | None = None,
    ) -> bool:
        """Arm the daily-limit check of `symbol` from its base price (KRW, normally the previous
        close); call it every day. A base price without valid limits is reported as malformed."""
        feed = self._feed(symbol)
        try:
            feed.limits = price_limits(base_price, etf=etf, market=market, leverage=leverage, on=on)
        except (InvalidInput, TypeError) as exc:
            feed.limits = None
            self._ledger.raise_(
                feed, _K.MALFORMED, f"base price {base_price!r}: {exc}", self._now()
            )
            return False
        return True

    # -- input ----------------------------------------------------------------------------

    def on_event(self, event: object) -> None:
        """Bus handler: a `Tick`, a `BookUpdate` or a `HaltStatus`; anything else is malformed."""
        if isinstance(event, BookUpdate):
            self.on_book(event)
        elif not isinstance(event, HaltStatus):
            self.on_tick(event)
        elif (problem := guarded(status_problem, event)) is not None:
            self._malformed(event, problem)
        else:
            (self.on_halt if event.halted else self.on_resume)(event.symbol, event.ts_ns)

    def on_tick(self, tick: object) -> None:
        """One trade print (anything else is counted as malformed)."""
        problem = guarded(tick_problem, tick)
        if problem is not None:
            self._malformed(tick, problem)
            return
        assert isinstance(tick, Tick)
        feed, now = self._arrived(tick.symbol)
        self._check_limits(feed, tick, now)
        if not self._in_order(feed, tick.ts_ns, feed.last_tick_ts, "trade", now):
            return
        self._check_gap_at_trade(feed, tick.ts_ns, now)
        self._check_jump(feed, tick, now)
        feed.last_tick_ts, feed.last_price = tick.ts_ns, tick.price

    def on_book(self, book: object) -> None:
        """One order-book snapshot (anything else is counted as malformed)."""
        problem = guarded(book_problem, book)
        if problem is not None:
            self._malformed(book, problem)
            return
        assert isinstance(book, BookUpdate)
        feed, now = self._arrived(book.symbol)
        if not self._in_order(feed, book.ts_ns, feed.last_book_ts, "book", now):
            return
        feed.last_book_ts = book.ts_ns
        reason = crossed(book)
        if reason and not feed.halted and not in_call_auction(book.ts_ns, self.config.venue):
            self._ledger.raise_(feed, _K.CROSSED_BOOK, reason, now)
        else:
            self._ledger.recover(feed, _K.CROSSED_BOOK, now, now)

    def on_halt(self, symbol: str, ts_ns: int) -> None:
        """`symbol` is halted (VI or trading halt): staleness and gaps are suspended."""
        feed = self._feed(symbol)
        feed.halted = True
        now = self._now()
        for kind in (_K.STALE, _K.GAP, _K.CROSSED_BOOK):
            self._ledger.recover(feed, kind, now, now, "halted")

    def on_resume(self, symbol: str, ts_ns: int) -> None:
        """`symbol` trades again from `ts_ns`: its staleness and gap clocks restart there."""
        feed = self._feed(symbol)
        feed.halted, feed.resumed_at = False, ts_ns

    # -- periodic -------------------------------------------------------------------------

    def check(self, now_ns: int | None = None) -> None:
        """Evaluate staleness and gaps of every known symbol at `now_ns` (default: the clock)."""
        now = self._now() if now_ns is None else now_ns
        active = sessions_at(now, self.config.venue)
        phase = min(active, key=lambda s: s.end) if active else None
        trading = phase is not None and phase.phase in self.config.trading_phases
        continuous = _continuous(active)
        day = kst_date(now)
        for feed in self._ledger.feeds.values():
            if trading and phase is not None and not feed.halted:
                self._check_stale(feed, now, phase.start_ns(day))
            else:
                self._ledger.recover(feed, _K.STALE, now, now, "not trading")
            if continuous is not None and not feed.halted:
                self._check_gap(feed, now, now, continuous.start_ns(day))
            else:
                self._ledger.recover(feed, _K.GAP, now, now, "continuous session over")

    # -- output ---------------------------------------------------------------------------

    def snapshot(self) -> dict[str, SymbolQuality]:
        """Per-symbol state for the dashboard; see `SymbolQuality`."""
        return self._ledger.snapshot(self._now())

    def totals(self) -> dict[str, int]:
        """Counts by issue kind over all symbols (malformed includes unattributable events)."""
        return self._ledger.totals()

    # -- service --------------------------------------------------------------------------

    def _periodic(self) -> None:
        self.check()

    def _is_healthy(self) -> bool:
        """Unhealthy when every known symbol is stale: the feed itself is down."""
        feeds = self._ledger.feeds.values()
        return not feeds or not all(_K.STALE in feed.active for feed in feeds)

    def _health_details(self) -> dict[str, Any]:
        rows = self.snapshot()
        active: dict[str, int] = {}
        for row in rows.values():
            for kind in row.active:
                active[kind.value] = active.get(kind.value, 0) + 1
        return {
            "symbols": len(rows),
            "active": active,
            "totals": self.totals(),
            "callback_errors": self._callback_errors,
            "publish_errors": self._publish_errors,
            "check_errors": self.periodic_errors,
            "per_symbol": msgspec.to_builtins(rows),
        }

    # -- the checks -----------------------------------------------------------------------

    def _check_stale(self, feed: FeedState, now: int, session_start: int) -> None:
        since = max(feed.last_update_ns or 0, feed.known_since, session_start, feed.resumed_at)
        silent_s = (now - since) / NS_PER_SECOND
        if silent_s >= feed.thresholds.stale_after_s:
            self._ledger.raise_(
                feed, _K.STALE, f"no update for {silent_s:.0f} s", now, silent_s, since
            )

    def _check_gap(self, feed: FeedState, until: int, now: int, session_start: int) -> None:
        """Report a gap if no trade came from the last one (or the session start, or the
        resumption) until `until`, for at least the symbol's threshold."""
        since = max(feed.last_tick_ts or feed.known_since, session_start, feed.resumed_at)
        quiet_s = (until - since) / NS_PER_SECOND
        if quiet_s >= feed.thresholds.gap_after_s:
            detail = f"no trade for {quiet_s:.0f} s"
            self._ledger.raise_(feed, _K.GAP, detail, now, quiet_s, since)

    def _check_gap_at_trade(self, feed: FeedState, ts: int, now: int) -> None:
        """A trade ends any gap; one longer than the threshold that no check saw is reported."""
        continuous = _continuous(sessions_at(ts, self.config.venue))
        if continuous is not None and not feed.halted and _K.GAP not in feed.active:
            self._check_gap(feed, ts, now, continuous.start_ns(kst_date(ts)))
        self._ledger.recover(feed, _K.GAP, now, ts, "trade")

    def _check_jump(self, feed: FeedState, tick: Tick, now: int) -> None:
        limit, last, last_ts = feed.thresholds.jump_percent, feed.last_price, feed.last_tick_ts
        if (
            limit is None
            or last is None
            or last_ts is None
            or kst_day(last_ts) != kst_day(tick.ts_ns)
        ):
            return
        move = abs(tick.price - last) * 100 / last
        if move > limit:
            detail = f"{last} → {tick.price} KRW ({move:.1f}% > {limit:g}%)"
            self._ledger.raise_(feed, _K.PRICE_JUMP, detail, now, move)
        else:
            self._ledger.recover(feed, _K.PRICE_JUMP, now, now)

    def _check_limits(self, feed: FeedState, tick: Tick, now: int) -> None:
        if feed.limits is None:
            return
        lower, upper = feed.limits
        if lower <= tick.price <= upper:
            self._ledger.recover(feed, _K.LIMIT_BREACH, now, now)
        else:
            detail = f"{tick.price} KRW outside the daily limits [{lower}, {upper}]"
            self._ledger.raise_(feed, _K.LIMIT_BREACH, detail, now, float(tick.price))

    def _in_order(self, feed: FeedState, ts: int, last: int | None, stream: str, now: int) -> bool:
        if last is not None and ts < last:
            detail = f"{stream} at {ts} ns is {(last - ts) / 1e6:.3f} ms older than the last one"
            self._ledger.raise_(feed, _K.OUT_OF_ORDER, detail, now)
            return False
        self._ledger.recover(feed, _K.OUT_OF_ORDER, now, now)
        return True

    # -- bookkeeping ----------------------------------------------------------------------

    def _emit(self, event: FeedEvent) -> None:
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                self._callback_errors += 1
        if self._bus is not None:
            try:
                self._bus.publish(self.config.topic, event, key=event.symbol)
            except Exception:  # bus closed or backpressure: quality events are best effort
                self._publish_errors += 1

    def _malformed(self, event: object, problem: str) -> None:
        symbol = symbol_of(event)
        feed = self._feed(symbol) if symbol else self._ledger.unattributed
        self._ledger.raise_(feed, _K.MALFORMED, problem, self._now())

    def _arrived(self, symbol: str) -> tuple[FeedState, int]:
        """A well-formed event for `symbol` arrived now: it is neither stale nor malformed."""
        feed, now = self._feed(symbol), self._now()
        feed.last_update_ns = now
        self._ledger.recover(feed, _K.STALE, now, now, "update")
        self._ledger.recover(feed, _K.MALFORMED, now, now)
        self._ledger.recover(self._ledger.unattributed, _K.MALFORMED, now, now)
        return feed, now

    def _feed(self, symbol: str) -> FeedState:
        return self._ledger.feed(symbol, self._now())

    def _thresholds(self, group: str | None) -> QualityThresholds:
        if group is None:
            return self.config.default
        if group not in self.config.groups:
            raise ConfigError("quality.groups", f"no thresholds for group {group!r}")
        return self.config.groups[group]

    def _now(self) -> int:
        return self._clock.now_ns()


def _continuous(active: list[Session]) -> Session | None:
    return next((s for s in active if s.phase is Phase.CONTINUOUS), None)
