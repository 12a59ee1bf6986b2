"""Audit a paper session's state directory: does the order manager's journal agree with the
simulated broker's own ledger?

Used after crash tests (`bench/chaos.py`, tests/trading/test_crash.py) and by `jts oms audit`:
a fill the broker booked but the journal lacks is *lost*; an order whose fills the broker
booked in two different runs was *sent twice*; a symbol whose shares differ between the two
is a *position mismatch*. All three must be zero after a restart has reconciled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import msgspec

from jts.core.enums import Side
from jts.core.models import Fill
from jts.oms import OrderStore
from jts.storage import SqlOrderStore, open_database
from jts.trading.session import PaperSession
from jts.venues.sim.ledger import FillLedger

__all__ = ["AuditResult", "audit"]


class AuditResult(msgspec.Struct, frozen=True, kw_only=True):
    broker_fills: int
    journal_fills: int
    journal_orders: int
    lost_fills: int
    duplicate_orders: int
    position_mismatches: int
    mismatched: dict[str, tuple[int, int]]
    """symbol -> (journal shares, broker shares) where they differ."""

    @property
    def clean(self) -> bool:
        return not (self.lost_fills or self.duplicate_orders or self.position_mismatches)


def audit(var: Path, account: str = "paper") -> AuditResult:
    """Compare the journal (`var/jts.db`) with the broker ledger (`var/paper/fills.jsonl`)."""
    session = PaperSession(var)
    broker = FillLedger(session.ledger_path).load()
    store: OrderStore = SqlOrderStore(open_database(session.db_url))
    try:
        state = store.load(account)
    finally:
        store.close()
    journal_ids = {fill.fill_id for fill in state.fills}
    lost = sum(1 for fill in broker if fill.fill_id not in journal_ids)
    runs: dict[str, set[str]] = defaultdict(set)
    for fill in broker:
        runs[fill.client_order_id].add(fill.fill_id.partition(":")[0])
    duplicates = sum(1 for found in runs.values() if len(found) > 1)
    mismatched = _positions(state.fills, broker)
    return AuditResult(
        broker_fills=len(broker),
        journal_fills=len(state.fills),
        journal_orders=len(state.orders),
        lost_fills=lost,
        duplicate_orders=duplicates,
        position_mismatches=len(mismatched),
        mismatched=mismatched,
    )


def _positions(journal: Sequence[Fill], broker: Sequence[Fill]) -> dict[str, tuple[int, int]]:
    def shares(fills: Sequence[Fill]) -> dict[str, int]:
        held: dict[str, int] = defaultdict(int)
        for fill in fills:
            held[fill.symbol] += fill.qty if fill.side is Side.BUY else -fill.qty
        return held

    ours, theirs = shares(journal), shares(broker)
    return {
        symbol: (ours.get(symbol, 0), theirs.get(symbol, 0))
        for symbol in sorted(set(ours) | set(theirs))
        if ours.get(symbol, 0) != theirs.get(symbol, 0)
    }
