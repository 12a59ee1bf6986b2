"""The indicator table: parameters, inputs, outputs, warm-up and NaN policy of every indicator.

One row per name, read by the strategy-language type checker, by both executors and by the
tests. The table itself is plain data: no NumPy, no Numba.

Vocabulary used by every row:

* **args** are series the program passes in the call (`sma(close, 20)`: `x` is `close`);
  **fields** are bar fields the indicator reads by itself (`atr(14)` reads high, low, close).
  The kernels take args first, then fields, in the order listed. `new_session` is the one
  non-price field: a per-bar boolean, true on the first bar of a trading day, that the caller
  derives from its calendar (it resets the session VWAP).
* **Valid bar**: a bar on which every input is finite. NaN and ±inf are *missing data*.
* **NaN policy "skip"** (every indicator): on a bar that is not valid the output is NaN and the
  state is left exactly as it was, as if the bar had never happened. Windows therefore span
  the last `n` *valid* bars: leading NaNs (a symbol not yet listed) only delay the warm-up, a
  halted minute neither resets an average nor poisons it forever.
* **NaN policy "session"** (vwap): as "skip", except that the `new_session` flag resets the
  session sums on its bar even when that bar's prices are missing.
* **NaN policy "positional"** (the boolean helpers): they look at consecutive *bars*, not valid
  bars, and are false whenever a value they need is NaN.
* **Warm-up** of an output: the number of leading valid bars on which it is NaN. On a series
  without missing data, output[i] is NaN exactly for i < warm-up (apart from the division
  rules in the row's doc, e.g. roc against 0). For the helpers it counts bars and the output is
  false rather than NaN.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from jts.core.errors import InvalidInput

ParamValue = int | float
Params = Mapping[str, ParamValue]
NanPolicy = Literal["skip", "session", "positional"]

BAR_FIELDS = ("open", "high", "low", "close", "volume", "value", "new_session")


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """One parameter: `kind` int or float, `default` None when the program must give it."""

    name: str
    kind: Literal["int", "float"]
    default: ParamValue | None
    minimum: ParamValue
    doc: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorSpec:
    """One row of the table; `warmup(params)` gives one length per output, in output order."""

    name: str
    params: tuple[Param, ...]
    args: tuple[str, ...]
    fields: tuple[str, ...]
    outputs: tuple[str, ...]
    output_type: Literal["float", "bool"]
    warmup: Callable[[Params], tuple[int, ...]]
    nan_policy: NanPolicy
    doc: str

    @property
    def inputs(self) -> tuple[str, ...]:
        """Kernel inputs in call order: the series arguments, then the bar fields."""
        return self.args + self.fields


def _n(default: int | None = None, doc: str = "window length in valid bars") -> Param:
    return Param(name="n", kind="int", default=default, minimum=1, doc=doc)


def _i(params: Params, name: str) -> int:
    return int(params[name])


def _window(p: Params) -> tuple[int, ...]:
    return (_i(p, "n") - 1,)


def _after_n(p: Params) -> tuple[int, ...]:
    return (_i(p, "n"),)


def _none(p: Params) -> tuple[int, ...]:
    return (0,)


def _one_bar(p: Params) -> tuple[int, ...]:
    return (1,)


def _macd(p: Params) -> tuple[int, ...]:
    line = max(_i(p, "fast"), _i(p, "slow")) - 1
    signal = line + _i(p, "signal") - 1
    return (line, signal, signal)


def _bollinger(p: Params) -> tuple[int, ...]:
    return (_i(p, "n") - 1,) * 3


def _stochastic(p: Params) -> tuple[int, ...]:
    k = _i(p, "n") - 1 + _i(p, "smooth") - 1
    return (k, k + _i(p, "d") - 1)


def _row(
    name: str,
    params: tuple[Param, ...],
    warmup: Callable[[Params], tuple[int, ...]],
    doc: str,
    *,
    args: tuple[str, ...] = ("x",),
    fields: tuple[str, ...] = (),
    outputs: tuple[str, ...] = ("value",),
    output_type: Literal["float", "bool"] = "float",
    nan_policy: NanPolicy = "skip",
) -> IndicatorSpec:
    return IndicatorSpec(
        name=name,
        params=params,
        args=args,
        fields=fields,
        outputs=outputs,
        output_type=output_type,
        warmup=warmup,
        nan_policy=nan_policy,
        doc=doc,
    )


_HLC = ("high", "low", "close")

SPECS: Mapping[str, IndicatorSpec] = {
    s.name: s
    for s in (
        _row("sma", (_n(),), _window, "Mean of the last n valid values (window sum / n)."),
        _row(
            "ema",
            (_n(),),
            _window,
            "Exponential average, alpha = 2/(n+1), seeded with the sma of the first n values;"
            " then e += alpha * (x - e).",
        ),
        _row("wma", (_n(),), _window, "Weights 1..n, newest heaviest, over n(n+1)/2."),
        _row(
            "rsi",
            (_n(14),),
            _after_n,
            "Wilder RSI: averages of gains and losses seeded with the mean of the first n"
            " changes, then avg = (avg*(n-1) + new)/n; 100*gain/(gain+loss); 100 with no"
            " losses, 0 with no gains, 50 when both are zero (a flat window).",
        ),
        _row(
            "macd",
            (
                Param(name="fast", kind="int", default=12, minimum=1, doc="fast ema length"),
                Param(name="slow", kind="int", default=26, minimum=1, doc="slow ema length"),
                Param(name="signal", kind="int", default=9, minimum=1, doc="signal ema length"),
            ),
            _macd,
            "line = ema(x, fast) - ema(x, slow); signal = ema(line, signal); hist = line - signal.",
            outputs=("line", "signal", "hist"),
        ),
        _row(
            "bollinger",
            (
                _n(20),
                Param(name="k", kind="float", default=2.0, minimum=0.0, doc="width in stdevs"),
            ),
            _bollinger,
            "mid = sma(x, n) (bit for bit); upper/lower = mid ± k * stdev(x, n), the"
            " population standard deviation (divided by n, not n - 1).",
            outputs=("upper", "mid", "lower"),
        ),
        _row(
            "atr",
            (_n(14),),
            _window,
            "Wilder average of the true range max(h-l, |h-prev c|, |l-prev c|); the first"
            " valid bar's range is h-l; seeded with the mean of the first n ranges.",
            args=(),
            fields=_HLC,
        ),
        _row(
            "stochastic",
            (
                _n(14, "look-back of the highest high and lowest low"),
                Param(name="smooth", kind="int", default=3, minimum=1, doc="sma of raw %K"),
                Param(name="d", kind="int", default=3, minimum=1, doc="sma of %K giving %D"),
            ),
            _stochastic,
            "raw = (c - lowest low)/(highest high - lowest low)*100 over n bars (50 when the"
            " range is zero); k = sma(raw, smooth); d = sma(k, d).",
            args=(),
            fields=_HLC,
            outputs=("k", "d"),
        ),
        _row(
            "vwap",
            (),
            _none,
            "Session VWAP of the typical price (h+l+c)/3 weighted by volume, reset on bars"
            " flagged new_session; NaN while the session has no volume.",
            args=(),
            fields=(*_HLC, "volume", "new_session"),
            nan_policy="session",
        ),
        _row("highest", (_n(),), _window, "Largest of the last n valid values."),
        _row("lowest", (_n(),), _window, "Smallest of the last n valid values."),
        _row(
            "roc",
            (_n(),),
            _after_n,
            "Percent change over n valid bars: (x - x_n)/x_n*100; NaN when x_n is 0.",
        ),
        _row("stdev", (_n(),), _window, "Population standard deviation of the last n values."),
        _row(
            "obv",
            (),
            _none,
            "On-balance volume: 0 on the first valid bar, then ± volume as close rises or"
            " falls against the previous valid close.",
            args=(),
            fields=("close", "volume"),
        ),
        _row(
            "crosses_above",
            (),
            _one_bar,
            "a > b on this bar and a <= b on the previous bar, all four values defined.",
            args=("a", "b"),
            output_type="bool",
            nan_policy="positional",
        ),
        _row(
            "crosses_below",
            (),
            _one_bar,
            "a < b on this bar and a >= b on the previous bar, all four values defined.",
            args=("a", "b"),
            output_type="bool",
            nan_policy="positional",
        ),
        _row(
            "rising",
            (_n(doc="number of consecutive increases"),),
            _after_n,
            "x[t] > x[t-1] > ... > x[t-n]: strictly up on each of the last n bars, all n+1"
            " values defined.",
            output_type="bool",
            nan_policy="positional",
        ),
        _row(
            "falling",
            (_n(doc="number of consecutive decreases"),),
            _after_n,
            "x[t] < x[t-1] < ... < x[t-n]: strictly down on each of the last n bars, all n+1"
            " values defined.",
            output_type="bool",
            nan_policy="positional",
        ),
    )
}


def resolve(name: str, given: Mapping[str, object]) -> dict[str, ParamValue]:
    """Check `given` against the row of `name` and fill defaults; raises `InvalidInput`."""
    spec = SPECS.get(name)
    if spec is None:
        raise InvalidInput("indicator", f"unknown indicator {name!r}")
    known = {p.name for p in spec.params}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InvalidInput(f"{name}.{unknown[0]}", f"{name} has no parameter {unknown[0]!r}")
    out: dict[str, ParamValue] = {}
    for param in spec.params:
        value = given.get(param.name, param.default)
        if value is None:
            raise InvalidInput(f"{name}.{param.name}", "is required")
        out[param.name] = check_param(name, param, value)
    return out


def check_param(indicator: str, param: Param, value: object) -> ParamValue:
    """`value` as the parameter's kind, or `InvalidInput` naming `indicator.param`."""
    field = f"{indicator}.{param.name}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInput(field, f"must be a number, got {value!r}")
    if param.kind == "int":
        if not isinstance(value, numbers.Integral):
            raise InvalidInput(field, f"must be an integer, got {value!r}")
        whole = operator.index(value)
        if whole < param.minimum:
            raise InvalidInput(field, f"must be >= {param.minimum}, got {whole}")
        return whole
    number = float(value)
    if not param.minimum <= number < math.inf:
        raise InvalidInput(field, f"must be a finite number >= {param.minimum}, got {value!r}")
    return number


def checked(indicator: str, **given: ParamValue) -> dict[str, ParamValue]:
    """Shorthand for the kernels: `resolve` with keyword arguments."""
    return resolve(indicator, given)


def window_length(indicator: str, n: int) -> int:
    """The checked `n` of a one-parameter indicator (`sma`, `highest`, `rising` ...)."""
    return int(resolve(indicator, {"n": n})["n"])
