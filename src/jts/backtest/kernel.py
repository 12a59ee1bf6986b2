"""The vectorized runner's fast path: the whole run compiled, same results to the last bit.

    if kernel.supports(program, prepared, risk):
        out = kernel.run(program, prepared, risk)      # None: run the Python path instead

`jts.backtest.vector.run_vector` calls this first and keeps the Python path (strategy engine,
`Matcher`, `Ledger`, `OrderJournal`, risk checks) as the fallback and as the oracle the tests
hold the kernel to: identical orders and fills tables, cash, positions and costs.

How a run goes
    1. The market-only expressions the program's remainder reads are evaluated as in
       `evaluate_vector` (the same evaluator, on another thread, independent nodes
       concurrently) and kept as panels (`kernel_market`).
    2. The position-dependent rest of the program becomes data (`kernel_program`): a small
       stack code per expression plus rule and exit tables; KRX rules become per-day tables
       (`kernel_tables`). Nothing is generated per program, so one compiled loop serves
       every program and every parameter set (compiled once, cached on disk:
       `kernel_core`).
    3. The loop (`kernel_run`, `kernel_loop`, `kernel_fills`) walks the timestamps in order
       like `Engine.on_timestamp`, visiting a symbol's bar only where something can happen
       (as the engine's `Driver` does), with the fill matcher, costs, ledger, journal and
       the tick/band checks inlined.
    4. The int rows it returns become the two polars tables (`kernel_output`).

Why the results are identical rather than close
    The loop performs the engine's float operations (cash, reservation, entry prices, exit
    levels, sizes, equity summed in registration order) in the same order with IEEE float64
    and no fastmath, reads the same market values (the same evaluator), and does the money
    in int64 where Python uses ints. Where int64/float64 could part from Python's unbounded
    ints (values near 2**53 or 2**63) or where the Python path would raise, the loop stops
    and `run` returns None: the Python path then runs and does whatever it does.

What is supported (`unsupported_reason` says why not, for the CLI and the benchmark)
    Every rule, size, order type, rounding, exit and flat of the language, all fill models,
    slippage, participation caps, both cost models, price limits, tick rules by date and
    instrument, and the default risk checks (`BACKTEST_LIMITS` or no risk at all). Not:
    `select` (cross-sectional selection), settlement, non-default risk limits, custom cost
    models or matchers, duplicate timestamps of a symbol, expressions over position series
    other than arithmetic/logic/`abs`/`min`/`max` (those are `NotExecutable` anyway), more
    than `MAX_COLUMNS` market columns of one kind.

The kernel does not touch `prepared.ledger` (the Python path books into it): a kernel run's
account is in its `RunOutput` only.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc
from jts.backtest.costs import KrxCosts, NoCosts
from jts.backtest.fills import Matcher, default_instrument
from jts.backtest.kernel_market import Layout, live_rules, market_columns, symbol_ranges
from jts.backtest.kernel_output import fills_frame, order_ids, orders_frame, positions
from jts.backtest.kernel_program import MAX_COLUMNS, Compiled, Unsupported, compile_code
from jts.backtest.kernel_run import run as run_loop
from jts.backtest.kernel_tables import Context, Rows, day_tables, scan, symbol_classes
from jts.backtest.risk_context import BacktestRisk
from jts.backtest.runner import Prepared, RunOutput
from jts.marketdata.frames import BarFrame
from jts.risk.engine import TradingState
from jts.strategy.evaluate.split import Split, split_program
from jts.strategy.lang.ast import Program

__all__ = ["run", "supports", "unsupported_reason"]

I1 = npt.NDArray[np.int64]

_FILL_KINDS = {
    "next_open": kc.FILL_NEXT_OPEN,
    "close": kc.FILL_CLOSE,
    "limit_touch": kc.FILL_LIMIT_TOUCH,
}
_NUMERIC_LIMITS = (
    "max_order_qty",
    "max_order_value",
    "max_position_qty",
    "max_gross_exposure",
    "fat_finger_pct",
    "max_orders_per_second",
    "max_orders_per_minute",
    "daily_loss_limit",
)
_MAX_CASH = 2**52
_MAX_RATIO = 2**31
_MAX_LEVERAGE = 100


@dataclass(frozen=True, slots=True)
class _Plan:
    split: Split
    compiled: Compiled


def _risk_reason(risk: BacktestRisk | None) -> str | None:
    """Only the checks that are always on (tick, price band) may be active."""
    if risk is None:
        return None
    if type(risk) is not BacktestRisk:
        return "a custom risk context"
    if risk.engine.state is not TradingState.ACTIVE:
        return f"risk engine is {risk.engine.state}"
    limits = risk.engine.limits
    if limits.check_cash or any(getattr(limits, name) is not None for name in _NUMERIC_LIMITS):
        return "risk limits other than the backtest defaults"
    return None


def _run_reason(prepared: Prepared) -> str | None:
    matcher, ledger = prepared.matcher, prepared.ledger
    if not len(prepared.bars):
        return "no bars"
    if prepared.config.settlement or ledger.settlement:
        return "settlement (T+2 cash) is not compiled"
    if type(matcher) is not Matcher or type(matcher.costs) not in (KrxCosts, NoCosts):
        return "a custom fill matcher or cost model"
    rate = matcher.costs.commission_rate if isinstance(matcher.costs, KrxCosts) else None
    if rate is not None and rate.as_integer_ratio()[1] >= _MAX_RATIO:
        return "a commission rate with too many digits"
    if not 0 < ledger.cash < _MAX_CASH:
        return "cash beyond 2**52 KRW"
    if any(not 1 <= ins.leverage <= _MAX_LEVERAGE for ins in matcher.instruments.values()):
        return "an instrument leverage outside 1..100"
    return None


def _plan(program: Program) -> _Plan | str:
    """The compiled program, or why it cannot be compiled."""
    split = split_program(program)
    try:
        compiled = compile_code(program, split)
    except Unsupported as exc:
        return str(exc)
    return _Plan(split, compiled)


def unsupported_reason(
    program: Program, prepared: Prepared, risk: BacktestRisk | None = None
) -> str | None:
    """Why `run` would not take this run (None: it does); the Python path runs it instead."""
    reason = _risk_reason(risk) or _run_reason(prepared)
    if reason is not None:
        return reason
    plan = _plan(program)
    return plan if isinstance(plan, str) else None


def supports(program: Program, prepared: Prepared, risk: BacktestRisk | None = None) -> bool:
    """Whether `run` takes this run (module docstring)."""
    return unsupported_reason(program, prepared, risk) is None


@dataclass(frozen=True, slots=True)
class _Market:
    live: npt.NDArray[np.int8]
    fcols: tuple[npt.NDArray[np.float64], ...]
    bcols: tuple[npt.NDArray[np.bool_], ...]


@dataclass(frozen=True, slots=True)
class _Inputs:
    context: Context
    rows: Rows
    live: npt.NDArray[np.int8]
    fcols: tuple[npt.NDArray[np.float64], ...]
    bcols: tuple[npt.NDArray[np.bool_], ...]
    codes: list[str]


def _params(plan: _Plan, prepared: Prepared, risk: bool, day0: int, panel_rows: int) -> I1:
    """`Context.params` (slots `kernel_core.P_*`)."""
    code, model, costs = plan.compiled.code, prepared.matcher.model, prepared.matcher.costs
    num, den = costs.commission_rate.as_integer_ratio() if isinstance(costs, KrxCosts) else (0, 1)
    floats, bools = len(plan.compiled.float_ids), len(plan.compiled.bool_ids)
    params = np.zeros(kc.PARAMS, np.int64)
    params[kc.P_FLAT_MODE], params[kc.P_FLAT_MINUTE] = code.flat_mode, code.flat_minute
    params[kc.P_BAR_NS], params[kc.P_FILL] = code.bar_ns, _FILL_KINDS[model.kind]
    params[kc.P_SLIPPAGE], params[kc.P_NUM], params[kc.P_DEN] = model.slippage_ticks, num, den
    params[kc.P_RISK], params[kc.P_CASH], params[kc.P_DAY0] = risk, prepared.ledger.cash, day0
    params[kc.P_FLOATS], params[kc.P_BOOLS] = floats, bools
    params[kc.P_STACK], params[kc.P_DEPTH] = kc.X_MARKET + floats + bools, code.depth + 1
    params[kc.P_PANEL_ROWS] = panel_rows
    return params


def _context(
    plan: _Plan, prepared: Prepared, risk: bool, ts: I1, first: I1, end: I1, panel_rows: int
) -> Context | None:
    """The loop's tables (`kernel_tables.Context`); None when a symbol repeats a ts."""
    day0, present, rising = scan(ts, first, end)
    if not rising:
        return None
    matcher, code = prepared.matcher, plan.compiled.code
    codes = [str(c) for c in np.asarray(prepared.bars["symbol"])[first]]
    instruments = [matcher.instruments.get(c) or default_instrument(c) for c in codes]
    classes = symbol_classes(instruments, matcher.costs)
    tables = day_tables(day0, present, classes.kinds, code.flat_mode == kc.FLAT_END_OF_DAY)
    table = np.stack([first, end, classes.cls, classes.leverage, classes.exempt], axis=1)
    return Context(
        code.ops,
        code.consts,
        code.rules,
        code.conj,
        code.exits,
        tables.ticks,
        tables.days,
        tables.auction,
        table.astype(np.int64),
        np.argsort(ts[first], kind="stable").astype(np.int64),
        _params(plan, prepared, risk, day0, panel_rows),
        np.nan if matcher.model.cap is None else float(matcher.model.cap),
        ts,
        np.asarray(prepared.bars["close"], dtype=np.int64),
    )


