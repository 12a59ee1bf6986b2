"""Order management: the order state machine, the order manager, positions and P&L, and the
journal that persists them.

In-memory cores shared by the backtester, paper and live trading. Persistence reaches them
through `OrderManager.subscribe` / `subscribe_fills` and the immutable `Order`/`Fill` values
they hand out (`Journal` → an `OrderStore`); the SQL stores live in `jts.storage`. Nothing here
imports anything above `jts.krx`.
"""

from jts.oms.manager import (
    DuplicateOrder,
    FillListener,
    InconsistentState,
    InvalidFill,
    Listener,
    OrderManager,
    UnknownOrder,
)
from jts.oms.positions import PositionBook, ShortNotAllowed
from jts.oms.reconcile import (
    NOT_AT_VENUE,
    VENUE_ID_PREFIX,
    Discrepancy,
    DiscrepancyKind,
    ReconcileReport,
    VenueSnapshot,
    reconcile,
)
from jts.oms.state import TRANSITIONS, InvalidTransition, can_transition, transition
from jts.oms.store import Journal, MemoryStore, OrderStore, StoredState, restore

__all__ = [
    "NOT_AT_VENUE",
    "TRANSITIONS",
    "VENUE_ID_PREFIX",
    "Discrepancy",
    "DiscrepancyKind",
    "DuplicateOrder",
    "FillListener",
    "InconsistentState",
    "InvalidFill",
    "InvalidTransition",
    "Journal",
    "Listener",
    "MemoryStore",
    "OrderManager",
    "OrderStore",
    "PositionBook",
    "ReconcileReport",
    "ShortNotAllowed",
    "StoredState",
    "UnknownOrder",
    "VenueSnapshot",
    "can_transition",
    "reconcile",
    "restore",
    "transition",
]
