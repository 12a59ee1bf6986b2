"""`evaluate_vector`: each series and operator on a small handmade frame, and the split."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

from jts.core.clock import kst_ns
from jts.marketdata.frames import BarFrame
from jts.strategy.evaluate import evaluate_vector, is_market_only, split_program
from jts.strategy.lang import compile_program

from . import compile_lets

NAN = math.nan
D1, D2 = dt.date(2024, 12, 27), dt.date(2024, 12, 30)  # Friday; Monday, the year's last day
# (symbol, day, time, close); open = close - 10, high = close + 20, low = close - 20
ROWS = [
    ("000001", D1, "09:00", 100),
    ("000001", D1, "09:01", 110),
    ("000001", D1, "15:20", 105),
    ("000001", D2, "09:00", 120),
    ("000001", D2, "09:05", 90),
    ("000002", D1, "09:03", 1000),
    ("000002", D2, "09:00", 1000),
    ("000002", D2, "15:19", 1010),
]


def frame(rows: list[tuple[str, dt.date, str, int]] = ROWS) -> BarFrame:
    close = np.array([r[3] for r in rows], dtype=np.int64)
    ts = [kst_ns(day, dt.time.fromisoformat(at)) for _, day, at, _ in rows]
    return BarFrame(
        {
            "symbol": np.array([r[0] for r in rows], dtype="<U6"),
            "ts": np.array(ts, dtype=np.int64),
            "open": close - 10,
            "high": close + 20,
            "low": close - 20,
            "close": close,
            "volume": np.arange(1, len(rows) + 1, dtype=np.int64) * 10,
            "value": close * 10,
        }
    )


def values(*lets: str) -> list[Any]:
    out = evaluate_vector(compile_lets(list(lets)), frame())
    return [out[f"e{i}"].tolist() for i in range(len(lets))]


def test_bar_fields() -> None:
    o, c, h, lo, v, val = values("open", "close", "high", "low", "volume", "value")
    assert c == [100, 110, 105, 120, 90, 1000, 1000, 1010]
    assert o == [x - 10 for x in c]
    assert h == [x + 20 for x in c]
    assert lo == [x - 20 for x in c]
    assert v == [10, 20, 30, 40, 50, 60, 70, 80]
    assert val == [x * 10 for x in c]


def test_calendar_series() -> None:
    t, first, n, last, dow, dte = values(
        "time",
        "first_bar_of_day",
        "bar_of_day",
        "last_bar_of_day",
        "day_of_week",
        "days_to_year_end",
    )
    assert t == [540, 541, 920, 540, 545, 543, 540, 919]
    assert first == [True, False, False, True, False, True, True, False]
    assert n == [0, 1, 2, 0, 1, 0, 0, 1]
    assert last == [False, False, True, False, False, False, False, False]
    assert dow == [5, 5, 5, 1, 1, 5, 1, 1]
    assert dte == [1, 1, 1, 0, 0, 1, 0, 0]  # Dec 31 2024 is closed: the 30th is the last day


def test_daily_bars_are_first_and_last() -> None:
    program = compile_program(
        'strategy "d"\nuniverse all\ntimeframe day\nlet a = last_bar_of_day'
        "\nlet b = bar_of_day\nwhen a: buy 1 shares at market\n"
    )
    out = evaluate_vector(program, frame())
    assert out["a"].all()  # from the timeframe: a daily bar is the day's last
    assert out["b"].tolist() == [0, 1, 2, 0, 1, 0, 0, 1]  # counts bars of one KST date


def test_arithmetic_and_division_by_zero() -> None:
    add, sub, mul, div, zero, neg = values(
        "close + 1", "close - open", "close * 2", "close / 4", "close / (close - close)", "-close"
    )
    assert add[0] == 101
    assert sub[0] == 10
    assert mul[0] == 200
    assert div[0] == 25
    assert all(math.isnan(x) for x in zero)
    assert neg[0] == -100


def test_comparisons_are_false_with_nan() -> None:
    lt, ne, eq, ge, btw = values(
        "close[1] < 1_000_000",
        "close[1] != 5",
        "close == 100",
        "close >= 1_000",
        "close between 100 and 110",
    )
    assert lt == [False, True, True, True, True, False, True, True]
    assert ne == lt  # NaN != 5 is false too
    assert eq == [True, False, False, False, False, False, False, False]
    assert ge == [False] * 5 + [True] * 3
    assert btw == [True, True, True, False, False, False, False, False]


def test_logic_and_if_else() -> None:
    a, o, n, ie = values(
        "first_bar_of_day and close > 100",
        "first_bar_of_day or close > 1_000",
        "not first_bar_of_day",
        "if first_bar_of_day then close else -1",
    )
    assert a == [False, False, False, True, False, True, True, False]
    assert o == [True, False, False, True, False, True, True, True]
    assert n == [False, True, True, False, True, False, False, True]
    assert ie == [100, -1, -1, 120, -1, 1000, 1000, -1]


def test_lookback_stays_within_symbol() -> None:
    c1, c2, c0, b1 = values("close[1]", "close[p]", "close[0]", "first_bar_of_day[1]")
    assert np.isnan(c1[0])
    assert c1[1:5] == [100, 110, 105, 120]
    assert np.isnan(c1[5])
    assert c1[6:] == [1000, 1000]
    assert np.isnan(c2[:3]).all()
    assert c2[3:5] == [100, 110]
    assert np.isnan(c2[5:]).all()
    assert c0 == values("close")[0]
    assert b1 == [False, True, False, False, True, False, True, True]


def test_math_functions() -> None:
    ab, mn, mx, mnan = values(
        "abs(close - 105)", "min(close, 105)", "max(close, 105)", "min(close[1], 0)"
    )
    assert ab[:3] == [5, 5, 0]
    assert mn[:3] == [100, 105, 105]
    assert mx[:3] == [105, 110, 105]
    assert math.isnan(mnan[0])
    assert mnan[1] == 0


def test_value_when_holds_per_symbol() -> None:
    (vw,) = values("value_when(close > 100, close)")
    assert math.isnan(vw[0])
    assert vw[1:5] == [110, 105, 120, 120]
    assert vw[5:] == [1000, 1000, 1010]
    (vw,) = values("value_when(close > 1_000, close)")
    assert np.isnan(vw[:7]).all()
    assert vw[7] == 1010


def test_indicators_run_per_symbol_across_days() -> None:
    sma, cross, rising, vwap = values(
        "sma(close, 2)", "crosses_above(close, 108)", "rising(close, 1)", "vwap()"
    )
    assert np.isnan(sma[0])
    assert sma[1:5] == [105, 107.5, 112.5, 105]
    assert np.isnan(sma[5])
    assert sma[6:] == [1000, 1005]
    assert cross == [False, True, False, True, False, False, False, False]
    assert rising == [False, True, False, True, False, False, False, True]
    assert vwap[0] == 100
    assert vwap[3] == 120
    assert vwap[5] == 1000


def test_multi_output_indicators() -> None:
    mid, upper, signal = values(
        "bollinger(close, 2, 1).mid", "bollinger(close, 2, 1).upper", "macd(close, 1, 2, 1).line"
    )
    assert mid[1] == 105
    assert upper[1] == 110
    assert signal[1] == 5


def test_empty_frame() -> None:
    out = evaluate_vector(compile_lets(["close > 1", "sma(close, 3)"]), frame([]))
    assert out["e0"].dtype == np.bool_
    assert out["e1"].dtype == np.float64
    assert len(out["e0"]) == 0
    assert len(out["e1"]) == 0


def test_split_lists_maximal_market_parts() -> None:
    program = compile_program(
        'strategy "s"\nuniverse all\ntimeframe 1m\nlet a = sma(close, 3)\n'
        "let b = position > 0 and close > a\n"
        "when b or (position == 0 and crosses_above(close, a)): buy 1 shares at limit close - 1\n"
        "stop loss 2 * atr(3)\n"
    )
    split = split_program(program)
    assert [m.id for m in split.exprs] == [
        "a",
        "close > a",
        "crosses_above(close, a)",
        "close - 1",
        "2 * atr(3)",
    ]
    assert [m.is_bool for m in split.exprs] == [False, True, True, False, False]
    assert not is_market_only(program.let("b"), program)
    assert is_market_only(program.let("a"), program)
    assert split.id_of(program.rules[0].action.order.price) == "close - 1"  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["selected", "rank", "rebalancing"])
def test_selection_series_are_not_market(name: str) -> None:
    program = compile_program(
        'strategy "s"\nuniverse all\ntimeframe day\nselect top 2 by roc(close, 3) rebalance'
        f" monthly\nlet x = {name}\nwhen rebalancing: buy 1 shares at market\n"
    )
    assert not is_market_only(program.let("x"), program)
    assert [m.id for m in split_program(program).exprs] == ["roc(close, 3)"]
