"""A strategy program as data for the compiled loop: stack code for its position-dependent
expressions, and tables for its rules, exits and flat.

`compile_code(program)` walks the same typed tree as `jts.strategy.engine_eval.Remainder`
and emits, for every node, what `Remainder._compile` would evaluate there, in the same order:

* a maximal market-only sub-expression (an id of `split_program`) reads its column: numbers
  from a float column, conditions from a bool column (the vectorized arrays' values);
* a literal, parameter or time of day pushes its float value (a bool as 1.0 / 0.0);
* `position`, `entry_price`, `bars_since_entry`, `unrealized_pnl_pct` push the symbol's state;
* a non-market-only `let` is inlined; unary, binary, `between`, `if`, `abs`, `min`, `max` apply
  the operator to the values below them on the stack (`kernel_loop._binary` mirrors
  `jts.strategy.evaluate.stream.BINARY` float for float).

Only node types of the checked AST are turned into opcodes, from a fixed table; nothing of the
program text reaches code. Anything else (selection series, other calls) raises `Unsupported`
and the backtest runs the Python engine. Parameters are constants of the code, so a sweep over
them reuses the one compiled loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc
from jts.strategy.evaluate.split import Split, constant
from jts.strategy.lang.ast import (
    ActionKind,
    ExitKind,
    ExitMode,
    OrderKind,
    Program,
    Rounding,
    Rule,
    SizeKind,
)
from jts.strategy.lang.expr import (
    Between,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Expr,
    IfElse,
    LetRef,
    Number,
    ParamRef,
    SeriesRef,
    TimeOfDay,
    Unary,
    UnaryOp,
)

__all__ = ["MAX_COLUMNS", "Code", "Compiled", "Unsupported", "compile_code"]

I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]
F1 = npt.NDArray[np.float64]

MAX_COLUMNS: Final = 8
"""Market columns of each kind the loop reads (a fixed-size tuple: one compiled signature)."""

_SERIES: Final = {
    "position": kc.X_POSITION,
    "entry_price": kc.X_ENTRY,
    "bars_since_entry": kc.X_SINCE,
    "unrealized_pnl_pct": kc.X_PNL,
}
_BINARY: Final = {
    BinaryOp.ADD: kc.OP_ADD,
    BinaryOp.SUB: kc.OP_SUB,
    BinaryOp.MUL: kc.OP_MUL,
    BinaryOp.DIV: kc.OP_DIV,
    BinaryOp.AND: kc.OP_AND,
    BinaryOp.OR: kc.OP_OR,
    BinaryOp.LT: kc.OP_LT,
    BinaryOp.LE: kc.OP_LE,
    BinaryOp.GT: kc.OP_GT,
    BinaryOp.GE: kc.OP_GE,
    BinaryOp.EQ: kc.OP_EQ,
    BinaryOp.NE: kc.OP_NE,
}
_CALLS: Final = {"abs": (1, kc.OP_ABS), "min": (2, kc.OP_MIN), "max": (2, kc.OP_MAX)}
_ACTIONS: Final = {
    ActionKind.BUY: kc.ACTION_BUY,
    ActionKind.SELL: kc.ACTION_SELL,
    ActionKind.CLOSE: kc.ACTION_CLOSE,
    ActionKind.TARGET: kc.ACTION_TARGET,
}
_SIZES: Final = {
    SizeKind.SHARES: kc.SIZE_SHARES,
    SizeKind.KRW: kc.SIZE_KRW,
    SizeKind.EQUITY_PERCENT: kc.SIZE_EQUITY,
    SizeKind.ALL: kc.SIZE_ALL,
    SizeKind.TARGET_PERCENT: kc.SIZE_TARGET,
}
_ROUNDINGS: Final = {
    None: kc.ROUND_PASSIVE,
    Rounding.PASSIVE: kc.ROUND_PASSIVE,
    Rounding.DOWN: kc.ROUND_DOWN,
    Rounding.UP: kc.ROUND_UP,
    Rounding.NEAREST: kc.ROUND_NEAREST,
}
_EXITS: Final = (ExitKind.STOP_LOSS, ExitKind.TRAILING_STOP, ExitKind.TAKE_PROFIT)
_MINUTE_NS: Final = 60_000_000_000


class Unsupported(Exception):
    """The program uses something the kernel does not run; the message says what."""


class Code(NamedTuple):
    """The program as the loop reads it: (opcode, argument) rows, constants, rule and exit
    rows (columns: `kernel_core`), flat, and the stack depth the code needs."""

    ops: I2
    consts: F1
    rules: I2
    conj: I1
    exits: I2
    flat_mode: int
    flat_minute: int
    bar_ns: int
    depth: int


@dataclass(frozen=True, slots=True)
class Compiled:
    """`code`, and the market ids whose columns it reads: float columns, then bool ones."""

    code: Code
    float_ids: tuple[str, ...]
    bool_ids: tuple[str, ...]


class _Assembler:
    def __init__(self, program: Program, split: Split) -> None:
        self.program = program
        self.split = split
        self.bools = {m.id: m.is_bool for m in split.exprs}
        self.ops: list[int] = []
        self.args: list[int] = []
        self.consts: list[float] = []
        self.columns: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self.loads: list[tuple[int, bool]] = []
        self.depth = 0
        self.max_depth = 0

    def segment(self, expr: Expr | None) -> tuple[int, int]:
        """Emit `expr` (nothing for None); its [start, end) in the code."""
        start = len(self.ops)
        if expr is not None:
            self.depth = 0
            self.emit(expr)
        return start, len(self.ops)

    def column(self, key: str) -> int:
        """The column of market id `key` among the float or the bool ones."""
        columns = self.columns[self.bools[key]]
        if key not in columns:
            if len(columns) == MAX_COLUMNS:
                raise Unsupported(f"reads more than {MAX_COLUMNS} market expressions")
            columns[key] = len(columns)
        return columns[key]

    def load(self, key: str) -> None:
        """Push market id `key`; its slot is fixed in `slots` once the float columns are
        counted (bool values come after them)."""
        self.loads.append((len(self.ops), self.bools[key]))
        self.op(kc.OP_LOAD, self.column(key))

    def slots(self) -> list[int]:
        """`args` with each market load pointing at its scratch slot."""
        args, floats = list(self.args), len(self.columns[False])
        for at, is_bool in self.loads:
            args[at] += kc.X_MARKET + (floats if is_bool else 0)
        return args

    def op(self, opcode: int, arg: int = 0, pops: int = 0) -> None:
        self.ops.append(opcode)
        self.args.append(arg)
        self.depth += 1 - pops
        self.max_depth = max(self.max_depth, self.depth)

    def push(self, value: float) -> None:
        self.consts.append(value)
        self.op(kc.OP_CONST, len(self.consts) - 1)

    def emit(self, expr: Expr) -> None:  # noqa: C901 - one branch per node type
        key = self.split.id_of(expr)
        if key is not None:
            self.load(key)
        elif isinstance(expr, Number | ParamRef):
            self.push(float(constant(expr, self.program)))
        elif isinstance(expr, Bool):
            self.push(1.0 if expr.value else 0.0)
        elif isinstance(expr, TimeOfDay):
            self.push(float(expr.minute))
        elif isinstance(expr, SeriesRef) and expr.name in _SERIES:
            self.op(kc.OP_LOAD, _SERIES[expr.name])
        elif isinstance(expr, LetRef):
            self.emit(self.program.let(expr.name))
        elif isinstance(expr, Unary):
            self.emit(expr.operand)
            self.op(kc.OP_NOT if expr.op is UnaryOp.NOT else kc.OP_NEG, pops=1)
        elif isinstance(expr, Binary):
            self.emit(expr.left)
            self.emit(expr.right)
            self.op(_BINARY[expr.op], pops=2)
        elif isinstance(expr, Between | IfElse):
            parts = (
                (expr.operand, expr.low, expr.high)
                if isinstance(expr, Between)
                else (expr.condition, expr.then, expr.otherwise)
            )
            for part in parts:
                self.emit(part)
            self.op(kc.OP_BETWEEN if isinstance(expr, Between) else kc.OP_IF, pops=3)
        elif isinstance(expr, Call) and expr.name in _CALLS:
            arity, opcode = _CALLS[expr.name]
            for arg in expr.args[:arity]:
                self.emit(arg)
            self.op(opcode, pops=arity)
        else:
            name = expr.name if isinstance(expr, SeriesRef | Call) else type(expr).__name__
            raise Unsupported(f"the kernel does not evaluate {name} over position state")

    def conjuncts(self, expr: Expr) -> list[int]:
        """Bool columns of the market-only top-level `and` conjuncts of a rule condition (as
        `jts.strategy.engine_skip`): when one is false the rule cannot fire."""
        key = self.split.id_of(expr)
        if key is not None:
            return [self.column(key)] if self.bools[key] else []
        if isinstance(expr, Binary) and expr.op is BinaryOp.AND:
            return self.conjuncts(expr.left) + self.conjuncts(expr.right)
        if isinstance(expr, LetRef):
            return self.conjuncts(self.program.let(expr.name))
        return []

    def rule(self, rule: Rule, conj: list[int]) -> list[int]:
        action, order = rule.action, rule.action.order
        cond = self.segment(rule.condition)
        amount = self.segment(action.size.amount)
        limit = order.kind is OrderKind.LIMIT
        price = self.segment(order.price if limit else None)
        found = self.conjuncts(rule.condition)
        start = len(conj)
        conj.extend(found)
        row = [*cond, _ACTIONS[action.kind], _SIZES[action.size.kind], *amount, int(limit)]
        return [*row, *price, _ROUNDINGS[order.rounding], start, len(conj)]


def compile_code(program: Program, split: Split) -> Compiled:
    """The program as data (module docstring); raises `Unsupported`."""
    if program.selection is not None:
        raise Unsupported("cross-sectional selection (select top/bottom) is not compiled")
    asm = _Assembler(program, split)
    conj: list[int] = []
    rules = [asm.rule(rule, conj) for rule in program.rules]
    exits = []
    for kind in _EXITS:
        found = program.exit(kind)
        if found is None:
            exits.append([0, 0, 0, 0])
        else:
            exits.append([1, int(found.mode is ExitMode.PERCENT), *asm.segment(found.distance)])
    flat, minutes = program.flat, program.bar_minutes
    if flat is None or minutes is None:
        flat_mode, flat_minute = kc.FLAT_NONE, 0
    elif flat.minute is None:
        flat_mode, flat_minute = kc.FLAT_END_OF_DAY, 0
    else:
        flat_mode, flat_minute = kc.FLAT_MINUTE, flat.minute
    code = Code(
        ops=np.array([asm.ops, asm.slots()], dtype=np.int64).T.copy().reshape(-1, 2),
        consts=np.array(asm.consts, dtype=np.float64),
        rules=np.array(rules, dtype=np.int64).reshape(len(rules), kc.RULE_COLUMNS),
        conj=np.array(conj, dtype=np.int64),
        exits=np.array(exits, dtype=np.int64),
        flat_mode=flat_mode,
        flat_minute=flat_minute,
        bar_ns=(minutes or 0) * _MINUTE_NS,
        depth=asm.max_depth,
    )
    floats, bools = asm.columns
    return Compiled(code, tuple(floats), tuple(bools))
