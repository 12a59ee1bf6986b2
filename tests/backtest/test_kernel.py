"""The compiled backtest kernel (`jts.backtest.kernel`) gives the Python vectorized runner's
results to the bit: orders and fills tables, ledger and engine cash, positions, costs.

The Python path (`run_vector_python`) is the oracle. The random programs come from the
engine parity generator (`tests/strategy/engine/test_parity.py`) with the guards the kernel
compiles; the harsh markets add gaps, bars locked at a daily limit, the tick and band tables
of earlier years, ETFs, KOSDAQ and leveraged listings, so that the price band, the locked
volume cap, slippage across tick bands and band rejections are all exercised.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jts.backtest import kernel, kernel_core, kernel_fills, vector
from jts.backtest.config import BacktestConfig
from jts.backtest.fills import FILL_MODELS, FillModel
from jts.backtest.kernel_output import order_ids
from jts.backtest.kernel_tables import Context, day_tables
from jts.backtest.orders import order_id
from jts.backtest.risk_context import BacktestRisk
from jts.backtest.runner import RunOutput, prepare
from jts.backtest.vector import run_vector, run_vector_python
from jts.core.clock import kst_ns
from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.krx import price_limits
from jts.marketdata.frames import BarFrame
from jts.risk import RiskLimits
from jts.strategy.engine import limit_on_tick
from jts.strategy.lang import DslError, Program, compile_program

from ..strategy.engine import frame
from ..strategy.engine import test_parity as parity
from ..strategy.evaluate import make_bars

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"
WEEK = (dt.date(2024, 3, 4), dt.date(2024, 3, 5), dt.date(2024, 3, 6), dt.date(2024, 3, 7))
ERAS = (
    (dt.date(2023, 1, 20), dt.date(2023, 1, 25), dt.date(2023, 1, 26)),  # stock ticks unified
    (dt.date(2023, 12, 14), dt.date(2023, 12, 15), dt.date(2023, 12, 18)),  # 1-won ETF ticks
    (dt.date(2024, 12, 27), dt.date(2024, 12, 30), dt.date(2025, 1, 2)),  # tax by settlement
    (dt.date(2015, 6, 12), dt.date(2015, 6, 15)),  # ±15% → ±30% bands
)
LISTINGS = (
    (Market.KOSPI, InstrumentKind.STOCK, 1),
    (Market.KOSDAQ, InstrumentKind.STOCK, 1),
    (Market.KONEX, InstrumentKind.STOCK, 1),
    (Market.KOSPI, InstrumentKind.ETF, 1),
    (Market.KOSPI, InstrumentKind.ETN, 1),
    (Market.KOSPI, InstrumentKind.ETF, 2),
)
FAR_LIMITS = (" at limit close * 1.4", " at limit close * 0.65 round up", " at limit high * 1.2")
BIG_SIZES = ("buy 50% of equity", "target 40% of equity", "buy 3_000_000 KRW")


def _program(text: str) -> Program:
    try:
        return compile_program(text)
    except DslError:
        assume(False)
        raise


def _compiles(guard: str) -> bool:
    program = compile_program(f'strategy "g"\nuniverse all\ntimeframe 1m\nwhen {guard}: close\n')
    return (
        kernel.unsupported_reason(program, prepare(make_bars(1, 1), {}, BacktestConfig())) is None
    )


KERNEL_GUARDS = tuple(g for g in parity.GUARDS if _compiles(g))
"""The engine parity guards without indicators or lookbacks over position series (cells)."""


@st.composite
def kernel_rule(draw: st.DrawFn, harsh: bool) -> str:
    text: str = draw(parity.rule(KERNEL_GUARDS))
    if harsh and draw(st.booleans()):
        head, _, _ = text.rpartition(": ")
        size = draw(st.sampled_from(parity.SIZES + BIG_SIZES))
        text = f"{head}: {size}{draw(st.sampled_from(parity.ORDERS + FAR_LIMITS))}"
    return text


@st.composite
def kernel_program_text(draw: st.DrawFn, harsh: bool = False) -> str:
    """`parity.program_text` without selection and cells: what the kernel runs."""
    minutes = draw(st.sampled_from([1, 5]))
    lines = ['strategy "p"', "universe all", f"timeframe {minutes}m", "param p = 3"]
    lines.append(f"let e0 = {draw(parity.number(draw(st.integers(0, 3))))}")
    lines += draw(st.lists(kernel_rule(harsh), min_size=1, max_size=4))
    exits = draw(st.sets(st.sampled_from(parity.EXITS), max_size=3))
    assume(len({e.split()[0] for e in exits}) == len(exits))
    lines += sorted(exits)
    lines.append(draw(st.sampled_from((*parity.FLATS, "flat at 09:30"))))
    return "\n".join(lines) + "\n"


def _both(
    program: Program,
    bars: BarFrame,
    config: BacktestConfig,
    instruments: dict[str, Instrument] | None = None,
    risk: bool = True,
) -> tuple[RunOutput | None, RunOutput]:
    """(kernel, Python path) on fresh preparations of the same run."""
    outs: list[Any] = []
    for runner in (kernel.run, run_vector_python):
        prepared = prepare(bars, instruments or {}, config)
        checks = BacktestRisk(None, prepared.matcher, prepared.ledger) if risk else None
        outs.append(runner(program, prepared, checks))
    return outs[0], outs[1]


def _assert_same(fast: RunOutput | None, slow: RunOutput) -> None:
    assert fast is not None
    assert fast.orders.equals(slow.orders)
    assert fast.fills.equals(slow.fills)
    assert fast.final_cash == slow.final_cash
    assert fast.engine_cash == slow.engine_cash
    assert list(fast.positions.items()) == list(slow.positions.items())
    assert (fast.commission, fast.tax) == (slow.commission, slow.tax)


@pytest.fixture(scope="module")
def week() -> BarFrame:
    return make_bars(3, 4, WEEK, 300, 1)


@pytest.mark.parametrize("name", ["sma_cross", "rsi_reversion", "opening_range_breakout"])
@pytest.mark.parametrize("fill", FILL_MODELS)
@pytest.mark.parametrize("costs", ["krx", "none"])
def test_examples_match_python_path(week: BarFrame, name: str, fill: str, costs: str) -> None:
    program = compile_program((EXAMPLES / f"{name}.jts").read_text())
    config = BacktestConfig(fill=FillModel(fill, slippage_ticks=1), costs=costs)
    fast, slow = _both(program, week, config)
    assert slow.orders.height > 0
    _assert_same(fast, slow)


def _harsh_bars(seed: int, days: tuple[dt.date, ...], per_day: int, start: int) -> BarFrame:
    """Random walks of three symbols with day gaps beyond the band and bars locked at it."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, int, int, int, int, int, int]] = []
    for k in range(3):
        price, base = max(2, int(start * rng.uniform(0.9, 1.1))), 0
        for day in days:
            price = max(2, int(price * rng.choice([1.0, 1.0, 1.45, 0.6, 1.29])))
            for slot in np.sort(rng.choice(380, size=per_day, replace=False)).tolist():
                path = price + np.cumsum(rng.integers(-3, 4, size=4) * max(1, price // 200))
                o, h, lo, c = int(path[0]), int(path.max()), int(path.min()), int(path[-1])
                if base and rng.random() < 0.15:
                    o = h = lo = c = price_limits(base)[int(rng.integers(0, 2))]
                o, h, lo, c = (max(1, v) for v in (o, h, lo, c))
                volume = int(rng.integers(0, 4)) * int(rng.integers(0, 1000))
                ts = kst_ns(day, dt.time(9, 0)) + slot * 60 * 10**9
                rows.append((f"{100000 + k:06d}", ts, o, h, lo, c, volume))
                price = c
            base = price
    columns = list(zip(*rows, strict=True))
    arrays: dict[str, Any] = {"symbol": np.array(columns[0], dtype="<U6")}
    for i, name in enumerate(("ts", "open", "high", "low", "close", "volume"), start=1):
        arrays[name] = np.array(columns[i], dtype=np.int64)
    return BarFrame(arrays, interval_s=60).sorted()


GENERAL = settings(
    max_examples=160,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@GENERAL
@given(
    text=kernel_program_text(),
    seed=st.integers(0, 2**32 - 1),
    days=st.sampled_from(parity.DAYS),
    per_day=st.integers(6, 40),
    cash=st.sampled_from([300_000, 5_000_000, 100_000_000]),
    fill=st.sampled_from(FILL_MODELS),
    costs=st.sampled_from(["krx", "none"]),
    slippage=st.integers(0, 2),
    participation=st.sampled_from([None, 0.5]),
    risk=st.booleans(),
)
def test_random_programs_match_python_path(
    text: str,
    seed: int,
    days: tuple[dt.date, ...],
    per_day: int,
    cash: int,
    fill: str,
    costs: str,
    slippage: int,
    participation: float | None,
    risk: bool,
) -> None:
    program = _program(text)
    bars = make_bars(seed, 3, days, per_day, program.bar_minutes or 1)
    config = BacktestConfig(fill=FillModel(fill, slippage, participation), costs=costs, cash=cash)
    fast, slow = _both(program, bars, config, risk=risk)
    _assert_same(fast, slow)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    text=kernel_program_text(harsh=True),
    seed=st.integers(0, 2**32 - 1),
    days=st.sampled_from(ERAS),
    per_day=st.integers(6, 40),
    cash=st.sampled_from([300_000, 100_000_000, 3_000_000_000]),
    fill=st.sampled_from(FILL_MODELS),
    slippage=st.integers(0, 3),
    participation=st.sampled_from([None, 0.5, 1.0]),
    start=st.sampled_from([5, 990, 1_990, 4_990, 49_900, 480_000]),
    listings=st.lists(st.sampled_from(LISTINGS), min_size=3, max_size=3),
    rate=st.sampled_from([None, "0.00015", "0.0123"]),
)
def test_harsh_markets_match_python_path(
    text: str,
    seed: int,
    days: tuple[dt.date, ...],
    per_day: int,
    cash: int,
    fill: str,
    slippage: int,
    participation: float | None,
    start: int,
    listings: list[tuple[Market, InstrumentKind, int]],
    rate: str | None,
) -> None:
    program = _program(text)
    bars = _harsh_bars(seed, days, per_day, start)
    instruments = {
        f"{100000 + k:06d}": Instrument(
            symbol=f"{100000 + k:06d}", name="n", market=market, kind=kind, leverage=leverage
        )
        for k, (market, kind, leverage) in enumerate(listings)
    }
    config = BacktestConfig(
        fill=FillModel(fill, slippage, participation),
        cash=cash,
        commission_rate=None if rate is None else Decimal(rate),
    )
    fast, slow = _both(program, bars, config, instruments)
    _assert_same(fast, slow)


def _draw(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    texts: list[str] = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True)
    @given(strategy)
    def draw(text: str) -> None:
        texts.append(text)

    draw()
    return texts


def test_random_programs_place_orders() -> None:
    """The property tests mean something only if their programs run compiled and trade;
    and a good part of the engine parity generator's own programs (which also draw
    selections and cells) run compiled."""
    bars = make_bars(1, 2, WEEK[:2], 30, 1)
    prepared = prepare(bars, {}, BacktestConfig(cash=5_000_000))
    for strategy, least in ((kernel_program_text(), 0.9), (parity.program_text(), 0.3)):
        compiled = supported = trading = 0
        for text in _draw(strategy, 60):
            try:
                program = compile_program(text)
            except DslError:
                continue
            compiled += 1
            if kernel.supports(program, prepared):
                supported += 1
                out = kernel.run(program, prepare(bars, {}, BacktestConfig(cash=5_000_000)))
                trading += out is not None and out.orders.height > 0
        assert compiled >= 30
        assert supported >= least * compiled
        assert trading >= supported // 5


def test_band_rejections_are_worded_as_the_risk_checks(week: BarFrame) -> None:
    """Limit prices far from the close are refused by the band check, with its message."""
    program = compile_program(
        'strategy "r"\nuniverse all\ntimeframe 1m\n'
        "when position == 0: buy 10 shares at limit close * 1.5\n"
        "when position > 0: sell all\n"
    )
    fast, slow = _both(program, week, BacktestConfig())
    _assert_same(fast, slow)
    assert set(slow.orders["reject_code"].drop_nulls()) == {"outside_price_limits"}


@settings(max_examples=300, deadline=None)
@given(
    base=st.integers(1, 3_000_000),
    day=st.dates(dt.date(2010, 1, 1), dt.date(2027, 12, 31)),
    listing=st.sampled_from(LISTINGS),
)
def test_band_matches_krx_price_limits(
    base: int, day: dt.date, listing: tuple[Market, InstrumentKind, int]
) -> None:
    market, kind, leverage = listing
    etf = kind in (InstrumentKind.ETF, InstrumentKind.ETN)
    tables = day_tables(
        day.toordinal() - 719_163, np.ones(1, np.bool_), [(etf, market.value)], False
    )
    context = _context(tables.ticks, tables.days, np.array([[0, 1, 0, leverage, 0]], np.int64))
    got = kernel_fills.band(context, 0, 0, base)
    assert got == price_limits(base, etf=etf, market=market, leverage=leverage, on=day)


def _context(ticks: Any, days: Any, symbols: Any) -> Context:
    empty = np.zeros(0, np.int64)
    return Context(
        *(np.zeros((0, 2), np.int64), np.zeros(0), np.zeros((0, 12), np.int64), empty),
        *(np.zeros((3, 4), np.int64), ticks, days, empty, symbols, empty, empty, np.nan),
        *(empty, empty),
    )


@settings(max_examples=300, deadline=None)
@given(
    price=st.floats(-10.0, 3_000_000.0),
    mode=st.sampled_from(["down", "up", "nearest"]),
    day=st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)),
    listing=st.sampled_from(LISTINGS),
)
def test_limit_rounding_matches_engine(
    price: float, mode: str, day: dt.date, listing: tuple[Market, InstrumentKind, int]
) -> None:
    market, kind, _ = listing
    etf = kind in (InstrumentKind.ETF, InstrumentKind.ETN)
    tables = day_tables(
        day.toordinal() - 719_163, np.ones(1, np.bool_), [(etf, market.value)], False
    )
    codes = {"down": kernel_core.ROUND_DOWN, "up": kernel_core.ROUND_UP}
    got = kernel_fills.limit_on_tick(
        tables.ticks,
        int(tables.days[0, 0, kernel_core.D_TICK]),
        price,
        codes.get(mode, kernel_core.ROUND_NEAREST),
    )
    ts = kst_ns(day, dt.time(10, 0))
    instrument = Instrument(symbol="000001", name="n", market=market, kind=kind)
    expected = limit_on_tick(price, mode, ts, instrument)
    assert got == (-1 if expected is None else expected)


