"""What the kernel's Python side and its compiled side share: the numeric codes of the
program tables, scratch slots and result rows, and the `jit` decorators.

Compiled code is cached on disk, stamped with the content of this module and of every
`kernel*.py` module of this package that compiles code (uses `kc.jit*`). Numba stamps a
cached function with its own file only, so a change to a function it calls in another file
(or to a constant here, frozen into the compiled code) would otherwise leave stale machine
code in the cache. The stamp uses Numba's cache locator classes; where they, or a writable
cache directory, are missing, functions are compiled in memory, once per process (same
code, only slower to start: about 25 s on the 2-vCPU VM, against 0.5 s from the cache).

Functions decorated with `jit` must allocate nothing and keep no reference to an array:
they are compiled without Numba's reference counting, which otherwise costs an atomic
increment and decrement for every array taken out of a tuple, on every call (measured: most
of the loop's time). `jit_nrt` is for the few that allocate.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.core import caching, cgutils
from numba.core.dispatcher import Dispatcher
from numba.extending import intrinsic

_F = TypeVar("_F", bound=Callable[..., Any])

KST_NS, DAY_NS, MINUTE_NS = 9 * 3_600_000_000_000, 86_400_000_000_000, 60_000_000_000
NO_TS = 2**63 - 1
BIG = 2**62  # sizes are clamped to ±BIG before min() with a position or cash bound
EXACT = 2**53  # integers beyond it are not exact in float64
AMOUNT = 2**51  # largest fill amount: amount + costs stays exact in float64
BASE = 2**45  # largest base price: its limits stay far below EXACT

# Opcodes of the expression programs (`kernel_program`); OP_LOAD pushes slot `arg` of x.
OP_LOAD, OP_CONST, OP_NEG, OP_NOT, OP_ABS = 0, 1, 2, 3, 4
OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_AND, OP_OR = 5, 6, 7, 8, 9, 10
OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_MIN, OP_MAX = 11, 12, 13, 14, 15, 16, 17, 18
OP_BETWEEN, OP_IF = 19, 20
# Slots of the scratch array x: account, position series, the bar, market values, stack.
X_CASH, X_RESERVED, X_POSITION, X_ENTRY, X_SINCE, X_PNL = 0, 1, 2, 3, 4, 5
X_OPEN, X_HIGH, X_LOW, X_CLOSE, X_VOLUME, X_BASE, X_MARKET = 6, 7, 8, 9, 10, 11, 12
# Context.params.
P_FLAT_MODE, P_FLAT_MINUTE, P_BAR_NS, P_FILL, P_SLIPPAGE, P_NUM, P_DEN, P_RISK = range(8)
P_CASH, P_DAY0, P_FLOATS, P_BOOLS, P_STACK, P_DEPTH, P_PANEL_ROWS = range(8, 15)
PARAMS = 15
# Columns of Context.rules, and their values.
R_COND, R_COND_END, R_ACTION, R_SIZE, R_AMOUNT, R_AMOUNT_END = range(6)
R_LIMIT, R_PRICE, R_PRICE_END, R_ROUNDING, R_CONJ, R_CONJ_END = range(6, 12)
RULE_COLUMNS = 12
ACTION_BUY, ACTION_SELL, ACTION_CLOSE, ACTION_TARGET = range(4)
SIZE_SHARES, SIZE_KRW, SIZE_EQUITY, SIZE_ALL, SIZE_TARGET = range(5)
ROUND_DOWN, ROUND_UP, ROUND_NEAREST, ROUND_PASSIVE = range(4)
# Rows of Context.exits: stop loss, trailing stop, take profit (the engine's order); their
# reasons are -1 - row.
EXIT_PRESENT, EXIT_PERCENT, EXIT_DIST, EXIT_DIST_END = range(4)
REASON_STOP_LOSS, REASON_TRAILING, REASON_TAKE_PROFIT, REASON_FLAT = -1, -2, -3, -4
FLAT_NONE, FLAT_MINUTE, FLAT_END_OF_DAY = range(3)
FILL_NEXT_OPEN, FILL_CLOSE, FILL_LIMIT_TOUCH = range(3)
# Context.days[day, class] and Context.symbols[symbol] columns.
D_TICK, D_SLIP, D_PERCENT, D_TAX_NUM, D_TAX_DEN = range(5)
Y_FIRST, Y_END, Y_CLASS, Y_LEVERAGE, Y_EXEMPT = range(5)
# Columns of the order and fill rows the loop returns, and their values.
O_TS, O_SYM, O_SIDE, O_QTY, O_LIMIT_KIND, O_LIMIT, O_REASON = range(7)
O_STATUS, O_FILLED, O_REJECT, O_LOW, O_HIGH, O_ROW = range(7, 13)
ORDER_COLUMNS = 13
STATUS_EXPIRED, STATUS_FILLED, STATUS_PARTIAL, STATUS_REJECTED = range(4)
REJECT_NONE, REJECT_TICK, REJECT_LIMITS = range(3)
F_TS, F_SYM, F_SIDE, F_QTY, F_PRICE, F_COMMISSION, F_TAX, F_ORDER = range(8)
FILL_COLUMNS = 8
ERR_NONE, ERR_RANGE, ERR_NO_TAX, ERR_BAD_PRICE = range(4)
# State: per symbol (int, float columns); books (ints of the account, the current ts).
S_POS, S_PENDING, S_NEXT, S_LAST, S_FIRST_FILL = range(5)
S_BAND_DAY, S_BAND_BASE, S_BAND_LOW, S_BAND_HIGH = range(5, 9)
S_ENTRY, S_SINCE, S_PEAK, S_TRAIL, S_FIXED_SL, S_FIXED_TP = range(6)
B_CASH, B_COMMISSION, B_TAX, B_ORDERS, B_FILLS, B_ERROR, B_NOW = range(7)


@functools.cache
def _sources_digest() -> str:
    """The content of this module and of every kernel module that compiles code with it
    (module docstring); the pure-Python ones (a docstring edit) leave the cache valid."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("kernel*.py")):
        text = path.read_bytes()
        if path.name == Path(__file__).name or b"kc.jit" in text:
            digest.update(path.name.encode() + b"\0" + text)
    return digest.hexdigest()


