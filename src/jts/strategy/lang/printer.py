"""Program → source text, in a canonical layout: `compile_program(format_program(p)) == p`.

Parentheses are inserted only where precedence needs them; defaults the checker filled in
are printed explicitly (`rsi(close)` prints as `rsi(close, 14)`).
"""

from __future__ import annotations

from decimal import Decimal

from jts.strategy.lang.ast import (
    Action,
    ActionKind,
    ExitKind,
    Order,
    OrderKind,
    Param,
    ParamValue,
    Program,
    ScheduleKind,
    Selection,
    SizeKind,
    Universe,
    UniverseKind,
    dec,
)
from jts.strategy.lang.expr import (
    Between,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Expr,
    Field,
    IfElse,
    KeywordArg,
    LetRef,
    Lookback,
    Name,
    Number,
    ParamRef,
    SeriesRef,
    TimeOfDay,
    Unary,
    UnaryOp,
)
from jts.strategy.lang.typesys import Unit

_IF, _OR, _AND, _NOT, _CMP, _SUM, _PRODUCT, _NEG, _POSTFIX, _ATOM = range(10)
_BINARY_PRECEDENCE = {
    BinaryOp.OR: _OR,
    BinaryOp.AND: _AND,
    BinaryOp.ADD: _SUM,
    BinaryOp.SUB: _SUM,
    BinaryOp.MUL: _PRODUCT,
    BinaryOp.DIV: _PRODUCT,
}
_DEFAULT_ROUNDING = {ActionKind.BUY: "down", ActionKind.SELL: "up", ActionKind.CLOSE: "up"}


def format_program(program: Program) -> str:
    """The program as source text, one statement per line, sections separated by blank lines."""
    head = [f'strategy "{program.name}"']
    if program.description:
        head.append(f'description "{program.description}"')
    if program.version:
        head.append(f'version "{program.version}"')
    setup = [_universe(program.universe), f"timeframe {_timeframe(program.timeframe)}"]
    params = [_param(p) for p in program.params]
    lets = [f"let {item.name} = {format_expr(item.expr)}" for item in program.lets]
    select = [_selection(program.selection)] if program.selection else []
    rules = [f"when {format_expr(r.condition)}: {_action(r.action)}" for r in program.rules]
    exits = [f"{_EXIT_WORDS[e.kind]} {format_expr(e.distance)}" for e in program.exits]
    if program.flat is not None:
        minute = program.flat.minute
        exits.append("flat at end of day" if minute is None else f"flat at {_clock(minute)}")
    sections = [head, setup, params, lets, select, rules, exits]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


_EXIT_WORDS = {
    ExitKind.STOP_LOSS: "stop loss",
    ExitKind.TAKE_PROFIT: "take profit",
    ExitKind.TRAILING_STOP: "trailing stop",
}


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _timeframe(name: str) -> str:
    return "day" if name == "1d" else name


def _universe(universe: Universe) -> str:
    items = universe.items
    if universe.kind is UniverseKind.ALL:
        return "universe all"
    if universe.kind is UniverseKind.MARKETS:
        return f"universe {', '.join(items)}"
    if universe.kind is UniverseKind.CODES:
        return f"universe [{', '.join(items)}]"
    return f'universe index "{items[0]}"'


def literal(value: ParamValue, unit: Unit, *, integer: bool = True) -> str:
    """A number as it is written in a program: 0.03 percent is `3%`, 1000 KRW `1000 KRW`."""
    exact = dec(value) * (100 if unit is Unit.PERCENT else 1)
    text = format(exact.normalize() if exact != 0 else Decimal(0), "f")
    if not integer and unit is not Unit.PERCENT and "." not in text:
        text += ".0"
    if unit is Unit.PERCENT:
        return f"{text}%"
    return f"{text} KRW" if unit is Unit.KRW else text