def test_order_ids_match_the_journal() -> None:
    for count in (0, 1, 9, 10, 1_000_002):
        ids = order_ids(count)
        assert ids.len() == count
        if count:
            assert ids[-1] == order_id(count)
            assert ids[:12].to_list() == [order_id(n) for n in range(1, min(count, 12) + 1)]
    assert order_ids(1_000_002)[999_998:1_000_001].to_list() == [
        order_id(n) for n in (999_999, 1_000_000, 1_000_001)
    ]


@pytest.mark.parametrize(
    ("body", "config", "limits", "expected"),
    [
        (
            "select top 1 by close rebalance daily\nwhen selected: buy 1 shares",
            None,
            None,
            "selection",
        ),
        ("when position[1] == 0: buy 1 shares", None, None, "Lookback"),
        ("when true: buy 1 shares", BacktestConfig(settlement=True), None, "settlement"),
        ("when true: buy 1 shares", None, RiskLimits(max_order_qty=5), "risk limits"),
    ],
)
def test_unsupported_runs_say_why_and_run_in_python(
    week: BarFrame,
    body: str,
    config: BacktestConfig | None,
    limits: RiskLimits | None,
    expected: str,
) -> None:
    program = compile_program(f'strategy "u"\nuniverse all\ntimeframe 1m\n{body}\n')
    outs = []
    for runner in (run_vector, run_vector_python):
        prepared = prepare(week, {}, config or BacktestConfig())
        risk = BacktestRisk(limits, prepared.matcher, prepared.ledger)
        reason = kernel.unsupported_reason(program, prepared, risk)
        assert reason is not None
        assert expected in reason
        outs.append(runner(program, prepared, risk))
    assert outs[0].orders.equals(outs[1].orders)
    assert outs[0].fills.equals(outs[1].fills)


