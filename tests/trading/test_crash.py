"""Crash safety end to end: paper trading killed with SIGKILL again and again, then audited.

Each kill lands at a random moment of a real `jts run` process (orders being journaled, sent,
filled, reconciled at start-up ...). After every restart the order manager reconciles with the
simulated broker; at the end no fill may be lost, no order sent twice and no position differ
(`bench/chaos.py` runs the same with 200 kills).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"


def _chaos_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jts_bench_chaos", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_twenty_kills_lose_no_fill_duplicate_no_order_and_keep_positions(tmp_path: Path) -> None:
    result = _chaos_module().chaos(tmp_path / "var", 20, speed=240, seed=11, window=(3.0, 6.0))
    assert result.broker_fills > 5  # the kills landed among real trading
    assert result.lost_fills == 0
    assert result.duplicate_orders == 0
    assert result.position_mismatches == 0, result.mismatched
    assert result.journal_fills == result.broker_fills
