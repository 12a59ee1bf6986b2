"""Order management: the order state machine, the order manager, positions and P&L.

In-memory cores shared by the backtester, paper and live trading. The live issue extends them
(persistence, restart reconciliation) through `OrderManager.subscribe` and the immutable
`Order`/`Position` values they hand out; nothing here imports anything above `jts.krx`.
"""

from jts.oms.manager import DuplicateOrder, InvalidFill, Listener, OrderManager, UnknownOrder
from jts.oms.positions import PositionBook, ShortNotAllowed
from jts.oms.state import TRANSITIONS, InvalidTransition, can_transition, transition

__all__ = [
    "TRANSITIONS",
    "DuplicateOrder",
    "InvalidFill",
    "InvalidTransition",
    "Listener",
    "OrderManager",
    "PositionBook",
    "ShortNotAllowed",
    "UnknownOrder",
    "can_transition",
    "transition",
]
