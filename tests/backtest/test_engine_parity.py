"""The backtester's promise: the vectorized and the event-driven runner give the same orders,
fills, cash and equity — for random programs, every fill model, both cost models, with and
without settlement and risk limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jts.backtest.config import BacktestConfig
from jts.backtest.event import run_event
from jts.backtest.fills import FILL_MODELS, FillModel
from jts.backtest.risk_context import BacktestRisk
from jts.backtest.runner import RunOutput, prepare
from jts.backtest.vector import run_vector
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.risk import RiskLimits
from jts.strategy.lang import Program, compile_program

from ..strategy.engine.test_parity import _compiled, program_text
from ..strategy.evaluate import make_bars
from ..strategy.evaluate.test_parity import DAYS

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"


def _both(
    program: Program, bars: BarFrame, config: BacktestConfig, limits: RiskLimits | None = None
) -> tuple[RunOutput, RunOutput]:
    outs = []
    for runner in (run_vector, run_event):
        prepared = prepare(bars, {}, config)
        outs.append(
            runner(program, prepared, BacktestRisk(limits, prepared.matcher, prepared.ledger))
        )
    return outs[0], outs[1]


def _assert_same(vector: RunOutput, event: RunOutput) -> None:
    assert vector.orders.equals(event.orders)
    assert vector.fills.equals(event.fills)
    assert vector.final_cash == event.final_cash
    assert vector.positions == event.positions
    assert vector.engine_cash == vector.final_cash
    assert event.engine_cash == event.final_cash


@pytest.fixture(scope="module")
def minute_data() -> BarFrame:
    universe = make_universe(6, seed=3)
    return BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=6, seed=3)))


@pytest.mark.parametrize("name", ["sma_cross", "rsi_reversion", "opening_range_breakout"])
@pytest.mark.parametrize("fill", FILL_MODELS)
def test_examples_agree(minute_data: BarFrame, name: str, fill: str) -> None:
    program = compile_program((EXAMPLES / f"{name}.jts").read_text())
    config = BacktestConfig(fill=FillModel(fill, slippage_ticks=1), costs="krx")
    vector, event = _both(program, minute_data, config)
    _assert_same(vector, event)


def test_risk_rejections_agree(minute_data: BarFrame) -> None:
    program = compile_program((EXAMPLES / "sma_cross.jts").read_text(), params={"qty": 30})
    limits = RiskLimits(max_order_value=1_000_000, max_orders_per_minute=2)
    vector, event = _both(program, minute_data, BacktestConfig(), limits)
    _assert_same(vector, event)
    assert (vector.orders["status"] == "rejected").sum() > 0
    assert set(vector.orders["reject_code"].drop_nulls()) <= {"max_order_value", "rate_limit"}


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    text=program_text(),
    seed=st.integers(0, 2**32 - 1),
    days=st.sampled_from(DAYS),
    per_day=st.integers(6, 30),
    cash=st.sampled_from([300_000, 5_000_000, 100_000_000]),
    fill=st.sampled_from(FILL_MODELS),
    costs=st.sampled_from(["krx", "none"]),
    slippage=st.integers(0, 2),
    settlement=st.booleans(),
)
def test_runners_agree_on_random_programs(
    text: str,
    seed: int,
    days: tuple[dt.date, ...],
    per_day: int,
    cash: int,
    fill: str,
    costs: str,
    slippage: int,
    settlement: bool,
) -> None:
    program = _compiled(text)
    bars = make_bars(seed, 3, days, per_day, program.bar_minutes or 1)
    config = BacktestConfig(
        fill=FillModel(fill, slippage), costs=costs, cash=cash, settlement=settlement
    )
    vector, event = _both(program, bars, config)
    _assert_same(vector, event)
