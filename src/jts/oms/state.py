"""The order state machine, as a table of allowed transitions.

Every status change of an order goes through `transition`, so an impossible sequence of venue
events (a fill on a cancelled order, an ack after a reject) is caught the moment it happens and
named, instead of silently corrupting fill progress. The table is data: reading it is reading
the rules, and the tests walk its full product.

Why a few edges exist:

* ``pending_cancel → filled | partially_filled``: the fill was on its way while we asked to
  cancel; the venue reports it first.
* ``pending_cancel → accepted``: the venue refused the cancel (the order still works). The
  manager goes to ``partially_filled`` instead when part of the order has already traded.
* ``pending_modify → cancelled``: the venue cancels the rest while modifying (KRX treats a
  quantity reduction as a partial cancel).
* Terminal states (filled, cancelled, rejected, expired) have no way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from jts.core.enums import OrderStatus
from jts.core.errors import JtsError

_S = OrderStatus

TRANSITIONS: Final[Mapping[OrderStatus, frozenset[OrderStatus]]] = MappingProxyType(
    {
        _S.PENDING_NEW: frozenset({_S.ACCEPTED, _S.REJECTED}),
        _S.ACCEPTED: frozenset(
            {
                _S.PARTIALLY_FILLED,
                _S.FILLED,
                _S.PENDING_CANCEL,
                _S.PENDING_MODIFY,
                _S.CANCELLED,
                _S.EXPIRED,
            }
        ),
        _S.PARTIALLY_FILLED: frozenset(
            {
                _S.PARTIALLY_FILLED,
                _S.FILLED,
                _S.PENDING_CANCEL,
                _S.PENDING_MODIFY,
                _S.CANCELLED,
                _S.EXPIRED,
            }
        ),
        _S.PENDING_CANCEL: frozenset({_S.CANCELLED, _S.FILLED, _S.PARTIALLY_FILLED, _S.ACCEPTED}),
        _S.PENDING_MODIFY: frozenset({_S.ACCEPTED, _S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED}),
        _S.FILLED: frozenset(),
        _S.CANCELLED: frozenset(),
        _S.REJECTED: frozenset(),
        _S.EXPIRED: frozenset(),
    }
)
"""For each status, the statuses an order may move to next."""


class InvalidTransition(JtsError):
    """An order was asked to move between two statuses the state machine does not connect.

    Never retry: it means the caller's view of the order and the venue's events disagree (an
    event for a finished order, events out of order). `client_order_id`, `current` and `new`
    say which order and which move.
    """

    def __init__(self, client_order_id: str, current: OrderStatus, new: OrderStatus) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (terminal)"
        super().__init__(
            f"order {client_order_id!r}: cannot go from {current} to {new} "
            f"(allowed from {current}: {allowed})"
        )
        self.client_order_id = client_order_id
        self.current = current
        self.new = new


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    """Whether the table allows `current → new`."""
    return new in TRANSITIONS[current]


def transition(current: OrderStatus, new: OrderStatus, client_order_id: str = "?") -> OrderStatus:
    """`new` if the table allows `current → new`, else raise `InvalidTransition`."""
    if new in TRANSITIONS[current]:
        return new
    raise InvalidTransition(client_order_id, current, new)
