"""Bar aggregation by the session-aware convention of jts.marketdata.bar_grid, in both forms."""

from __future__ import annotations

import datetime as dt

import pytest

from jts.core.errors import InvalidInput
from jts.core.models import Bar, Tick
from jts.marketdata.aggregate import BarAggregator, Halt, aggregate_ticks
from jts.marketdata.frames import TickFrame
from tests.marketdata.bar_cases import CSAT, HYNIX, SAMSUNG, at, both, starts, tick

ORDINARY_NEXT = dt.date(2026, 3, 11)


def test_opening_and_closing_prints_are_bars_of_their_own_at_their_session_starts() -> None:
    rows = both(
        [
            tick("09:00:05", 70_000, 500, auction=True),
            tick("09:00:06", 70_100, 3),
            tick("15:19:30", 70_500, 2),
            tick("15:30:12", 70_400, 900, auction=True),
        ],
        60,
    )
    assert starts(rows) == ["08:30:00", "09:00:00", "15:19:00", "15:20:00"]
    assert [r[6] for r in rows] == [500, 3, 2, 900]


def test_uncross_reported_in_pieces_shares_one_auction_bar() -> None:
    rows = both(
        [
            tick("09:00:05", 70_000, 500, auction=True),
            tick("09:00:05", 70_000, 200, auction=True),
            tick("09:00:07", 70_100, 1),
        ],
        60,
    )
    assert starts(rows) == ["08:30:00", "09:00:00"]
    assert rows[0][6:] == (700, 700 * 70_000)


def test_resumption_print_is_stamped_at_the_halt_start_and_trading_restarts_off_grid() -> None:
    halt = Halt(symbol=SAMSUNG, start_ns=at("10:01:17"), end_ns=at("10:03:17.500"))
    rows = both(
        [
            tick("10:01:10", 50_000),
            tick("10:03:17.500", 55_000, 40, auction=True),
            tick("10:03:18", 55_100),
            tick("10:04:01", 55_200),
        ],
        60,
        [halt],
    )
    assert starts(rows) == ["10:01:00", "10:01:17", "10:03:17", "10:04:00"]
    assert (rows[1][2], rows[2][2]) == (55_000, 55_100)


def test_unreported_halt_print_is_stamped_at_its_own_time_and_cuts_the_bar() -> None:
    rows = both(
        [
            tick("10:03:05", 50_000),
            tick("10:03:17", 55_000, 40, auction=True),
            tick("10:03:18", 55_100),
        ],
        60,
    )
    assert [r[1] for r in rows] == [at("10:03"), at("10:03:17"), at("10:03:17")]
    assert rows[1][2] == 55_000  # the auction bar sorts before the trade bar of equal start


def test_no_bar_spans_the_start_of_the_closing_auction() -> None:
    # 7-min cells from 09:00: [15:18, 15:25) is cut at 15:20 by the closing call session
    rows = both([tick("15:19:00", 100), tick("15:21:00", 101)], 420)
    assert starts(rows) == ["15:18:00", "15:20:00"]


def test_no_bar_spans_a_halt() -> None:
    halt = Halt(symbol=SAMSUNG, start_ns=at("10:02"), end_ns=at("10:04:30"))
    rows = both([tick("10:01", 100), tick("10:04:40", 101), tick("10:06", 102)], 300, [halt])
    assert starts(rows) == ["10:00:00", "10:04:30", "10:05:00"]


def test_late_open_day_anchors_the_grid_at_ten() -> None:
    ticks = [
        tick("10:00:10", 100, auction=True, day=CSAT),
        tick("10:06:59", 101, day=CSAT),
        tick("10:07:00", 102, day=CSAT),
        tick("16:30:05", 103, auction=True, day=CSAT),
    ]
    rows = both(ticks, 420)
    assert starts(rows, CSAT) == ["09:30:00", "10:00:00", "10:07:00", "16:20:00"]


