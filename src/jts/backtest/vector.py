"""The vectorized runner: the strategy's vectorized executor plus the fill models, costs and
risk checks of the event-driven runner, applied only where something happens.

`jts.strategy.execute.run_vectorized` computes every market-only expression over the whole
frame at once and feeds the strategy engine only the bars on which an order can be decided or
filled. This runner plugs into that engine the same `Matcher` (fills and costs), `Ledger` and
pre-trade check the event-driven runner uses, so both give the same orders and fills (a test
pins it); it skips the order manager and the simulated venue, whose bookkeeping changes
nothing a bar backtest can observe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from jts.backtest import kernel
from jts.backtest.orders import OrderJournal
from jts.backtest.risk_context import BacktestRisk, request_of, watch_engine
from jts.backtest.runner import Prepared, RunOutput, output
from jts.strategy.engine import BarInput, Engine, Execution, OrderIntent
from jts.strategy.execute import run_vectorized
from jts.strategy.lang.ast import Program

__all__ = ["run_vector", "run_vector_python"]


def run_vector(program: Program, prepared: Prepared, risk: BacktestRisk | None = None) -> RunOutput:
    """Run `program` over the prepared bars: compiled (`jts.backtest.kernel`, same results)
    when the kernel supports the run, else `run_vector_python`."""
    reason = kernel.unsupported_reason(program, prepared, risk)
    if reason is None:
        out = kernel.run(program, prepared, risk)
        if out is not None:
            return replace(out, path="compiled")
        reason = "values left the range the kernel computes exactly"
    return replace(run_vector_python(program, prepared, risk), fallback=reason)


def run_vector_python(
    program: Program, prepared: Prepared, risk: BacktestRisk | None = None
) -> RunOutput:
    """Run `program` over the prepared bars through the strategy engine (module docstring)."""
    journal = OrderJournal()
    matcher, ledger = prepared.matcher, prepared.ledger
    settlement = prepared.config.settlement

    def gate(intent: OrderIntent, bar: BarInput) -> bool:
        oid = journal.decide(intent)
        if risk is None:
            return True
        refused = risk.check(request_of(intent, oid, program.name), bar)
        if refused is not None:
            journal.reject(*refused)
            return False
        return True

    def fills(
        ts: int, order: OrderIntent, bar: BarInput, cash: float, position: int
    ) -> Sequence[Execution]:
        oid = journal.pending(order.symbol)
        day = matcher.day(ts)
        if settlement:
            cash = min(cash, ledger.available(day))
        match = matcher.match(ts, order.side, order.qty, order.limit_price, bar, cash, position)
        if match is None:
            journal.settle(order.symbol, 0)
            return ()
        ledger.apply(
            ts,
            order.symbol,
            order.side,
            match.qty,
            match.price,
            match.commission,
            match.tax,
            oid,
            order.reason,
            day,
        )
        journal.settle(order.symbol, match.qty)
        return (Execution(match.qty, match.price, match.commission, match.tax),)

    instruments = matcher.instruments
    engine = Engine(
        program, initial_cash=ledger.cash, fills=fills, gate=gate, instruments=instruments
    )
    if risk is not None:
        watch_engine(risk, engine)
    run_vectorized(program, prepared.bars, engine=engine, extra={"base": prepared.base})
    return output(prepared, journal.frame(), engine.cash)
