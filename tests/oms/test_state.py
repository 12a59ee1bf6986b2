from __future__ import annotations

import itertools

import pytest

from jts.core import JtsError, OrderStatus
from jts.oms import TRANSITIONS, InvalidTransition, can_transition, transition

S = OrderStatus

ALLOWED = {
    (S.PENDING_NEW, S.ACCEPTED),
    (S.PENDING_NEW, S.REJECTED),
    *(
        (source, target)
        for source in (S.ACCEPTED, S.PARTIALLY_FILLED)
        for target in (
            S.PARTIALLY_FILLED,
            S.FILLED,
            S.PENDING_CANCEL,
            S.PENDING_MODIFY,
            S.CANCELLED,
            S.EXPIRED,
        )
        if (source, target) != (S.ACCEPTED, S.ACCEPTED)
    ),
    (S.PENDING_CANCEL, S.CANCELLED),
    (S.PENDING_CANCEL, S.FILLED),
    (S.PENDING_CANCEL, S.PARTIALLY_FILLED),
    (S.PENDING_CANCEL, S.ACCEPTED),
    (S.PENDING_MODIFY, S.ACCEPTED),
    (S.PENDING_MODIFY, S.PARTIALLY_FILLED),
    (S.PENDING_MODIFY, S.FILLED),
    (S.PENDING_MODIFY, S.CANCELLED),
}
PAIRS = list(itertools.product(OrderStatus, repeat=2))


def _id(pair: tuple[OrderStatus, OrderStatus]) -> str:
    return f"{pair[0]}->{pair[1]}"


@pytest.mark.parametrize("pair", sorted(ALLOWED), ids=_id)
def test_allowed_transition_returns_the_new_status(pair: tuple[OrderStatus, OrderStatus]) -> None:
    current, new = pair
    assert transition(current, new, "o-1") is new
    assert can_transition(current, new)


@pytest.mark.parametrize("pair", [p for p in PAIRS if p not in ALLOWED], ids=_id)
def test_disallowed_transition_raises_naming_order_and_statuses(
    pair: tuple[OrderStatus, OrderStatus],
) -> None:
    current, new = pair
    assert not can_transition(current, new)
    with pytest.raises(InvalidTransition) as caught:
        transition(current, new, "o-1")
    error = caught.value
    assert (error.client_order_id, error.current, error.new) == ("o-1", current, new)
    assert "'o-1'" in str(error)
    assert str(current) in str(error)
    assert str(new) in str(error)
    assert isinstance(error, JtsError)


def test_table_covers_every_status_and_only_terminal_ones_are_dead_ends() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    assert {s for s, targets in TRANSITIONS.items() if not targets} == {
        s for s in OrderStatus if s.is_terminal
    }
    assert {(s, t) for s, targets in TRANSITIONS.items() for t in targets} == ALLOWED


def test_terminal_message_says_nothing_is_allowed() -> None:
    with pytest.raises(InvalidTransition, match="terminal"):
        transition(S.FILLED, S.CANCELLED, "o-1")
