"""Invariants of the pure planner, fresh and over sequences of re-plans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.errors import ConfigError
from jts.venues.kis.protocol.fields import WS_BOOK, WS_TRADES
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Priority,
    SchedulerConfig,
    Source,
    Tier,
    make_plan,
)

from .strategies import (
    CODES,
    check_plan,
    configs,
    key_lists,
    priority_maps,
    tier_of,
    universes,
)


@given(universes, priority_maps, key_lists(), configs)
def test_fresh_plan_keeps_every_invariant(watched, priorities, keys, config):
    plan = make_plan(watched, priorities, keys, config, now_ns=0)
    check_plan(plan, watched, priorities, keys, config)


@given(universes, priority_maps, key_lists(), configs)
def test_fresh_plan_streams_exactly_the_best_registrations(watched, priorities, keys, config):
    plan = make_plan(watched, priorities, keys, config, now_ns=0)
    granted = {(reg.tr_id, reg.code) for reg in plan.registrations}

    def rank(reg: tuple[str, str]) -> tuple[int, int, str]:
        score = priorities.get(reg[1], Priority()).score
        return (-score, 0 if reg[0] == WS_TRADES else 1, reg[1])

    wanted = [(WS_TRADES, code) for code in plan.symbols]
    wanted += [(WS_BOOK, c) for c in plan.symbols if tier_of(priorities, c) in config.book_tiers]
    best = sorted(wanted, key=rank)[: sum(k.stream_slots for k in keys)]
    assert granted == set(best)


@settings(max_examples=60)
@given(
    universes,
    st.lists(st.tuples(priority_maps, st.integers(0, 90 * 10**9)), min_size=1, max_size=8),
    key_lists(),
    configs,
)
def test_replans_never_poll_a_higher_tier_while_a_lower_one_streams(watched, steps, keys, config):
    """Hysteresis only ever holds back moves inside a tier: any tier step clears the margin."""
    plan, now = None, 0
    for priorities, step_ns in steps:
        now += step_ns
        plan = make_plan(watched, priorities, keys, config, now_ns=now, previous=plan)
        check_plan(plan, watched, priorities, keys, config)
        streamed_tiers = [tier_of(priorities, c) for c in plan.streamed()]
        polled_tiers = [tier_of(priorities, c) for c in plan.polled()]
        if streamed_tiers and polled_tiers:
            assert max(polled_tiers) <= min(streamed_tiers)


def test_one_key_and_1800_symbols_poll_within_four_seconds_with_a_quarter_free():
    codes = [f"{n:06d}" for n in range(1_800)]
    held = {code: Priority(Tier.HELD) for code in codes[:5]}
    plan = make_plan(codes, held, [AppKeyBudget(name="k")], SchedulerConfig(), now_ns=0)
    assert len(plan.registrations) == 40  # 41 minus the execution notice
    assert all(plan.symbols[c].book for c in codes[:5])
    assert len(plan.streamed()) == 35
    assert len(plan.groups) == 59  # ceil(1,765 / 30)
    assert plan.poll_rate["k"] == 15.0
    assert plan.budget_free["k"] == 0.25
    assert max(s.bound_s for s in plan.symbols.values()) == pytest.approx(59 / 15)


def test_groups_are_dealt_so_periods_follow_the_key_budgets():
    keys = [AppKeyBudget(name="fast", rest_per_s=20.0), AppKeyBudget(name="slow", rest_per_s=2.0)]
    plan = make_plan(CODES, {}, keys, SchedulerConfig(group_size=2), now_ns=0)
    fast, slow = len(plan.groups_of("fast")), len(plan.groups_of("slow"))
    assert fast + slow == len(plan.groups)
    # about ten times the groups on the key with ten times the budget
    assert 8 * slow <= fast <= 12 * (slow + 1)


def test_few_polled_symbols_are_not_polled_faster_than_the_minimum_period():
    plan = make_plan(CODES[:50], {}, [AppKeyBudget(name="k")], SchedulerConfig(), now_ns=0)
    assert len(plan.groups) == 1
    assert plan.poll_rate["k"] == 1.0
    assert plan.symbols[CODES[49]].bound_s == 1.0
    assert plan.budget_free["k"] == 0.95


def test_held_symbols_missing_from_the_universe_are_still_watched():
    plan = make_plan(
        [], {"005930": Priority(Tier.HELD)}, [AppKeyBudget(name="k")], SchedulerConfig(), now_ns=0
    )
    assert plan.symbols["005930"].source is Source.STREAM


def test_slots_go_by_rank_with_a_book_right_after_its_own_trade():
    key = AppKeyBudget(name="k", ws_slots=3, reserved_slots=0)
    held = {c: Priority(Tier.HELD, 10 - n) for n, c in enumerate(CODES[:2])}
    plan = make_plan(CODES[:2], held, [key], SchedulerConfig(), now_ns=0)
    regs = {(r.tr_id, r.code) for r in plan.registrations}
    assert regs == {(WS_TRADES, CODES[0]), (WS_BOOK, CODES[0]), (WS_TRADES, CODES[1])}


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"reserve_fraction": 0.2}, "subscriptions.reserve_fraction"),
        ({"margin": 600}, "subscriptions.margin"),
        ({"group_size": 31}, "subscriptions.group_size"),
        ({"min_period_s": 0}, "subscriptions.min_period_s"),
    ],
)
def test_config_refuses_values_that_would_break_a_promise(kwargs, key):
    with pytest.raises(ConfigError) as caught:
        SchedulerConfig(**kwargs)
    assert caught.value.key == key


def test_duplicate_key_names_are_refused():
    with pytest.raises(ConfigError):
        make_plan(
            CODES, {}, [AppKeyBudget(name="a"), AppKeyBudget(name="a")], SchedulerConfig(), now_ns=0
        )


@settings(max_examples=60)
@given(universes, st.lists(priority_maps, min_size=2, max_size=6), key_lists(), configs)
def test_replans_never_need_many_more_groups_than_the_fewest(watched, steps, keys, config):
    plan = None
    for now, priorities in enumerate(steps):
        plan = make_plan(watched, priorities, keys, config, now_ns=now, previous=plan)
        fewest = -(-len(plan.polled()) // config.group_size)
        assert len(plan.groups) <= fewest + fewest // 20 + 1


def test_a_promotion_out_of_polling_leaves_the_other_groups_untouched():
    codes = [f"{n:06d}" for n in range(1_800)]
    keys = [AppKeyBudget(name=f"k{n}", reserved_slots=int(n == 0)) for n in range(3)]
    first = make_plan(codes, {}, keys, SchedulerConfig(), now_ns=0)
    promoted = first.groups[30].codes[7]
    second = make_plan(
        codes, {promoted: Priority(Tier.HELD)}, keys, SchedulerConfig(), now_ns=1, previous=first
    )
    changed = [
        n for n, (a, b) in enumerate(zip(first.groups, second.groups, strict=True)) if a != b
    ]
    # the promoted code's group took a demoted stream back, the last group the other one
    assert 30 in changed
    assert len(changed) <= 2
    assert {g.key for g in first.groups} == {g.key for g in second.groups}


def test_groups_of_a_removed_key_move_to_the_keys_left():
    keys = [AppKeyBudget(name="a"), AppKeyBudget(name="b", reserved_slots=0)]
    first = make_plan(CODES, {}, keys, SchedulerConfig(group_size=5), now_ns=0)
    assert first.groups_of("b")
    second = make_plan(CODES, {}, keys[:1], SchedulerConfig(group_size=5), now_ns=1, previous=first)
    assert {g.key for g in second.groups} == {"a"}
    assert all(r.key == "a" for r in second.registrations)
    check_plan(second, CODES, {}, keys[:1], SchedulerConfig(group_size=5))
