"""FeedQualityMonitor: each issue kind detected and recovered, thresholds, bus, snapshot."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from jts.bus import InProcBus
from jts.core.clock import SimulatedClock
from jts.core.errors import ConfigError
from jts.core.models import BookLevel, BookUpdate, Tick
from jts.krx import Phase
from jts.marketdata.bars_bus import HaltStatus
from jts.marketdata.quality import (
    FeedEvent,
    FeedIssue,
    FeedQualityMonitor,
    FeedRecovered,
    IssueKind,
    QualityConfig,
    QualityThresholds,
    Severity,
)
from tests.marketdata.bar_cases import HYNIX, ORDINARY, SAMSUNG, at, tick

HOLIDAY = dt.date(2026, 3, 2)  # substitute holiday for Mar 1
NEXT_DAY = dt.date(2026, 3, 11)


class Harness:
    """A monitor on a simulated clock that records what it emits."""

    def __init__(
        self, config: QualityConfig | None = None, start: str = "10:00", day: dt.date = ORDINARY
    ) -> None:
        self.clock = SimulatedClock(at(start, day))
        self.events: list[FeedEvent] = []
        self.monitor = FeedQualityMonitor(config, clock=self.clock, on_event=self.events.append)

    def at(self, hms: str, day: dt.date = ORDINARY) -> None:
        self.clock.set(at(hms, day))

    def check(self, hms: str, day: dt.date = ORDINARY) -> list[FeedEvent]:
        self.at(hms, day)
        return self.take(lambda: self.monitor.check())

    def trade(self, hms: str, price: int = 10_000, symbol: str = SAMSUNG) -> list[FeedEvent]:
        self.at(hms)
        return self.take(lambda: self.monitor.on_tick(tick(hms, price, symbol=symbol)))

    def take(self, action: object) -> list[FeedEvent]:
        assert callable(action)
        before = len(self.events)
        action()
        return self.events[before:]


def kinds(events: list[FeedEvent]) -> list[tuple[str, IssueKind]]:
    return [(type(e).__name__, e.kind) for e in events]


def book(hms: str, bid: int, ask: int, *, symbol: str = SAMSUNG) -> BookUpdate:
    return BookUpdate(
        symbol=symbol,
        ts_ns=at(hms),
        bids=(BookLevel(bid, 10), BookLevel(bid - 10, 5)),
        asks=(BookLevel(ask, 10), BookLevel(0, 0)),
    )


# -- staleness ---------------------------------------------------------------------------


def test_silent_symbol_goes_stale_and_recovers_at_its_next_update() -> None:
    h = Harness()
    h.trade("10:00:00")
    assert h.check("10:00:29") == []
    [issue] = h.check("10:00:31")
    assert isinstance(issue, FeedIssue)
    assert (issue.kind, issue.severity, issue.value) == (IssueKind.STALE, Severity.WARNING, 31.0)
    assert h.check("10:00:40") == []  # still stale: one issue per episode
    [recovered] = h.trade("10:00:45")
    assert isinstance(recovered, FeedRecovered)
    assert (recovered.kind, recovered.duration_s) == (IssueKind.STALE, 45.0)


@pytest.mark.parametrize(
    ("hms", "day"),
    [
        ("20:00", ORDINARY),  # after the last session
        ("08:45", ORDINARY),  # opening auction: not a watched phase by default
        ("15:25", ORDINARY),  # closing auction
        ("11:00", HOLIDAY),
        ("11:00", dt.date(2026, 3, 14)),  # a Saturday
        ("11:00", dt.date(1999, 3, 10)),  # a date the KRX tables do not model
    ],
)
def test_no_staleness_outside_trading_phases(hms: str, day: dt.date) -> None:
    h = Harness(start="00:00", day=day)
    h.monitor.watch([SAMSUNG])
    assert h.check(hms, day) == []


def test_staleness_is_measured_from_the_session_start() -> None:
    h = Harness(start="15:00")
    h.trade("15:00")
    assert h.check("09:00:29", NEXT_DAY) == []
    assert kinds(h.check("09:00:31", NEXT_DAY)) == [("FeedIssue", IssueKind.STALE)]


def test_staleness_clears_when_the_trading_phase_ends() -> None:
    h = Harness()
    h.monitor.watch([SAMSUNG])
    assert kinds(h.check("15:00")) == [("FeedIssue", IssueKind.STALE), ("FeedIssue", IssueKind.GAP)]
    recovered = h.check("15:21")
    assert kinds(recovered) == [
        ("FeedRecovered", IssueKind.STALE),
        ("FeedRecovered", IssueKind.GAP),
    ]
    assert [e.detail for e in recovered] == ["not trading", "continuous session over"]


def test_watched_phases_are_configurable() -> None:
    h = Harness(QualityConfig(trading_phases=frozenset({Phase.OPENING_AUCTION})), start="08:40")
    h.monitor.watch([SAMSUNG])
    assert kinds(h.check("08:41")) == [("FeedIssue", IssueKind.STALE)]


def test_group_thresholds_apply_to_their_symbols() -> None:
    slow = QualityThresholds(stale_after_s=300, gap_after_s=900)
    h = Harness(QualityConfig(groups={"illiquid": slow}))
    h.monitor.watch([SAMSUNG])
    h.monitor.watch([HYNIX], group="illiquid")
    h.trade("10:00", symbol=SAMSUNG)
    h.trade("10:00", symbol=HYNIX)
    assert [(e.symbol, e.kind) for e in h.check("10:01")] == [
        (SAMSUNG, IssueKind.STALE),
        (SAMSUNG, IssueKind.GAP),
    ]
    assert h.monitor.snapshot()[HYNIX].group == "illiquid"


def test_unknown_group_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Harness().monitor.watch([SAMSUNG], group="nope")


def test_config_rejects_unknown_keys() -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"stale_after": 3}, QualityThresholds)


# -- gaps --------------------------------------------------------------------------------


def test_gap_is_reported_as_info_and_recovered_with_its_length() -> None:
    h = Harness(QualityConfig(default=QualityThresholds(stale_after_s=600, gap_after_s=60)))
    h.trade("10:00:00")
    [issue] = h.check("10:01:05")
    assert isinstance(issue, FeedIssue)
    assert (issue.kind, issue.severity, issue.value) == (IssueKind.GAP, Severity.INFO, 65.0)
    [recovered] = h.trade("10:02:30")
    assert isinstance(recovered, FeedRecovered)
    assert (recovered.kind, recovered.duration_s) == (IssueKind.GAP, 150.0)


def test_gap_no_check_saw_is_reported_by_the_next_trade() -> None:
    h = Harness()
    h.trade("10:00")
    events = h.trade("10:05")
    assert kinds(events) == [("FeedIssue", IssueKind.GAP), ("FeedRecovered", IssueKind.GAP)]
    assert events[0].value == 300.0  # type: ignore[union-attr]


def test_quiet_time_outside_the_continuous_session_is_no_gap() -> None:
    h = Harness(start="15:19")
    h.trade("15:19")
    h.at("15:30:05")
    assert h.take(lambda: h.monitor.on_tick(tick("15:30:05", 10_000, auction=True))) == []
    h.clock.set(at("09:00:05", NEXT_DAY))
    day_two = tick("09:00:05", 10_000, day=NEXT_DAY)
    assert h.take(lambda: h.monitor.on_tick(day_two)) == []


# -- halts -------------------------------------------------------------------------------


def test_halt_suspends_staleness_and_gaps_until_resumption() -> None:
    h = Harness()
    h.trade("10:00")
    h.monitor.on_halt(SAMSUNG, at("10:00:10"))
    assert h.check("10:05") == []
    h.monitor.on_resume(SAMSUNG, at("10:05"))
    assert h.check("10:05:20") == []
    assert kinds(h.check("10:05:31")) == [("FeedIssue", IssueKind.STALE)]
    assert h.monitor.snapshot()[SAMSUNG].halted is False


def test_halt_clears_conditions_in_force() -> None:
    h = Harness()
    h.monitor.watch([SAMSUNG])
    h.check("10:02")
    events = h.take(lambda: h.monitor.on_halt(SAMSUNG, at("10:02")))
    assert kinds(events) == [("FeedRecovered", IssueKind.STALE), ("FeedRecovered", IssueKind.GAP)]


# -- event checks ------------------------------------------------------------------------


def test_out_of_order_is_per_stream_edge_triggered_and_counted() -> None:
    h = Harness()
    h.monitor.on_tick(tick("10:00:02", 10_000))
    events = h.take(lambda: h.monitor.on_tick(tick("10:00:01", 10_000)))
    assert kinds(events) == [("FeedIssue", IssueKind.OUT_OF_ORDER)]
    assert h.take(lambda: h.monitor.on_tick(tick("10:00:00", 10_000))) == []
    assert h.take(lambda: h.monitor.on_book(book("10:00:00", 9_990, 10_000))) == [
        FeedRecovered(symbol=SAMSUNG, kind=IssueKind.OUT_OF_ORDER, ts_ns=at("10:00"), duration_s=0)
    ]
    assert h.monitor.snapshot()[SAMSUNG].counts == {"out_of_order": 2}


def test_crossed_and_locked_books_are_detected_and_recovered() -> None:
    h = Harness()
    assert kinds(h.take(lambda: h.monitor.on_book(book("10:00:01", 10_050, 10_000)))) == [
        ("FeedIssue", IssueKind.CROSSED_BOOK)
    ]
    assert h.take(lambda: h.monitor.on_book(book("10:00:02", 10_000, 10_000))) == []
    assert kinds(h.take(lambda: h.monitor.on_book(book("10:00:03", 9_990, 10_000)))) == [
        ("FeedRecovered", IssueKind.CROSSED_BOOK)
    ]
    assert h.monitor.snapshot()[SAMSUNG].counts == {"crossed_book": 2}


def test_overlapping_books_are_normal_in_call_auctions_and_halts() -> None:
    h = Harness()
    assert h.take(lambda: h.monitor.on_book(book("08:50", 10_050, 10_000))) == []
    h.monitor.on_halt(SAMSUNG, at("10:00"))
    assert h.take(lambda: h.monitor.on_book(book("10:01", 10_050, 10_000))) == []


def test_trade_outside_the_daily_limits_is_an_error() -> None:
    h = Harness()
    assert h.monitor.set_base_price(SAMSUNG, 10_000)  # limits 7,000 .. 13,000 KRW
    [issue] = h.take(lambda: h.monitor.on_tick(tick("10:00:01", 13_010)))
    assert isinstance(issue, FeedIssue)
    assert (issue.kind, issue.severity, issue.value) == (
        IssueKind.LIMIT_BREACH,
        Severity.ERROR,
        13_010,
    )
    assert kinds(h.take(lambda: h.monitor.on_tick(tick("10:00:02", 13_000)))) == [
        ("FeedRecovered", IssueKind.LIMIT_BREACH)
    ]


def test_limits_follow_the_listing_kind() -> None:
    h = Harness()
    h.monitor.set_base_price(SAMSUNG, 10_000, leverage=2, etf=True)  # ±60 %
    assert h.take(lambda: h.monitor.on_tick(tick("10:00:01", 15_900))) == []


def test_price_jump_beyond_the_threshold_within_a_day() -> None:
    h = Harness(QualityConfig(default=QualityThresholds(jump_percent=5.0)))
    h.monitor.on_tick(tick("10:00:00", 10_000))
    [issue] = h.take(lambda: h.monitor.on_tick(tick("10:00:01", 10_600)))
    assert isinstance(issue, FeedIssue)
    assert (issue.kind, issue.value) == (IssueKind.PRICE_JUMP, 6.0)
    assert kinds(h.take(lambda: h.monitor.on_tick(tick("10:00:02", 10_650)))) == [
        ("FeedRecovered", IssueKind.PRICE_JUMP)
    ]
    h.clock.set(at("09:00:01", NEXT_DAY))
    assert h.take(lambda: h.monitor.on_tick(tick("09:00:01", 12_000, day=NEXT_DAY))) == []


@pytest.mark.parametrize(
    "event",
    [
        None,
        "garbage",
        Tick(symbol=SAMSUNG, ts_ns=at("10:00"), price=0, qty=1),
        Tick(symbol=SAMSUNG, ts_ns=at("10:00"), price=10_000, qty=-1),
        Tick(symbol=SAMSUNG, ts_ns="soon", price=10_000, qty=1),  # type: ignore[arg-type]
        Tick(symbol="12345", ts_ns=at("10:00"), price=10_000, qty=1),
        BookUpdate(
            symbol=SAMSUNG, ts_ns=at("10:00"), bids=(BookLevel(1, 1), BookLevel(2, 1)), asks=()
        ),
        BookUpdate(symbol=SAMSUNG, ts_ns=at("10:00"), bids=(BookLevel(-1, 1),), asks=()),
        BookUpdate(symbol=SAMSUNG, ts_ns=at("10:00"), bids=("x",), asks=()),  # type: ignore[arg-type]
        BookUpdate(symbol=SAMSUNG, ts_ns=at("10:00"), bids=None, asks=()),  # type: ignore[arg-type]
        HaltStatus(symbol="?", ts_ns=at("10:00"), halted=True),
        HaltStatus(symbol=SAMSUNG, ts_ns=None, halted=False),  # type: ignore[arg-type]
    ],
)
def test_malformed_events_are_counted_never_raised(event: object) -> None:
    h = Harness()
    [issue] = h.take(lambda: h.monitor.on_event(event))
    assert isinstance(issue, FeedIssue)
    assert (issue.kind, issue.severity) == (IssueKind.MALFORMED, Severity.ERROR)
    assert h.monitor.totals()["malformed"] == 1


def test_malformed_clears_at_the_next_good_event() -> None:
    h = Harness()
    h.monitor.on_tick(Tick(symbol=SAMSUNG, ts_ns=at("10:00"), price=0, qty=1))
    h.monitor.on_tick(None)
    events = h.take(lambda: h.monitor.on_tick(tick("10:00:01", 10_000)))
    assert [(e.symbol, e.kind) for e in events] == [
        (SAMSUNG, IssueKind.MALFORMED),
        ("", IssueKind.MALFORMED),
    ]


def test_bad_base_price_is_reported_not_raised() -> None:
    h = Harness()
    assert not h.monitor.set_base_price(SAMSUNG, -5)
    assert kinds(h.events) == [("FeedIssue", IssueKind.MALFORMED)]


def test_failing_callback_is_counted_and_the_monitor_carries_on() -> None:
    def explode(event: FeedEvent) -> None:
        raise RuntimeError("dashboard down")

    monitor = FeedQualityMonitor(clock=SimulatedClock(at("10:00")), on_event=explode)
    monitor.on_tick(None)
    monitor.on_tick(None)
    assert monitor.totals()["malformed"] == 2
    assert monitor.health().details["callback_errors"] == 1


# -- summary, service and bus ------------------------------------------------------------


def test_snapshot_reports_times_staleness_and_counts() -> None:
    h = Harness()
    h.monitor.watch([HYNIX])
    h.trade("10:00:00", 10_000)
    h.monitor.on_book(book("10:00:02", 9_990, 10_000))
    h.at("10:00:05")
    h.monitor.on_tick(tick("09:59:00", 10_000))
    h.at("10:00:12")
    row = h.monitor.snapshot()[SAMSUNG]
    assert row.last_update_ns == at("10:00:05")
    assert (row.last_tick_ts_ns, row.last_book_ts_ns) == (at("10:00"), at("10:00:02"))
    assert (row.last_price, row.staleness_s) == (10_000, 7.0)
    assert row.active == (IssueKind.OUT_OF_ORDER,)
    assert row.counts == {"out_of_order": 1}
    assert h.monitor.snapshot()[HYNIX].last_update_ns is None


async def test_health_details_and_a_dead_feed() -> None:
    h = Harness(QualityConfig(check_interval_s=0))
    await h.monitor.start()
    h.monitor.watch([SAMSUNG, HYNIX])
    h.trade("10:00:20", symbol=SAMSUNG)
    h.check("10:00:31")
    health = h.monitor.health()
    assert health.healthy
    assert health.details["active"] == {"stale": 1}
    assert list(health.details["per_symbol"][HYNIX]["active"]) == ["stale"]
    h.check("10:00:51")
    assert not h.monitor.health().healthy
    await h.monitor.stop()


@pytest.fixture
async def bus() -> AsyncIterator[InProcBus]:
    b = InProcBus(drain_timeout_s=1.0)
    await b.start()
    yield b
    await b.stop()


async def test_bus_in_and_out(bus: InProcBus) -> None:
    clock = SimulatedClock(at("10:00"))
    monitor = FeedQualityMonitor(QualityConfig(check_interval_s=0.001), clock=clock, bus=bus)
    received: list[FeedEvent] = []
    bus.subscribe("md.quality", received.append, key=SAMSUNG)
    await monitor.start()
    bus.publish("md.tick", tick("10:00", 10_000), key=SAMSUNG)
    bus.publish("md.book", book("10:00", 10_050, 10_000), key=SAMSUNG)
    bus.publish("md.halt", HaltStatus(symbol=HYNIX, ts_ns=at("10:00"), halted=True))
    assert kinds(received) == [("FeedIssue", IssueKind.CROSSED_BOOK)]
    assert monitor.snapshot()[HYNIX].halted
    clock.set(at("10:00:31"))
    async with asyncio.timeout(2):
        while len(received) < 2:
            await asyncio.sleep(0.001)
    assert received[1].kind is IssueKind.STALE
    await monitor.stop()
    bus.publish("md.tick", None, key=SAMSUNG)
    assert monitor.totals()["malformed"] == 0


async def test_publishing_on_a_stopped_bus_is_counted() -> None:
    stopped = InProcBus()
    monitor = FeedQualityMonitor(clock=SimulatedClock(at("10:00")), bus=stopped)
    monitor.on_tick(None)
    assert monitor.health().details["publish_errors"] == 1
