"""The engine's semantics on handmade bars (every case run through both executors)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from jts.krx import round_to_tick
from jts.strategy.engine import NotExecutable
from jts.strategy.execute import StreamingExecutor, run_streaming, run_vectorized
from jts.strategy.lang import compile_program

from . import DAY, brief, flat_rows, frame, program, run_both, ts_of

EXAMPLES = Path(__file__).parents[3] / "examples" / "strategies"
A, B, C = "000010", "000020", "000030"


def _sma(values: list[int], n: int, i: int) -> float:
    """The mean of the n values up to i; NaN before (comparisons with it are False)."""
    return sum(values[i - n + 1 : i + 1]) / n if i >= n - 1 else math.nan


def test_sma_cross_orders_exactly_as_the_issue_says() -> None:
    closes = [1000] * 20 + [1100] * 15 + [900] * 15 + [1200] * 10
    prog = compile_program((EXAMPLES / "sma_cross.jts").read_text())
    got = brief(run_both(prog, frame(flat_rows(A, closes))))
    expected = []
    position = 0
    for i in range(1, len(closes)):
        f0, s0 = _sma(closes, 5, i - 1), _sma(closes, 20, i - 1)
        f1, s1 = _sma(closes, 5, i), _sma(closes, 20, i)
        if position == 0 and f1 > s1 and f0 <= s0:
            expected.append((i, A, "buy", 10, None, "rule 0"))
            position = 10
        elif position > 0 and f1 < s1 and f0 >= s0:
            expected.append((i, A, "sell", 10, None, "rule 1"))
            position = 0
    assert got == expected
    assert [g[0] for g in got] == [20, 35, 50]


def test_market_order_fills_at_the_next_open() -> None:
    rows = [(A, 0, 1000, 1000, 1000, 1000), (A, 1, 1010, 1010, 1010, 1010)]
    rows += [(A, 2, 1050, 1060, 1040, 1055), (A, 3, 1070, 1070, 1070, 1070)]
    prog = program(
        "when position == 0 and bar_of_day == 1: buy 10 shares\n"
        "when position == 10 and entry_price == 1050 and bars_since_entry == 0"
        " and unrealized_pnl_pct > 0: sell all"
    )
    assert brief(run_both(prog, frame(rows))) == [
        (1, A, "buy", 10, None, "rule 0"),
        (2, A, "sell", 10, None, "rule 1"),
    ]


@pytest.mark.parametrize(("low", "filled"), [(985, True), (990, True), (995, False)])
def test_limit_buy_fills_only_when_touched(low: int, filled: bool) -> None:
    rows = [(A, 0, 1000, 1000, 1000, 1000), (A, 1, 1000, 1000, low, 1000)]
    rows.append((A, 2, 1000, 1000, 1000, 1000))
    prog = program(
        "when position == 0 and bar_of_day == 0: buy 10 shares at limit 990\n"
        "when position > 0 and entry_price == 990: sell all at limit 1_002"
    )
    got = brief(run_both(prog, frame(rows)))
    buy = (0, A, "buy", 10, 990, "rule 0")
    sell = [(1, A, "sell", 10, 1002, "rule 1"), (2, A, "sell", 10, 1002, "rule 1")]
    assert got == ([buy, *sell] if filled else [buy])


def test_limit_price_is_rounded_onto_the_tick_grid() -> None:
    rows = flat_rows(A, [10_050, 10_050])
    prog = program(
        "when position == 0: buy 10 shares at limit close * 0.99\n"
        "when false: buy 1 shares at limit close * 0.99 round up"
    )
    got = run_both(prog, frame(rows))
    assert got[0].limit_price == round_to_tick(9_949, mode="down", on=DAY) == 9_940
    assert got[0].order_type == "limit"


def _exit_rows(path: list[tuple[int, int, int, int]]) -> list[tuple[str, int, int, int, int, int]]:
    return [(A, i, *bar) for i, bar in enumerate(path)]


@pytest.mark.parametrize(
    ("exit_line", "bar2", "reason"),
    [
        ("stop loss 3%", (1000, 1000, 970, 1000), "stop_loss"),
        ("stop loss 3%", (1000, 1000, 971, 1000), None),
        ("stop loss 30 KRW", (1000, 1000, 970, 1000), "stop_loss"),
        ("take profit 6%", (1000, 1060, 1000, 1000), "take_profit"),
        ("take profit 6%", (1000, 1059, 1000, 1000), None),
        ("take profit 60 KRW", (1000, 1060, 1000, 1000), "take_profit"),
    ],
)
def test_stop_loss_and_take_profit_intrabar(
    exit_line: str, bar2: tuple[int, int, int, int], reason: str | None
) -> None:
    path = [(1000, 1000, 1000, 1000), (1000, 1000, 1000, 1000), bar2]
    prog = program(f"when position == 0 and bar_of_day == 0: buy 5 shares\n{exit_line}")
    got = brief(run_both(prog, frame(_exit_rows(path))))
    expected = [(0, A, "buy", 5, None, "rule 0")]
    if reason:
        expected.append((2, A, "sell", 5, None, reason))
    assert got == expected


def test_trailing_stop_follows_the_peak_and_never_moves_down() -> None:
    path = [
        (1000, 1000, 1000, 1000),
        (1000, 1100, 951, 1090),  # entry bar: level 950 (entry price), peak becomes 1100
        (1090, 1090, 1046, 1050),  # level 1045: no
        (1050, 1050, 1045, 1045),  # 1045: yes
    ]
    prog = program("when position == 0 and bar_of_day == 0: buy 5 shares\ntrailing stop 5%")
    got = brief(run_both(prog, frame(_exit_rows(path))))
    assert got == [(0, A, "buy", 5, None, "rule 0"), (3, A, "sell", 5, None, "trailing_stop")]


def test_exit_skips_the_rules_and_stop_wins_over_take_profit() -> None:
    path = [(1000, 1000, 1000, 1000), (1000, 1000, 1000, 1000), (1000, 1100, 900, 1000)]
    prog = program(
        "when position == 0 and bar_of_day == 0: buy 5 shares\n"
        "when position > 0: sell 1 shares\ntake profit 5%\nstop loss 5%"
    )
    got = brief(run_both(prog, frame(_exit_rows(path))))
    assert got[-1] == (2, A, "sell", 4, None, "stop_loss")
    assert got[1] == (1, A, "sell", 1, None, "rule 1")


def test_flat_at_a_time_and_at_end_of_day() -> None:
    rows = flat_rows(A, [1000] * 4) + flat_rows(A, [1000] * 3, start=373)  # 15:13 .. 15:15
    rows.append((A, 380, 1000, 1000, 1000, 1000))  # 15:20, the day's last bar
    buy = "when position == 0 and bar_of_day == 0: buy 5 shares\n"
    at_time = brief(run_both(program(buy + "flat at 15:15"), frame(rows)))
    assert at_time == [(0, A, "buy", 5, None, "rule 0"), (375, A, "sell", 5, None, "flat")]
    at_end = brief(run_both(program(buy + "flat at end of day"), frame(rows)))
    assert at_end == [(0, A, "buy", 5, None, "rule 0"), (380, A, "sell", 5, None, "flat")]


@pytest.mark.parametrize(
    ("action", "qty"),
    [
        ("buy 7 shares", 7),
        ("buy 1_000_000 KRW", 33),  # 1,000,000 / 30,000
        ("buy 10% of equity", 3),  # 100,000 / 30,000 of 1,000,000 equity
        ("target 50% of equity", 16),
        ("buy 100 shares", 33),  # cash-limited: 1,000,000 / 30,000
        ("buy 1_000_000 KRW at limit 29_000", 34),  # priced at the limit
    ],
)
def test_sizes(action: str, qty: int) -> None:
    rows = flat_rows(A, [30_000, 30_000])
    prog = program(f"when position == 0 and bar_of_day == 0: {action}")
    got = run_both(prog, frame(rows), initial_cash=1_000_000)
    assert [(o.side, o.qty) for o in got] == [("buy", qty)]


def test_target_sells_the_excess_and_sells_never_exceed_the_position() -> None:
    rows = flat_rows(A, [10_000] * 4)
    prog = program(
        "when bar_of_day == 0: buy 50 shares\n"
        "when bar_of_day == 1: target 20% of equity\n"
        "when bar_of_day == 2: sell 100 shares\n"
        "when bar_of_day == 3: sell 5 shares"
    )
    got = run_both(prog, frame(rows), initial_cash=1_000_000)
    # equity 1,000,000: 20% is 20 shares, so sell 30 of 50; then sell the 20 left; flat.
    assert [(o.side, o.qty, o.reason) for o in got] == [
        ("buy", 50, "rule 0"),
        ("sell", 30, "rule 1"),
        ("sell", 20, "rule 2"),
    ]


def test_cash_is_shared_across_symbols_of_a_timestamp() -> None:
    rows = flat_rows(A, [10_000, 10_000]) + flat_rows(B, [10_000, 10_000])
    prog = program("when position == 0 and bar_of_day == 0: buy 60 shares")
    got = run_both(prog, frame(rows), initial_cash=1_000_000)
    assert [(o.symbol, o.qty) for o in got] == [(A, 60), (B, 40)]


def test_first_true_rule_decides_even_when_it_places_nothing() -> None:
    prog = program("when true: sell all\nwhen true: buy 1 shares")
    assert run_both(prog, frame(flat_rows(A, [1000, 1000]))) == []


def test_selection_ranks_holds_and_breaks_ties_by_code() -> None:
    rows = flat_rows(A, [100, 300, 300, 100]) + flat_rows(B, [200, 300, 100, 500])
    rows += flat_rows(C, [300, 100, 200, 900])
    prog = program(
        "select top 2 by close rebalance every 2 bars\n"
        "when rebalancing and rank == 1: buy 1 shares\n"
        "when selected and not rebalancing: buy 2 shares\n",
        timeframe="day",
    )
    got = brief(run_both(prog, frame(rows, daily=True)), daily=True)
    # t0: C 300 > B 200 > A 100; t1 holds (C, B); t2: A 300 > C 200 > B 100; t3 holds (A, C)
    assert [(g[0], g[1], g[3]) for g in got] == [
        (0, C, 1),
        (1, B, 2),
        (1, C, 2),
        (2, A, 1),
        (3, A, 2),
        (3, C, 2),
    ]
    tie = program(
        "select bottom 1 by close rebalance daily\nwhen selected: buy 1 shares", timeframe="day"
    )
    level = frame(flat_rows(C, [100]) + flat_rows(B, [100]) + flat_rows(A, [100]), daily=True)
    assert [o.symbol for o in run_both(tie, level)] == [A]


def test_selection_never_picks_an_undefined_score() -> None:
    rows = flat_rows(A, [100, 100, 100]) + flat_rows(B, [100, 200, 300])
    prog = program(
        "select top 2 by roc(close, 1) rebalance daily\n"
        "when selected: buy 1 shares\nwhen rank >= 0: sell all",
        timeframe="day",
    )
    got = brief(run_both(prog, frame(rows, daily=True)), daily=True)
    # day 0: roc undefined for both: nothing; days 1-2: both ranked (B first)
    assert [(g[0], g[1], g[2]) for g in got] == [
        (1, A, "buy"),
        (1, B, "buy"),
        (2, A, "buy"),
        (2, B, "buy"),
    ]


def test_lookbacks_and_indicators_over_state_series_see_every_bar() -> None:
    # buy on bar 0 (fills bar 1), hold; position[1] is the position after the previous bar
    prog = program(
        "when position == 0 and position[1] == 0: buy 1 shares\n"
        "when position > 0 and position[2] > 0 and sma(bars_since_entry, 2) >= 1.5: sell all"
    )
    got = brief(run_both(prog, frame(flat_rows(A, [1000] * 8))))
    # bar 0: flat, position[1] NaN → no buy; bar 1: position[1] 0 → buy, fills bar 2;
    # bar 2: bars_since_entry 0, position[2] 0; bar 3: bse 1, sma 0.5; bar 4: bse 2, sma 1.5,
    # position[2] (after bar 2) 1 → sell, fills bar 5; bar 5: flat, position[1] 1 → no buy;
    # bar 6: position[1] 0 → buy
    assert got == [
        (1, A, "buy", 1, None, "rule 0"),
        (4, A, "sell", 1, None, "rule 1"),
        (6, A, "buy", 1, None, "rule 0"),
    ]


def test_a_selection_score_over_state_series_is_refused_by_both() -> None:
    prog = program("select top 1 by sma(position, 2) rebalance daily\nwhen selected: buy 1 shares")
    bars = frame(flat_rows(A, [1000]))
    for run in (run_vectorized, run_streaming):
        with pytest.raises(NotExecutable, match="a selection score cannot use"):
            run(prog, bars)


def test_streaming_returns_a_timestamp_when_the_next_one_starts() -> None:
    prog = program("when position == 0: buy 1 shares")
    ex = StreamingExecutor(prog, [A, B])
    assert ex.on_bar(A, 0, 100, 100, 100, 100, 1, 100) == []
    assert ex.on_bar(B, 0, 100, 100, 100, 100, 1, 100) == []
    first = ex.on_bar(A, 60, 100, 100, 100, 100, 1, 100)
    assert [(o.ts_ns, o.symbol) for o in first] == [(0, A), (0, B)]
    assert [o.symbol for o in ex.end_of_timestamp()] == []  # A is pending: not flat yet
    assert ex.flush() == []


def test_a_buy_fill_is_cut_to_the_cash_at_the_fill_price() -> None:
    rows = [(A, 0, 10_000, 10_000, 10_000, 10_000), (A, 1, 20_000, 20_000, 20_000, 20_000)]
    rows.append((A, 2, 20_000, 20_000, 20_000, 20_000))
    prog = program(
        "when position == 0 and bar_of_day == 0: buy 10 shares\nwhen position == 5: sell all"
    )
    got = brief(run_both(prog, frame(rows), initial_cash=100_000))
    assert got == [(0, A, "buy", 10, None, "rule 0"), (1, A, "sell", 5, None, "rule 1")]


def test_a_print_through_the_stop_exits_at_once_and_fills_at_its_price() -> None:
    prog = program("when position == 0 and bar_of_day == 0: buy 10 shares\nstop loss 1%")
    ex = StreamingExecutor(prog, [A])
    minute = 60 * 10**9
    start = ts_of(0)
    assert ex.on_bar(A, start, 1000, 1000, 1000, 1000, 1, 1) == []
    [buy] = ex.on_bar(A, start + minute, 1000, 1000, 1000, 1000, 1, 1)  # decides bar 0
    assert ex.on_tick(A, start + 2 * minute + 5, 991) == []  # decides bar 1: entry fill
    assert ex.engine.symbols[A].position == 10
    [stop] = ex.on_tick(A, start + 2 * minute + 9, 989)  # 1000 × 0.99 = 990 crossed
    assert (stop.ts_ns, stop.side, stop.qty, stop.reason) == (
        start + 2 * minute + 9,
        "sell",
        10,
        "stop_loss",
    )
    assert stop.trigger == 989
    assert ex.on_tick(A, start + 2 * minute + 10, 985) == []  # one pending order at a time
    assert ex.on_bar(A, start + 2 * minute, 1000, 1000, 985, 995, 1, 1) == []
    assert ex.flush() == []
    sym = ex.engine.symbols[A]
    assert sym.position == 0
    assert ex.engine.cash == 100_000_000 - 10 * 1000 + 10 * 989
    assert buy.reason == "rule 0"