def test_ordinary_day_grid_is_anchored_at_nine() -> None:
    assert starts(both([tick("10:07:00", 100)], 420)) == ["10:03:00"]


@pytest.mark.parametrize(
    ("interval_s", "hms", "expected"),
    [
        (1, "09:00:00.999", "09:00:00"),
        (60, "11:59:59", "11:59:00"),
        (300, "09:04:59", "09:00:00"),
        (300, "09:05:00", "09:05:00"),
        (600, "14:13:00", "14:10:00"),
        (3_600, "13:59:00", "13:00:00"),
    ],
)
def test_n_minute_grid(interval_s: int, hms: str, expected: str) -> None:
    assert starts(both([tick(hms, 100)], interval_s)) == [expected]


def test_trades_outside_the_regular_session_stay_inside_their_own_session() -> None:
    ticks = [
        tick("08:31", 100),  # pre-open closing-price trading
        tick("08:45", 100),  # 08:40-09:00: only the opening auction takes orders
        tick("15:45", 101),  # post-close closing-price trading
        tick("16:05", 102),  # after-hours single price
        tick("17:59", 103),
    ]
    assert starts(both(ticks, 3_600)) == [
        "08:30:00",
        "08:40:00",
        "15:40:00",
        "16:00:00",
        "17:00:00",
    ]


def test_after_hours_round_prints_flagged_as_auctions_are_bars_at_their_own_time() -> None:
    rows = both([tick("16:10:00.002", 100, 5, auction=True), tick("16:20:00", 101, 3)], 600)
    assert [r[1] for r in rows] == [at("16:10:00.002"), at("16:20")]


def test_daily_bar_includes_auctions_and_every_session_of_the_day() -> None:
    ticks = [
        tick("08:31", 100, 1),
        tick("09:00:03", 101, 10, auction=True),
        tick("11:00", 120, 2),
        tick("15:30:05", 99, 30, auction=True),
        tick("16:10", 98, 4),
        tick("09:30", 90, 1, day=CSAT),
    ]
    rows = both(ticks, 86_400)
    assert [r[1] for r in rows] == [at("00:00"), at("00:00", CSAT)]
    assert rows[0][2:] == (100, 120, 98, 98, 47, 100 + 1_010 + 240 + 2_970 + 392)


def test_empty_intervals_produce_no_bar() -> None:
    rows = both([tick("09:00:10", 100), tick("09:05:10", 101)], 60)
    assert starts(rows) == ["09:00:00", "09:05:00"]


def test_interleaved_symbols_get_their_own_bars() -> None:
    ticks = [
        tick("09:00:01", 100, symbol=SAMSUNG),
        tick("09:00:02", 200, symbol=HYNIX),
        tick("09:00:30", 101, symbol=SAMSUNG),
        tick("09:01:02", 201, symbol=HYNIX),
        tick("09:01:30", 102, symbol=SAMSUNG),
    ]
    rows = both(ticks, 60)
    assert [(r[0], r[2], r[5]) for r in rows] == [
        (HYNIX, 200, 200),
        (HYNIX, 201, 201),
        (SAMSUNG, 100, 101),
        (SAMSUNG, 102, 102),
    ]


def test_live_bar_is_emitted_when_its_symbol_trades_past_its_end() -> None:
    seen: list[Bar] = []
    aggregator = BarAggregator(60, on_bar=seen.append)
    aggregator.on_tick(tick("09:00:10", 100))
    aggregator.on_tick(tick("09:00:20", 100, symbol=HYNIX))
    aggregator.on_tick(tick("09:00:59.999999", 101))
    assert seen == []
    aggregator.on_tick(tick("09:01:00", 102))
    assert [(b.symbol, b.close) for b in seen] == [(SAMSUNG, 101)]