class _KernelStamp:
    def get_source_stamp(self) -> str:
        return _sources_digest()


class _UserProvided(_KernelStamp, caching.UserProvidedCacheLocator):
    pass


class _InTree(_KernelStamp, caching.InTreeCacheLocator):
    pass


class _UserWide(_KernelStamp, caching.UserWideCacheLocator):
    pass


class _Impl(caching.CompileResultCacheImpl):
    _locator_classes = [_UserProvided, _InTree, _UserWide]  # noqa: RUF012 - numba's API


class _Cache(caching.FunctionCache):
    _impl_class = _Impl


def _compile(fn: _F, nrt: bool, inline: str = "never") -> Dispatcher[_F]:
    options: dict[str, Any] = {"nogil": True, "error_model": "numpy", "inline": inline}
    try:
        dispatcher: Any = numba.njit(**{**options, "_nrt": nrt})(fn)
    except (KeyError, TypeError):  # a Numba without the `_nrt` option
        dispatcher = numba.njit(**options)(fn)
    with contextlib.suppress(RuntimeError, AttributeError, TypeError):  # no cache directory
        dispatcher._cache = _Cache(fn)  # type: ignore[no-untyped-call]
    return cast("Dispatcher[_F]", dispatcher)


def jit(fn: _F) -> Dispatcher[_F]:
    """Compile `fn` (allocates nothing, keeps no reference) without reference counting."""
    return _compile(fn, nrt=False)


def jit_inline(fn: _F) -> Dispatcher[_F]:
    """As `jit`, and inlined into its callers by Numba (measured: a third off the loop's time;
    a call passes every array of its tuple arguments field by field)."""
    return _compile(fn, nrt=False, inline="always")


def jit_nrt(fn: _F) -> Dispatcher[_F]:
    """Compile `fn`, which allocates arrays."""
    return _compile(fn, nrt=True)


@intrinsic
def _prefetch(typingctx: Any, array: Any, index: Any) -> Any:
    """Hint that `array[index]` will be read soon (LLVM's prefetch: read, keep in cache).

    The loop visits bars in time order across symbols, so a visit often lands on cold cache
    lines; it prefetches a symbol's next bar as soon as it knows which one it is (measured:
    5-10% off the loop)."""
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        kind = signature.args[0]
        view = context.make_array(kind)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
            context, builder, kind, view, [args[1]], wraparound=False
        )
        i32, i8p = ir.IntType(32), ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, fnty, "llvm.prefetch.p0"
        )
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


prefetch = cast("Callable[[Any, int], None]", _prefetch)
"""`_prefetch` as the typed callable it is inside compiled code."""