def _param(p: Param) -> str:
    def show(value: ParamValue) -> str:
        return literal(value, p.unit, integer=p.integer)

    line = f"param {p.name} = {show(p.default)}"
    if p.low is not None and p.high is not None:
        line += f" in {show(p.low)}..{show(p.high)}"
        if p.step is not None:
            line += f" step {show(p.step)}"
    return line


def _action(action: Action) -> str:
    size = action.size
    amount = format_expr(size.amount) if size.amount is not None else ""
    if action.kind is ActionKind.CLOSE:
        text = "close"
    elif action.kind is ActionKind.TARGET:
        text = f"target {amount} of equity"
    elif size.kind is SizeKind.ALL:
        text = "sell all"
    else:
        suffix = {SizeKind.SHARES: " shares", SizeKind.EQUITY_PERCENT: " of equity"}
        text = f"{action.kind.value} {amount}{suffix.get(size.kind, '')}"
    return text + _order(action.order, action.kind)


def _order(order: Order, kind: ActionKind) -> str:
    if order.kind is OrderKind.MARKET or order.price is None:
        return " at market"
    text = f" at limit {format_expr(order.price)}"
    rounding = order.rounding.value if order.rounding is not None else None
    if rounding is not None and rounding != _DEFAULT_ROUNDING.get(kind, "passive"):
        text += f" round {rounding}"
    return text


def _selection(selection: Selection) -> str:
    schedule = selection.schedule.value
    if selection.schedule is ScheduleKind.EVERY_N_BARS and selection.every is not None:
        schedule = f"every {format_expr(selection.every)} bars"
    count = format_expr(selection.count)
    by = format_expr(selection.by)
    return f"select {selection.direction.value} {count} by {by} rebalance {schedule}"


def format_expr(expr: Expr, context: int = _IF) -> str:
    """`expr` as source, parenthesized when its precedence is below `context`."""
    text, precedence = _expr(expr)
    return f"({text})" if precedence < context else text


def _expr(e: Expr) -> tuple[str, int]:
    if isinstance(e, Number | TimeOfDay):
        return e.text, _ATOM
    if isinstance(e, Bool):
        return ("true" if e.value else "false"), _ATOM
    if isinstance(e, Name | ParamRef | SeriesRef | LetRef):
        return e.name, _ATOM
    if isinstance(e, Unary):
        if e.op is UnaryOp.NOT:
            return f"not {format_expr(e.operand, _NOT)}", _NOT
        return f"-{format_expr(e.operand, _NEG)}", _NEG
    if isinstance(e, Binary):
        return _binary(e)
    if isinstance(e, Between):
        parts = [format_expr(x, _SUM) for x in (e.operand, e.low, e.high)]
        return f"{parts[0]} between {parts[1]} and {parts[2]}", _CMP
    if isinstance(e, IfElse):
        parts = [format_expr(x) for x in (e.condition, e.then, e.otherwise)]
        return f"if {parts[0]} then {parts[1]} else {parts[2]}", _IF
    if isinstance(e, Lookback):
        return f"{format_expr(e.operand, _POSTFIX)}[{format_expr(e.bars)}]", _POSTFIX
    if isinstance(e, Field):
        return f"{format_expr(e.operand, _POSTFIX)}.{e.name}", _POSTFIX
    if isinstance(e, KeywordArg):
        return f"{e.name}={format_expr(e.value)}", _ATOM
    assert isinstance(e, Call)
    text = f"{e.name}({', '.join(format_expr(a) for a in e.args)})"
    return (f"{text}.{e.output}", _POSTFIX) if e.output else (text, _ATOM)


def _binary(e: Binary) -> tuple[str, int]:
    precedence = _BINARY_PRECEDENCE.get(e.op, _CMP)
    left_context = precedence + 1 if precedence == _CMP else precedence
    left = format_expr(e.left, left_context)
    right = format_expr(e.right, precedence + 1)
    return f"{left} {e.op.value} {right}", precedence