def _market(plan: _Plan, program: Program, bars: BarFrame, layout: Layout) -> _Market:
    """The market columns the code reads (padded to `MAX_COLUMNS`) and the live rules."""
    ids = (plan.compiled.float_ids, plan.compiled.bool_ids)
    fcols, bcols = market_columns(program, bars, plan.split, layout, ids)
    code = plan.compiled.code
    live = live_rules(code.rules, code.conj, bcols, layout.shape[0] * layout.shape[1])
    fcols += [np.zeros(0, np.float64)] * (MAX_COLUMNS - len(fcols))
    bcols += [np.zeros(0, np.bool_)] * (MAX_COLUMNS - len(bcols))
    return _Market(live, tuple(fcols), tuple(bcols))


def _inputs(plan: _Plan, program: Program, prepared: Prepared, risk: bool) -> _Inputs | None:
    """Everything the loop reads; the market columns are computed on another thread while
    this one builds the tables (the indicator kernels and NumPy release the GIL)."""
    bars = prepared.bars
    ts = np.asarray(bars["ts"], dtype=np.int64)
    symbols = np.asarray(bars["symbol"])
    first, end = symbol_ranges(symbols)
    layout = Layout(len(ts), first, end)
    with ThreadPoolExecutor(max_workers=1) as pool:
        market = pool.submit(_market, plan, program, bars, layout)
        context = _context(plan, prepared, risk, ts, first, end, layout.shape[0])
        columns = market.result()
    if context is None:
        return None
    open_, high, low, close, volume = (
        np.asarray(bars[f], dtype=np.int64) for f in ("open", "high", "low", "close", "volume")
    )
    rows = Rows(ts, open_, high, low, close, volume, prepared.base)
    codes = [str(code) for code in symbols[first]]
    return _Inputs(context, rows, columns.live, columns.fcols, columns.bcols, codes)


