"""Strategy parameters: a declared default, an optional sweep range, and value checks.

`param fast = 5 in 3..10 step 1` declares a whole-number parameter with default 5 that a sweep
varies over 3, 4, ..., 10. Sweep values are computed in exact decimal steps from the literals,
so `0.1..0.3 step 0.1` gives 0.1, 0.2, 0.3 and `1%..3% step 0.5%` gives 0.01, 0.015, ..., 0.03.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from jts.strategy.lang.expr import NO_SPAN, Span
from jts.strategy.lang.typesys import Unit

ParamValue = int | float


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """A declared parameter.

    `low`/`high`/`step` are None when it is not swept. `minimum`/`maximum` are the bounds its
    uses impose (a period must be 1..10,000): an override outside them is refused even when
    the parameter has no range of its own. Percent parameters hold fractions (3% is 0.03).
    """

    name: str
    default: ParamValue
    integer: bool
    unit: Unit = Unit.PLAIN
    low: ParamValue | None = None
    high: ParamValue | None = None
    step: ParamValue | None = None
    minimum: ParamValue | None = None
    maximum: ParamValue | None = None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)

    @property
    def ranged(self) -> bool:
        return self.low is not None and self.high is not None

    def sweep_count(self) -> int:
        """How many values a sweep visits (1 when not ranged)."""
        if self.low is None or self.high is None:
            return 1
        return int((dec(self.high) - dec(self.low)) // self._step()) + 1

    def sweep_values(self) -> tuple[ParamValue, ...]:
        """low, low + step, ... up to high, in exact decimal steps; the default if not ranged."""
        if self.low is None:
            return (self.default,)
        low, step = dec(self.low), self._step()
        return tuple(self.cast(low + i * step) for i in range(self.sweep_count()))

    def on_grid(self, value: ParamValue) -> bool:
        """Whether a sweep visits `value` exactly."""
        return self.low is None or (dec(value) - dec(self.low)) % self._step() == 0

    def cast(self, value: Decimal | ParamValue) -> ParamValue:
        return int(value) if self.integer else float(value)

    def problem(self, value: object) -> str | None:
        """Why `value` cannot be bound to this parameter, or None when it can."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{value!r} is not a number"
        if not math.isfinite(value):
            return f"{value!r} is not a finite number"
        if self.integer and value != int(value):
            return f"{value!r} is not a whole number"
        if self.low is not None and self.high is not None and not self.low <= value <= self.high:
            return f"{value!r} is outside its range {show(self.low)}..{show(self.high)}"
        if self.minimum is not None and value < self.minimum:
            return f"{value!r} is below {show(self.minimum)}, the least its uses allow"
        if self.maximum is not None and value > self.maximum:
            return f"{value!r} is above {show(self.maximum)}, the most its uses allow"
        return None

    def _step(self) -> Decimal:
        return dec(self.step if self.step is not None else 1)


def dec(value: ParamValue) -> Decimal:
    """`value` as an exact Decimal of its shortest repr (0.1 is Decimal("0.1"))."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def show(value: ParamValue) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
