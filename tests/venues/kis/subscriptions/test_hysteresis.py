"""Hysteresis: moves inside a tier wait for the settle time, tier steps happen at once, and
oscillating priorities do not make symbols flap between stream and poll."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.clock import NS_PER_SECOND
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Priority,
    SchedulerConfig,
    SubscriptionPlan,
    Tier,
    make_plan,
)
from jts.venues.kis.subscriptions.config import MAX_BONUS

from .strategies import CODES

SETTLE = 30 * NS_PER_SECOND
KEY = [AppKeyBudget(name="k", ws_slots=4, reserved_slots=0)]
CONFIG = SchedulerConfig(settle_ns=SETTLE, book_tiers=frozenset())
WATCHED = CODES[:10]


def _plan(bonus: dict[str, int], now: int, previous: SubscriptionPlan | None) -> SubscriptionPlan:
    """Every watched symbol in the STRATEGY tier; bonus 0 unless given."""
    priorities = {c: Priority(Tier.STRATEGY, bonus.get(c, 0)) for c in WATCHED}
    return make_plan(WATCHED, priorities, KEY, CONFIG, now_ns=now, previous=previous)


def test_a_better_bonus_inside_the_tier_waits_for_the_settle_time():
    first = _plan({c: 100 for c in WATCHED[:4]}, 0, None)
    assert first.streamed() == set(WATCHED[:4])
    bonus = {c: 100 for c in WATCHED[:4]} | {WATCHED[9]: 400}
    held = _plan(bonus, SETTLE - 1, _plan(bonus, 1, first))
    assert held.streamed() == set(WATCHED[:4])
    swapped = _plan(bonus, SETTLE + 1, held)
    assert WATCHED[9] in swapped.streamed()
    assert len(swapped.streamed() - set(WATCHED[:4])) == 1


def test_a_tier_step_takes_a_slot_at_once():
    first = _plan({c: MAX_BONUS for c in WATCHED[:4]}, 0, None)
    priorities = {c: Priority(Tier.STRATEGY, MAX_BONUS) for c in WATCHED[:4]}
    priorities[WATCHED[9]] = Priority(Tier.HELD)
    plan = make_plan(WATCHED, priorities, KEY, CONFIG, now_ns=1, previous=first)
    assert WATCHED[9] in plan.streamed()


def test_a_demoted_symbol_keeps_its_stream_until_the_settle_time_passes():
    first = _plan({c: 200 for c in WATCHED[:4]}, 0, None)
    bonus = {c: 200 for c in WATCHED[1:5]}  # WATCHED[0] fell to 0, WATCHED[4] rose
    kept = _plan(bonus, SETTLE // 2, first)
    assert WATCHED[0] in kept.streamed()
    moved = _plan(bonus, SETTLE // 2 + SETTLE, kept)
    assert WATCHED[0] not in moved.streamed()
    assert WATCHED[4] in moved.streamed()


@settings(max_examples=80)
@given(
    st.lists(st.integers(0, MAX_BONUS), min_size=10, max_size=10),
    st.lists(st.integers(0, MAX_BONUS), min_size=10, max_size=10),
    st.integers(1, SETTLE // 2 - 1),
    st.integers(2, 60),
)
def test_priorities_oscillating_faster_than_the_settle_time_never_move_a_stream(
    bonus_a, bonus_b, half_period, rounds
):
    """Within a tier, bonuses alternate between two vectors every `half_period` (< settle/2):
    whatever the two vectors, the streamed set stays the first plan's."""
    first = _plan(dict(zip(WATCHED, bonus_a, strict=True)), 0, None)
    plan, now = first, 0
    for n in range(rounds):
        now += half_period
        vector = bonus_b if n % 2 == 0 else bonus_a
        plan = _plan(dict(zip(WATCHED, vector, strict=True)), now, plan)
        assert plan.streamed() == first.streamed()


@settings(max_examples=80)
@given(
    st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(WATCHED), st.integers(0, MAX_BONUS), max_size=10),
            st.integers(0, SETTLE),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_inside_a_tier_a_symbol_changes_source_at_most_once_per_settle_time(steps):
    """Any sequence of bonus changes (tiers fixed): between two source changes of a symbol at
    least `settle_ns` passes."""
    plan, now = _plan({}, 0, None), 0
    changed_at: dict[str, int] = {}
    for bonus, step in steps:
        now += step
        new = _plan(bonus, now, plan)
        for code in WATCHED:
            if new.symbols[code].source is not plan.symbols[code].source:
                if code in changed_at:
                    assert now - changed_at[code] >= SETTLE
                changed_at[code] = now
        plan = new
