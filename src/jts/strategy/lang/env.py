"""The checking environment shared by the statement, expression and call checkers.

`Env` holds what expressions may refer to (params, the lets defined so far, whether the
program has an intraday timeframe and a `select`), the bounds params' uses impose, and the
diagnostics collected so far.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from jts.strategy.lang.errors import Diagnostic, diagnostic
from jts.strategy.lang.expr import Span
from jts.strategy.lang.params import Param, show
from jts.strategy.lang.typesys import Type, Unit

_UNIT_WORDS = {
    Unit.PLAIN: "a plain number",
    Unit.PERCENT: "a percent",
    Unit.POINTS: "points (0-100)",
    Unit.KRW: "KRW",
}


@dataclass
class Env:
    """What expressions may refer to, and where problems go; owned by the program checker."""

    source: str
    params: dict[str, Param]
    intraday: bool
    has_selection: bool
    lets: dict[str, Type] = field(default_factory=dict)
    let_uses_selection: dict[str, bool] = field(default_factory=dict)
    let_lines: dict[str, int] = field(default_factory=dict)
    param_bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, span: Span, message: str) -> None:
        width = span.end_column - span.column if span.end_line == span.line else 1
        self.diagnostics.append(
            diagnostic(self.source, span.line, span.column, message, width=max(width, 1))
        )

    def unit_error(self, span: Span, verb: str, a: Unit, b: Unit) -> None:
        """Two units that cannot meet, with a hint for the usual mistakes."""
        hint = ""
        if {a, b} == {Unit.KRW, Unit.PERCENT}:
            hint = " (to move a price by a percent, multiply: close * (1 + 2%))"
        elif Unit.POINTS in (a, b):
            hint = " (rsi, stochastic and roc are 0-100 points: write 30, not 30%)"
        self.error(span, f"cannot {verb} {_UNIT_WORDS[a]} and {_UNIT_WORDS[b]}{hint}")


def suggest(name: str, candidates: list[str]) -> str:
    """ "; did you mean 'close'?" when a candidate is close enough, else ""."""
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f"; did you mean '{match[0]}'?" if match else ""


def whole_number(value: float) -> str:
    return show(int(value)) if value == int(value) else show(value)
