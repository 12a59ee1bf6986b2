"""Indicators over whole series: a 1-D series or a 2-D (bars × symbols) array at once.

Each function takes array-likes of one shape (1-D: bars; 2-D: bars × symbols, one column per
symbol, computed independently) and returns float64 arrays of that shape; multi-output
indicators return a named tuple in the order of `spec.SPECS[name].outputs`, the boolean helpers
return bool arrays. The kernels walk each symbol's bars in memory order, so 2-D inputs are
copied to column-major (Fortran) order first unless they already are, and 2-D results come back
column-major: pass F-ordered panels (`np.asfortranarray`) to skip the copy.

Results equal the `stream` classes fed bar by bar, bit for bit, including the warm-up and the
NaN policy documented in `spec`.

The recurrences run in the Numba kernels of `kernels`; composite indicators (macd, bollinger,
stochastic) chain kernels with NumPy elementwise arithmetic, which is the same IEEE arithmetic
the stream classes do per bar. Numba compiles a kernel on its first call (seconds, then cached
on disk): call `warm_up()` before anything timed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from jts.core.errors import InvalidInput
from jts.strategy.indicators import kernels
from jts.strategy.indicators.spec import SPECS, Params, checked, resolve

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_G = TypeVar("_G", bound=np.generic)


class MacdOut(NamedTuple):
    line: FloatArray
    signal: FloatArray
    hist: FloatArray


class BollingerOut(NamedTuple):
    upper: FloatArray
    mid: FloatArray
    lower: FloatArray


class StochasticOut(NamedTuple):
    k: FloatArray
    d: FloatArray


def _as_rows(name: str, *series: npt.ArrayLike) -> tuple[list[FloatArray], tuple[int, ...]]:
    """The inputs as C-contiguous (symbols × bars) float64 arrays, the layout of the kernels,
    and the caller's shape to give results back in (no copy when a 2-D input is F-ordered)."""
    arrays = [np.asarray(s, dtype=np.float64) for s in series]
    shape = arrays[0].shape
    if len(shape) not in (1, 2):
        raise InvalidInput(name, f"inputs must be 1-D or 2-D (bars × symbols), got {shape}")
    for a in arrays[1:]:
        if a.shape != shape:
            raise InvalidInput(name, f"inputs differ in shape: {shape} and {a.shape}")
    return [np.ascontiguousarray(a.reshape(1, -1) if a.ndim == 1 else a.T) for a in arrays], shape


def _shaped(out: npt.NDArray[_G], shape: tuple[int, ...]) -> npt.NDArray[_G]:
    """A (symbols × bars) result as the caller's (bars,) or (bars × symbols), without a copy."""
    return out.T.reshape(shape)


def _int(indicator: str, **given: int | float) -> dict[str, int]:
    return {k: int(v) for k, v in checked(indicator, **given).items()}


def sma(x: npt.ArrayLike, n: int) -> FloatArray:
    """Mean of the last `n` valid values."""
    p = _int("sma", n=n)["n"]
    (a,), shape = _as_rows("sma", x)
    out = np.empty_like(a)
    kernels.window_mean(a, p, float(p), out, out, False)
    return _shaped(out, shape)


def _moments(name: str, x: npt.ArrayLike, n: int) -> tuple[FloatArray, FloatArray]:
    (a,), shape = _as_rows(name, x)
    mean = np.empty_like(a)
    sd = np.empty_like(a)
    kernels.window_mean(a, n, float(n), mean, sd, True)
    return _shaped(mean, shape), _shaped(sd, shape)


def stdev(x: npt.ArrayLike, n: int) -> FloatArray:
    """Population standard deviation (divides by n) of the last `n` valid values."""
    return _moments("stdev", x, _int("stdev", n=n)["n"])[1]


def bollinger(x: npt.ArrayLike, n: int = 20, k: float = 2.0) -> BollingerOut:
    """mid = sma(x, n) bit for bit; upper / lower = mid ± k × population stdev."""
    p = checked("bollinger", n=n, k=k)
    mid, sd = _moments("bollinger", x, int(p["n"]))
    with np.errstate(all="ignore"):  # inf - inf is NaN here as in the stream, silently
        width = float(p["k"]) * sd
        return BollingerOut(mid + width, mid, mid - width)


