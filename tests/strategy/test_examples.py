"""The example strategies: each compiles, says what it should, and survives printing.

`sma_cross.jts` is the benchmark strategy, pinned here node by node.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jts.strategy.lang import Program, compile_program, format_program, warmup_bars
from jts.strategy.lang.ast import (
    Action,
    ActionKind,
    Binary,
    BinaryOp,
    Call,
    Direction,
    ExitKind,
    ExitMode,
    LetRef,
    Number,
    Order,
    OrderKind,
    ParamRef,
    Rounding,
    ScheduleKind,
    SeriesRef,
    Size,
    SizeKind,
    UniverseKind,
)
from jts.strategy.lang.builtins import FUNCTIONS, SERIES
from jts.strategy.lang.typesys import number

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "strategies"
DOCS = ROOT / "docs" / "strategy-language.md"


def example(name: str) -> Program:
    return compile_program((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.jts")), ids=lambda p: p.name)
def test_every_example_compiles_and_round_trips(path: Path) -> None:
    program = compile_program(path.read_text(encoding="utf-8"))
    assert program.name == path.stem
    assert compile_program(format_program(program)) == program


def test_sma_cross_is_exactly_the_benchmark() -> None:
    program = example("sma_cross.jts")
    assert program.param_values == {"fast": 5, "slow": 20, "qty": 10}
    assert program.universe.kind is UniverseKind.ALL
    assert program.timeframe == "1m"
    assert (program.exits, program.flat, program.selection) == ((), None, None)

    close = SeriesRef(name="close", type=SERIES["close"].type)
    for let_name, param in (("fast_ma", "fast"), ("slow_ma", "slow")):
        call = program.let(let_name)
        assert isinstance(call, Call)
        assert (call.name, call.args[0], call.output) == ("sma", close, None)
        assert isinstance(call.args[1], ParamRef)
        assert call.args[1].name == param

    entry, exit_ = program.rules
    assert isinstance(entry.condition, Binary)
    assert entry.condition.op is BinaryOp.AND
    flat = entry.condition.left
    assert isinstance(flat, Binary)
    assert (flat.op, flat.left, flat.right) == (
        BinaryOp.EQ,
        SeriesRef(name="position", type=SERIES["position"].type),
        Number(value=0, text="0", type=flat.right.type),
    )
    _assert_cross(entry.condition.right, "crosses_above")
    assert entry.action == Action(
        kind=ActionKind.BUY,
        size=Size(kind=SizeKind.SHARES, amount=ParamRef(name="qty", type=number(integer=True))),
        order=Order(kind=OrderKind.MARKET),
    )

    assert isinstance(exit_.condition, Binary)
    _assert_cross(exit_.condition.right, "crosses_below")
    assert exit_.action == Action(
        kind=ActionKind.SELL, size=Size(kind=SizeKind.ALL), order=Order(kind=OrderKind.MARKET)
    )
    assert warmup_bars(program) == 60


def _assert_cross(node: object, name: str) -> None:
    assert isinstance(node, Call)
    assert node.name == name
    assert [a.name for a in node.args if isinstance(a, LetRef)] == ["fast_ma", "slow_ma"]


def test_rsi_reversion_has_stop_loss_and_take_profit_in_percent() -> None:
    program = example("rsi_reversion.jts")
    stop, take = program.exit(ExitKind.STOP_LOSS), program.exit(ExitKind.TAKE_PROFIT)
    assert stop is not None
    assert take is not None
    assert (stop.mode, take.mode) == (ExitMode.PERCENT, ExitMode.PERCENT)
    assert program.universe.items == ("005930", "000660", "035420", "0037T0")
    buy = program.rules[0].action
    assert buy.size.kind is SizeKind.KRW
    assert buy.order.rounding is Rounding.DOWN


def test_opening_range_breakout_is_flat_every_day_with_an_atr_trailing_stop() -> None:
    program = example("opening_range_breakout.jts")
    assert program.flat is not None
    assert program.flat.minute == 15 * 60 + 15
    trailing = program.exit(ExitKind.TRAILING_STOP)
    assert trailing is not None
    assert trailing.mode is ExitMode.PRICE
    assert program.param_values["weight"] == 0.1
    assert program.rules[0].action.size.kind is SizeKind.EQUITY_PERCENT


def test_momentum_topn_ranks_the_universe_monthly() -> None:
    program = example("momentum_topn.jts")
    selection = program.selection
    assert selection is not None
    assert (selection.direction, selection.schedule) == (Direction.TOP, ScheduleKind.MONTHLY)
    assert program.timeframe == "1d"
    assert program.universe.kind is UniverseKind.INDEX
    assert program.rules[1].action.kind is ActionKind.TARGET
    assert program.grid_size() == 24


def test_docs_describe_every_builtin() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in [*FUNCTIONS, *SERIES] if f"`{name}" not in text]
    assert not missing


def test_every_complete_program_in_the_docs_compiles() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```jts\n(.*?)```", text, flags=re.DOTALL)
    programs = [b for b in blocks if b.startswith("strategy ") and "\nwhen " in b]
    assert len(programs) >= 2
    for block in programs:
        compile_program(block)