def test_flush_emits_only_bars_that_have_ended() -> None:
    aggregator = BarAggregator(60)
    aggregator.on_tick(tick("09:00:10", 100))
    aggregator.on_tick(tick("09:00:05", 200, auction=True, symbol=HYNIX))  # window to 09:00:40
    assert aggregator.flush(at("09:00:40") - 1) == 0
    assert aggregator.flush(at("09:00:40")) == 1
    assert aggregator.flush(at("09:01")) == 1
    assert [b.symbol for b in aggregator.drain()] == [HYNIX, SAMSUNG]


def test_out_of_order_tick_is_rejected_and_counted() -> None:
    aggregator = BarAggregator(60)
    assert aggregator.on_tick(tick("09:00:10", 100))
    assert aggregator.on_tick(tick("09:00:10", 101))  # equal timestamps are in order
    assert not aggregator.on_tick(tick("09:00:09", 99))
    assert aggregator.on_tick(tick("09:00:09", 99, symbol=HYNIX))  # order is per symbol
    aggregator.close_day()
    bars = aggregator.drain()
    assert [(b.symbol, b.low, b.volume) for b in bars] == [(SAMSUNG, 100, 2), (HYNIX, 99, 1)]
    assert aggregator.stats().out_of_order == 1
    assert aggregator.stats().accepted == 3


def test_tick_older_than_a_flushed_bar_is_rejected_as_late() -> None:
    aggregator = BarAggregator(60)
    aggregator.on_tick(tick("09:00:10", 100))
    aggregator.on_tick(tick("09:00:20", 100, symbol=HYNIX))
    aggregator.flush(at("09:01:02"))
    assert not aggregator.on_tick(tick("09:00:59", 101))
    assert aggregator.on_tick(tick("09:01:01", 102))
    stats = aggregator.stats()
    assert (stats.late, stats.out_of_order, stats.bars) == (1, 0, 2)


def test_non_positive_price_or_qty_is_skipped_by_both_forms() -> None:
    bad = [Tick(symbol=SAMSUNG, ts_ns=at("09:00:01"), price=0, qty=1), tick("09:00:02", 100, 0)]
    aggregator = BarAggregator(60)
    assert not any(aggregator.on_tick(t) for t in bad)
    assert aggregator.stats().invalid == 2
    assert both([*bad, tick("09:00:03", 100)], 60)[0][6] == 1


def test_halt_calls_out_of_turn_are_ignored() -> None:
    aggregator = BarAggregator(60)
    assert not aggregator.on_resume(SAMSUNG, at("10:00"))
    assert aggregator.on_halt(SAMSUNG, at("10:00"))
    assert not aggregator.on_halt(SAMSUNG, at("10:01"))
    assert aggregator.on_resume(SAMSUNG, at("10:02"))


def test_unresumed_halt_bar_is_emitted_at_close_day() -> None:
    aggregator = BarAggregator(60)
    aggregator.on_halt(SAMSUNG, at("14:00"))
    aggregator.on_tick(tick("14:02", 100, auction=True))
    assert aggregator.flush(at("23:00")) == 0
    assert aggregator.close_day() == 1
    assert [b.ts_ns for b in aggregator.drain()] == [at("14:00")]


def test_halts_do_not_carry_over_midnight() -> None:
    halt = Halt(symbol=SAMSUNG, start_ns=at("14:00"))
    next_day = tick("09:00:02", 100, auction=True, day=ORDINARY_NEXT)
    assert starts(both([next_day], 60, [halt]), ORDINARY_NEXT) == ["08:30:00"]


def test_empty_frame_gives_an_empty_bar_frame() -> None:
    frame = aggregate_ticks(TickFrame.from_ticks([]), 300)
    assert (len(frame), frame.interval_s) == (0, 300)


@pytest.mark.parametrize("interval_s", [0, -60, 86_401, 1.5])
def test_interval_must_be_a_whole_number_of_seconds_up_to_a_day(interval_s: int) -> None:
    with pytest.raises(InvalidInput):
        BarAggregator(interval_s)
    with pytest.raises(InvalidInput):
        aggregate_ticks(TickFrame.from_ticks([]), interval_s)