def test_where_python_raises_the_kernel_declines() -> None:
    """A taxed sell on a day the calendar cannot settle (a Saturday) makes the Python path
    raise; the kernel hands the run back, so `run_vector` raises the same error."""
    bars = make_bars(5, 2, (dt.date(2025, 6, 13), dt.date(2025, 6, 14)), 30, 1)
    program = compile_program(
        'strategy "s"\nuniverse all\ntimeframe 1m\n'
        "when position == 0: buy 1 shares\nwhen position > 0: sell all\n"
    )
    prepared = prepare(bars, {}, BacktestConfig())
    assert kernel.supports(program, prepared)
    assert kernel.run(program, prepared) is None
    with pytest.raises(InvalidInput):
        run_vector(program, prepare(bars, {}, BacktestConfig()))


def test_run_vector_takes_the_kernel(week: BarFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> RunOutput:
        raise AssertionError("the Python path ran")

    monkeypatch.setattr(vector, "run_vector_python", refuse)
    program = compile_program((EXAMPLES / "sma_cross.jts").read_text())
    prepared = prepare(week, {}, BacktestConfig())
    out = run_vector(program, prepared, BacktestRisk(None, prepared.matcher, prepared.ledger))
    assert out.orders.height > 0


def test_daily_bars_match_python_path() -> None:
    """Daily bars: every bar first and last of its day, sizing by equity, exits."""
    rng = np.random.default_rng(4)
    rows: list[tuple[str, int, int, int, int, int]] = []
    for symbol in ("005930", "000660", "035420"):
        price = int(rng.integers(5_000, 90_000))
        for i in range(300):
            price = max(100, price + int(rng.integers(-3, 4)) * max(10, price // 100))
            close = max(100, price + int(rng.integers(-2, 3)) * max(10, price // 200))
            rows.append((symbol, i, price, max(price, close) + 10, min(price, close) - 10, close))
    program = compile_program(
        'strategy "d"\nuniverse all\ntimeframe day\nparam n = 5\nlet m = sma(close, n)\n'
        "when position == 0 and crosses_above(close, m): buy 30% of equity at limit close * 1.01\n"
        "when position > 0 and (crosses_below(close, m) or bars_since_entry >= 7): sell all\n"
        "stop loss 4%\ntrailing stop 6%\n"
    )
    bars = frame(rows, daily=True)  # calendar days: no costs (no tax on a Sunday's sell)
    fast, slow = _both(program, bars, BacktestConfig(fill=FillModel("close", 1), costs="none"))
    assert slow.orders.height > 100
    _assert_same(fast, slow)
