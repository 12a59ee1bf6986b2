"""Hypothesis strategies and checks shared by the planner tests: small universes, tight slot
caps (so streams are scarce), random priorities and budgets."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import strategies as st

from jts.venues.kis.protocol.fields import WS_BOOK, WS_TRADES
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Priority,
    SchedulerConfig,
    Source,
    SubscriptionPlan,
    Tier,
)
from jts.venues.kis.subscriptions.config import MAX_BONUS, TIER_STEP

CODES = [f"{n:06d}" for n in range(120)]

universes = st.lists(st.sampled_from(CODES), min_size=0, max_size=80, unique=True)
priority_values = st.builds(
    Priority, st.sampled_from(list(Tier)), st.integers(min_value=0, max_value=MAX_BONUS)
)
priority_maps = st.dictionaries(st.sampled_from(CODES), priority_values, max_size=40)


@st.composite
def key_lists(draw: st.DrawFn) -> list[AppKeyBudget]:
    count = draw(st.integers(min_value=1, max_value=3))
    keys = []
    for index in range(count):
        slots = draw(st.integers(min_value=1, max_value=12))
        keys.append(
            AppKeyBudget(
                name=f"key{index}",
                ws_slots=slots,
                reserved_slots=draw(st.integers(min_value=0, max_value=min(1, slots))),
                rest_per_s=draw(st.sampled_from([2.0, 5.0, 20.0])),
            )
        )
    return keys


configs = st.builds(
    SchedulerConfig,
    reserve_fraction=st.sampled_from([0.25, 0.4, 0.9]),
    book_tiers=st.frozensets(st.sampled_from(list(Tier))),
    margin=st.integers(min_value=0, max_value=TIER_STEP - MAX_BONUS),
    settle_ns=st.integers(min_value=0, max_value=60 * 10**9),
    group_size=st.integers(min_value=1, max_value=30),
    min_period_s=st.sampled_from([0.1, 1.0, 3.0]),
)


def check_plan(
    plan: SubscriptionPlan,
    watched: list[str],
    priorities: Mapping[str, Priority],
    keys: list[AppKeyBudget],
    config: SchedulerConfig,
) -> None:
    """Every invariant that holds for any plan, fresh or continued."""
    expected = list(dict.fromkeys([*watched, *priorities]))
    assert list(plan.symbols) == expected
    assert len(set(plan.registrations)) == len(plan.registrations)
    for key in keys:
        assert len(plan.registrations_of(key.name)) <= key.stream_slots
    granted = {(reg.tr_id, reg.code) for reg in plan.registrations}
    polled_in_groups = [code for group in plan.groups for code in group.codes]
    assert len(polled_in_groups) == len(set(polled_in_groups))
    assert set(polled_in_groups) == plan.polled()
    assert plan.streamed() | plan.polled() == set(expected)
    for code, symbol in plan.symbols.items():
        assert (symbol.source is Source.STREAM) == ((WS_TRADES, code) in granted)
        has_book = (WS_BOOK, code) in granted
        assert symbol.book == has_book
        if has_book:
            assert priorities.get(code, Priority()).tier in config.book_tiers
    for group in plan.groups:
        assert 1 <= len(group.codes) <= config.group_size
    check_budget(plan, keys, config)


def check_budget(plan: SubscriptionPlan, keys: list[AppKeyBudget], config: SchedulerConfig) -> None:
    """The reserve stays free, and each bound is exactly what round-robin at the rate gives."""
    for key in keys:
        rate = plan.poll_rate[key.name]
        assert rate <= key.rest_per_s * (1 - config.reserve_fraction) + 1e-9
        assert plan.budget_free[key.name] >= config.reserve_fraction - 1e-9
        groups = plan.groups_of(key.name)
        for group in groups:
            assert group.period_s == len(groups) / rate
            assert group.period_s >= config.min_period_s - 1e-9
            for code in group.codes:
                assert plan.symbols[code].bound_s == group.period_s
                assert plan.symbols[code].key == key.name


def tier_of(priorities: Mapping[str, Priority], code: str) -> Tier:
    return priorities.get(code, Priority()).tier
