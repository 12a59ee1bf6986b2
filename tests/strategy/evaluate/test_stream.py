"""`StreamEvaluator`: state per symbol, every construct against the vectorized path, and the
four example programs on synthetic market data."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.evaluate import StreamEvaluator, split_program
from jts.strategy.lang import compile_program

from . import check_parity, compile_lets, make_bars

EXAMPLES = sorted((Path(__file__).parents[3] / "examples" / "strategies").glob("*.jts"))
TS = 1_709_510_400_000_000_000  # 2024-03-04 09:00 KST

CONSTRUCTS = [
    "close",
    "volume / (volume - volume)",
    "close - open + high * low / 7",
    "-close",
    "close[1] != close[2]",
    "close[1] == close",
    "(close[1] < close) and not (close[2] >= close) or false",
    "close[3] between low and high",
    "if rising(close, 2) then close else close[1]",
    "if falling(close, 1) then true else first_bar_of_day",
    "abs(close[1] - close)",
    "min(close[1], open) + max(close[2], low)",
    "value_when(crosses_below(close, sma(close, 3)), close)",
    "crosses_above(ema(close, 3), wma(close, p))",
    "macd(close, 2, 3, 2).signal + macd(close, 2, 3, 2).hist",
    "bollinger(close, 3, 2).lower < close",
    "rsi(close, 2) + roc(close, 2)",
    "stdev(close, 3) / 2",
    "highest(high, 3) - lowest(low, 3)",
    "stochastic(3, 2, 2).k - stochastic(3, 2, 2).d",
    "atr(2) + vwap()",
    "obv()",
    "time between 09:30 and 15:00",
    "bar_of_day + day_of_week + days_to_year_end",
    "first_bar_of_day or last_bar_of_day",
    "first_bar_of_day[2]",
    "sma(close[2], 2)[1]",
]


@pytest.mark.parametrize("text", CONSTRUCTS)
@pytest.mark.parametrize("minutes", [1, 5])
def test_each_construct_agrees(text: str, minutes: int) -> None:
    program = compile_lets([text], timeframe=f"{minutes}m")
    check_parity(program, make_bars(7, 3, per_day=40, minutes=minutes))


def test_fresh_state_is_undefined_and_symbols_are_separate() -> None:
    program = compile_lets(["close[1]", "close > 0", "sma(close, 2)"])
    ev = StreamEvaluator(program, ["000001", "000002"])
    assert ev.ids == ("e0", "e1", "e2")
    assert math.isnan(ev.value("e0", "000001"))
    assert ev.value("e1", "000001") is False
    ev.on_bar("000001", TS, 100, 110, 90, 105, 10, 1_050)
    ev.on_bar("000001", TS + 60 * 10**9, 100, 110, 90, 107, 10, 1_070)
    assert ev.value("e0", "000001") == 105
    assert ev.value("e2", "000001") == 106
    assert math.isnan(ev.value("e0", "000002"))
    assert ev.value("e1", "000002") is False
    with pytest.raises(KeyError):
        ev.on_bar("000003", TS, 1, 1, 1, 1, 1, 1)


def test_state_does_not_grow() -> None:
    program = compile_lets(["sma(close[3], 2)", "value_when(rising(close, 2), close)"])
    ev = StreamEvaluator(program, ["000001"])
    sizes = []
    for k in range(50):
        ev.on_bar("000001", TS + k * 60 * 10**9, 100, 110, 90, 100 + k % 7, 10, 1_000)
        sym = ev._symbols["000001"]
        sizes.append((len(sym.vals), len(sym.aux), sum(len(x) for x in sym.aux if type(x) is list)))
    assert len(set(sizes)) == 1


def _synthetic() -> BarFrame:
    universe = make_universe(3, seed=11)
    return BarFrame.concat(list(minute_bars(universe, dt.date(2024, 12, 26), days=3, seed=11)))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_market_parts_agree_on_synthetic_data(path: Path) -> None:
    program = compile_program(path.read_text(encoding="utf-8"))
    assert split_program(program).exprs
    bars = _synthetic()
    values = check_parity(program, bars)
    assert values
    defined = [v for v in values.values() if v.dtype.kind == "f" and not all(v != v)]
    assert defined or path.stem == "momentum_topn"  # lookback 60 > 3 days of bars