def run(program: Program, prepared: Prepared, risk: BacktestRisk | None = None) -> RunOutput | None:
    """The run compiled (module docstring); None when it must run in Python after all."""
    if _risk_reason(risk) or _run_reason(prepared):
        return None
    plan = _plan(program)
    if isinstance(plan, str):
        return None
    inputs = _inputs(plan, program, prepared, risk is not None)
    if inputs is None:
        return None
    orders, fills, x, books, state = run_loop(
        inputs.context, inputs.rows, inputs.live, inputs.fcols, inputs.bcols
    )
    if books[kc.B_ERROR] != kc.ERR_NONE:
        return None
    codes, rules = inputs.codes, len(program.rules)
    ids = order_ids(orders.shape[1])
    with ThreadPoolExecutor(max_workers=1) as pool:  # polars releases the GIL
        fill_frame = pool.submit(fills_frame, fills, orders, ids, codes, rules)
        order_frame = orders_frame(orders, ids, codes, rules, program.name)
        fill_result = fill_frame.result()
    return RunOutput(
        orders=order_frame,
        fills=fill_result,
        final_cash=int(books[kc.B_CASH]),
        engine_cash=float(x[kc.X_CASH]),
        positions=positions(state, codes),
        commission=int(books[kc.B_COMMISSION]),
        tax=int(books[kc.B_TAX]),
    )