def wma(x: npt.ArrayLike, n: int) -> FloatArray:
    """Linearly weighted mean of the last `n` valid values (weights 1..n, newest heaviest)."""
    p = _int("wma", n=n)["n"]
    (a,), shape = _as_rows("wma", x)
    out = np.empty_like(a)
    kernels.wma(a, p, float(p), float(p * (p + 1) // 2), out)
    return _shaped(out, shape)


def _ema(a: FloatArray, n: int) -> FloatArray:
    out = np.empty_like(a)
    kernels.ema(a, n, float(n), 2.0 / (n + 1), out)
    return out


def ema(x: npt.ArrayLike, n: int) -> FloatArray:
    """Exponential average, alpha = 2/(n+1), seeded with the mean of the first `n` values."""
    p = _int("ema", n=n)["n"]
    (a,), shape = _as_rows("ema", x)
    return _shaped(_ema(a, p), shape)


def macd(x: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> MacdOut:
    """line = ema(fast) - ema(slow); signal = ema(line, signal); hist = line - signal."""
    p = _int("macd", fast=fast, slow=slow, signal=signal)
    (a,), shape = _as_rows("macd", x)
    with np.errstate(all="ignore"):  # inf - inf is NaN here as in the stream, silently
        line = _ema(a, p["fast"]) - _ema(a, p["slow"])
        sig = _ema(line, p["signal"])
        hist = line - sig
    return MacdOut(_shaped(line, shape), _shaped(sig, shape), _shaped(hist, shape))


def rsi(x: npt.ArrayLike, n: int = 14) -> FloatArray:
    """Wilder RSI in percent; 100 with no losses, 50 when the window did not move."""
    p = _int("rsi", n=n)["n"]
    (a,), shape = _as_rows("rsi", x)
    out = np.empty_like(a)
    kernels.rsi(a, p, float(p), float(p - 1), out)
    return _shaped(out, shape)


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, n: int = 14) -> FloatArray:
    """Wilder average true range."""
    p = _int("atr", n=n)["n"]
    (h, lo, c), shape = _as_rows("atr", high, low, close)
    out = np.empty_like(c)
    kernels.atr(h, lo, c, p, float(p), float(p - 1), out)
    return _shaped(out, shape)


def stochastic(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    n: int = 14,
    smooth: int = 3,
    d: int = 3,
) -> StochasticOut:
    """%K = sma(raw %K over `n` bars, `smooth`); %D = sma(%K, `d`). Raw is 50 with no range."""
    p = _int("stochastic", n=n, smooth=smooth, d=d)
    (h, lo, c), shape = _as_rows("stochastic", high, low, close)
    raw = np.empty_like(c)
    kernels.stochastic_raw(h, lo, c, p["n"], raw)
    k = np.empty_like(c)
    kernels.window_mean(raw, p["smooth"], float(p["smooth"]), k, k, False)
    dd = np.empty_like(c)
    kernels.window_mean(k, p["d"], float(p["d"]), dd, dd, False)
    return StochasticOut(_shaped(k, shape), _shaped(dd, shape))


def vwap(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    new_session: npt.ArrayLike,
) -> FloatArray:
    """Session VWAP of (h+l+c)/3; `new_session` is true on the first bar of each day."""
    (h, lo, c, v), shape = _as_rows("vwap", high, low, close, volume)
    flags = np.asarray(new_session, dtype=np.bool_)
    if flags.shape != shape:
        raise InvalidInput("vwap", f"new_session has shape {flags.shape}, prices {shape}")
    out = np.empty_like(c)
    rows = np.ascontiguousarray(flags.reshape(1, -1) if flags.ndim == 1 else flags.T)
    kernels.vwap(h, lo, c, v, rows, out)
    return _shaped(out, shape)


def _extreme(name: str, x: npt.ArrayLike, n: int, top: bool) -> FloatArray:
    p = _int(name, n=n)["n"]
    (a,), shape = _as_rows(name, x)
    out = np.empty_like(a)
    kernels.extreme(a, p, top, out)
    return _shaped(out, shape)


def highest(x: npt.ArrayLike, n: int) -> FloatArray:
    """Largest of the last `n` valid values (of equal values, the newest: 0.0 vs -0.0)."""
    return _extreme("highest", x, n, True)


def lowest(x: npt.ArrayLike, n: int) -> FloatArray:
    """Smallest of the last `n` valid values (of equal values, the newest: 0.0 vs -0.0)."""
    return _extreme("lowest", x, n, False)


def roc(x: npt.ArrayLike, n: int) -> FloatArray:
    """Percent change over `n` valid bars; NaN when the earlier value is 0."""
    p = _int("roc", n=n)["n"]
    (a,), shape = _as_rows("roc", x)
    out = np.empty_like(a)
    kernels.roc(a, p, out)
    return _shaped(out, shape)


def obv(close: npt.ArrayLike, volume: npt.ArrayLike) -> FloatArray:
    """On-balance volume, 0 at the first valid bar."""
    (c, v), shape = _as_rows("obv", close, volume)
    out = np.empty_like(c)
    kernels.obv(c, v, out)
    return _shaped(out, shape)


def crosses_above(a: npt.ArrayLike, b: npt.ArrayLike) -> BoolArray:
    """a > b on this bar and a <= b on the previous bar (NaN anywhere makes it false)."""
    (x, y), shape = _as_rows("crosses_above", a, b)
    out = np.zeros(x.shape, dtype=np.bool_)
    out[:, 1:] = (x[:, 1:] > y[:, 1:]) & (x[:, :-1] <= y[:, :-1])
    return _shaped(out, shape)


def crosses_below(a: npt.ArrayLike, b: npt.ArrayLike) -> BoolArray:
    """a < b on this bar and a >= b on the previous bar (NaN anywhere makes it false)."""
    (x, y), shape = _as_rows("crosses_below", a, b)
    out = np.zeros(x.shape, dtype=np.bool_)
    out[:, 1:] = (x[:, 1:] < y[:, 1:]) & (x[:, :-1] >= y[:, :-1])
    return _shaped(out, shape)


def _run(name: str, x: npt.ArrayLike, n: int, up: bool) -> BoolArray:
    p = _int(name, n=n)["n"]
    (a,), shape = _as_rows(name, x)
    out = np.empty(a.shape, dtype=np.bool_)
    kernels.run_length(a, p, up, out)
    return _shaped(out, shape)


def rising(x: npt.ArrayLike, n: int) -> BoolArray:
    """x[t] > x[t-1] > ... > x[t-n]: strictly up on each of the last `n` bars, all defined."""
    return _run("rising", x, n, True)


def falling(x: npt.ArrayLike, n: int) -> BoolArray:
    """x[t] < x[t-1] < ... < x[t-n]: strictly down on each of the last `n` bars, all defined."""
    return _run("falling", x, n, False)


def warm_up() -> None:
    """Compile (or load from the cache) every kernel, so later calls start at full speed."""
    x = np.linspace(1.0, 2.0, 8)
    flags = np.zeros(8, dtype=np.bool_)
    for f in (sma, stdev, wma, ema, rsi, highest, lowest, roc, rising, falling):
        f(x, 2)
    macd(x, 2, 3, 2)
    bollinger(x, 2)
    atr(x, x, x, 2)
    stochastic(x, x, x, 2, 2, 2)
    vwap(x, x, x, x, flags)
    obv(x, x)


FUNCTIONS: Mapping[str, Callable[..., FloatArray | BoolArray | tuple[FloatArray, ...]]] = {
    "sma": sma,
    "ema": ema,
    "wma": wma,
    "rsi": rsi,
    "macd": macd,
    "bollinger": bollinger,
    "atr": atr,
    "stochastic": stochastic,
    "vwap": vwap,
    "highest": highest,
    "lowest": lowest,
    "roc": roc,
    "stdev": stdev,
    "obv": obv,
    "crosses_above": crosses_above,
    "crosses_below": crosses_below,
    "rising": rising,
    "falling": falling,
}


def compute(
    name: str, inputs: Sequence[npt.ArrayLike], params: Params
) -> tuple[FloatArray | BoolArray, ...]:
    """Indicator `name` over `inputs` (in `SPECS[name].inputs` order): one array per output."""
    spec = SPECS.get(name)
    if spec is None:
        raise InvalidInput("indicator", f"unknown indicator {name!r}")
    if len(inputs) != len(spec.inputs):
        raise InvalidInput(name, f"takes {len(spec.inputs)} input series, got {len(inputs)}")
    result = FUNCTIONS[name](*inputs, **resolve(name, params))
    return tuple(result) if isinstance(result, tuple) else (result,)
