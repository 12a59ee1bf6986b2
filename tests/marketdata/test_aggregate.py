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


def test_unreported_halt_print_is_stamped_at_its_own_time_and_cuts_the_bar_1_ns_after() -> None:
    rows = both(
        [
            tick("10:03:05", 50_000),
            tick("10:03:17", 50_100),  # at the print's instant: still before it
            tick("10:03:17", 55_000, 40, auction=True),
            tick("10:03:17", 50_200),
            tick("10:03:18", 55_100),
        ],
        60,
    )
    assert [r[1] for r in rows] == [at("10:03"), at("10:03:17"), at("10:03:17") + 1]
    assert [r[2:6] for r in rows] == [
        (50_000, 50_200, 50_000, 50_200),
        (55_000, 55_000, 55_000, 55_000),
        (55_100, 55_100, 55_100, 55_100),
    ]


def test_trades_at_an_unattributed_print_on_a_cell_start_join_the_print() -> None:
    # the trades at 10:04:00 would open the 10:04 bar, where the print's bar starts
    rows = both(
        [
            tick("10:04:00", 50_000, 2),
            tick("10:04:00", 55_000, 40, auction=True),
            tick("10:04:00", 55_100, 3),
            tick("10:04:30", 55_200, 4),
        ],
        60,
    )
    assert [r[1] for r in rows] == [at("10:04"), at("10:04") + 1]
    assert rows[0][2:7] == (50_000, 55_100, 50_000, 55_100, 45)
    assert rows[1][6] == 4


def test_prints_one_ns_apart_and_a_trade_between_keep_their_own_bars() -> None:
    p = at("10:04")
    ticks = [
        Tick(symbol=SAMSUNG, ts_ns=p, price=100, qty=1, auction=True),
        Tick(symbol=SAMSUNG, ts_ns=p + 1, price=101, qty=1),
        Tick(symbol=SAMSUNG, ts_ns=p + 1, price=102, qty=1, auction=True),
        Tick(symbol=SAMSUNG, ts_ns=p + 2, price=103, qty=1),
    ]
    rows = both(ticks, 1)
    # the trade at p + 1 would start the segment after the first print, at the second print
    assert [(r[1] - p, r[2], r[5]) for r in rows] == [(0, 100, 100), (1, 101, 102), (2, 103, 103)]


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
        tick("15:35", 100),  # the gap between the closing auction and closing-price trading
        tick("16:05", 102),  # after-hours single price, not flagged as a print
        tick("17:59", 103),
    ]
    assert starts(both(ticks, 3_600)) == ["15:30:00", "16:00:00", "17:00:00"]


def test_closing_price_trades_are_in_no_intraday_bar_but_in_the_daily_one() -> None:
    ticks = [
        tick("08:30", 69_000, 7),  # pre-open: at the previous close, with the opening print's stamp
        tick("08:39:59.999", 69_000, 5),
        tick("09:00:05", 70_000, 500, auction=True),
        tick("09:00:06", 70_100, 3),
        tick("15:30:12", 70_400, 900, auction=True),
        tick("15:40", 70_400, 11),  # post-close: at today's close
        tick("15:59:59", 70_400, 13),
    ]
    for interval_s in (1, 60, 600, 3_600):
        rows = both(ticks, interval_s)
        assert [r[6] for r in rows] == [500, 3, 900]
        assert (rows[0][1], rows[2][1]) == (at("08:30"), at("15:20"))
    daily = both(ticks, 86_400)
    value = sum(t.price * t.qty for t in ticks)
    assert daily[0][2:] == (69_000, 70_400, 69_000, 70_400, 1_439, value)


def test_trades_inside_a_call_session_join_its_auction_bar() -> None:
    rows = both(
        [
            tick("08:45", 69_500, 2),  # the opening call from 08:40 on: no trading, so a print
            tick("09:00:05", 70_000, 500, auction=True),
            tick("15:19:59", 70_300),
            tick("15:20", 70_200, 4),  # at the closing call's start
            tick("15:29", 70_250, 6),
            tick("15:30:12", 70_400, 900, auction=True),
            tick("15:30:20", 70_500, 8),  # after the scheduled end: a trade of the gap
        ],
        60,
    )
    assert starts(rows) == ["08:30:00", "15:19:00", "15:20:00", "15:30:00"]
    assert [r[2:7] for r in rows] == [
        (69_500, 70_000, 69_500, 70_000, 502),
        (70_300, 70_300, 70_300, 70_300, 1),
        (70_200, 70_400, 70_200, 70_400, 910),
        (70_500, 70_500, 70_500, 70_500, 8),
    ]


def test_trades_during_a_halt_join_its_resumption_bar() -> None:
    halt = Halt(symbol=SAMSUNG, start_ns=at("10:01:17"), end_ns=at("10:03:17.500"))
    rows = both(
        [
            tick("10:01:17", 50_000, 2),  # at the halt start
            tick("10:02", 50_100, 3),
            tick("10:03:17.500", 55_000, 40, auction=True),
            tick("10:03:17.500", 55_100),  # at the resumption: trading again
        ],
        60,
        [halt],
    )
    assert [r[1] for r in rows] == [at("10:01:17"), at("10:03:17.500")]
    assert [r[6] for r in rows] == [45, 1]


def test_a_halt_resumed_at_its_start_lasts_1_ns() -> None:
    halt = Halt(symbol=SAMSUNG, start_ns=at("10:00"), end_ns=at("10:00"))
    rows = both(
        [
            tick("10:00", 50_000, 2),
            tick("10:00", 55_000, 40, auction=True),
            tick("10:00:30", 55_100),
        ],
        60,
        [halt],
    )
    assert [(r[1], r[6]) for r in rows] == [(at("10:00"), 42), (at("10:00") + 1, 1)]


def test_halt_from_the_closing_call_start_shares_the_closing_auction_bar() -> None:
    # the resumption bar is the call's bar too: it must stay open until the call's prints are in
    halt = Halt(symbol=SAMSUNG, start_ns=at("15:20"), end_ns=at("15:22"))
    ticks = [
        tick("15:21", 70_000, 1, auction=True),
        tick("15:25", 70_100, 2),
        tick("15:30:05", 70_200, 3, auction=True),
    ]
    rows = both(ticks, 60, [halt])
    assert [(r[1], r[6]) for r in rows] == [(at("15:20"), 6)]


def test_after_hours_round_prints_flagged_as_auctions_are_bars_at_their_own_time() -> None:
    rows = both([tick("16:10:00.002", 100, 5, auction=True), tick("16:20:00", 101, 3)], 600)
    assert [r[1] for r in rows] == [at("16:10:00.002"), at("16:20")]


def test_daily_bar_includes_auctions_and_every_session_of_the_day() -> None:
    ticks = [
        tick("08:31", 125, 1),  # pre-open closing price (the previous close): the day's open, high
        tick("09:00:03", 101, 10, auction=True),
        tick("11:00", 120, 2),
        tick("15:30:05", 99, 30, auction=True),
        tick("15:45", 99, 5),  # post-close closing price
        tick("16:10", 98, 4),
        tick("09:30", 90, 1, day=CSAT),
    ]
    rows = both(ticks, 86_400)
    assert [r[1] for r in rows] == [at("00:00"), at("00:00", CSAT)]
    assert rows[0][2:] == (125, 125, 98, 98, 52, 125 + 1_010 + 240 + 2_970 + 495 + 392)


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
