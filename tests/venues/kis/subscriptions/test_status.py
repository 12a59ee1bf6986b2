"""The monitoring snapshot and the registration diff of a re-plan."""

from __future__ import annotations

import json

from jts.core.clock import NS_PER_SECOND
from jts.venues.kis.protocol.fields import WS_BOOK, WS_TRADES
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Priority,
    Registration,
    SchedulerConfig,
    StalenessTracker,
    SubscriptionScheduler,
    Tier,
    make_plan,
    snapshot,
)

CODES = [f"{n:06d}" for n in range(100)]
KEYS = [AppKeyBudget(name="k", ws_slots=6)]


def test_snapshot_is_json_safe_and_reports_source_bound_and_age():
    plan = make_plan(CODES, {CODES[0]: Priority(Tier.HELD)}, KEYS, SchedulerConfig(), now_ns=0)
    tracker = StalenessTracker()
    polled = sorted(plan.polled())
    tracker.start(polled, 0)
    tracker.refreshed(polled[:30], 1 * NS_PER_SECOND, 2 * NS_PER_SECOND)
    status = snapshot(plan, tracker, {CODES[0]: 4 * NS_PER_SECOND}, 5 * NS_PER_SECOND)
    assert json.loads(json.dumps(status)) == status
    rows = {row["code"]: row for row in status["symbols"]}
    assert rows[CODES[0]] | {} == {
        "code": CODES[0],
        "source": "stream",
        "key": "k",
        "book": True,
        "bound_s": 0.0,
        "age_s": 1.0,
        "worst_s": None,
        "p95_s": None,
    }
    refreshed = rows[polled[0]]
    assert refreshed["source"] == "poll"
    assert refreshed["bound_s"] == plan.symbols[polled[0]].bound_s
    assert refreshed["age_s"] == 4.0
    assert refreshed["worst_s"] == 2.0
    assert rows[polled[-1]]["age_s"] == 5.0
    assert rows[polled[-1]]["worst_s"] is None
    assert status["streamed"] == 4
    assert status["polled"] == 96
    assert status["registrations"] == {"k": 5}
    assert status["budget_free"] == {"k": plan.budget_free["k"]}


def test_staleness_percentile_errs_high_by_at_most_one_bucket():
    tracker = StalenessTracker()
    tracker.start(["A"], 0)
    as_of = 0
    for n in range(100):
        gap = (n + 1) * 10_000_000  # 10 ms … 1 s
        tracker.refreshed(["A"], as_of + gap, as_of + gap)
        as_of += gap
    stats = tracker.stats("A")
    assert stats is not None
    assert stats.samples == 100
    assert stats.worst_s == 1.0
    assert 0.95 <= stats.p95_s <= 1.0


def test_scheduler_drops_before_it_adds_and_reports_only_changes():
    scheduler = SubscriptionScheduler(KEYS, SchedulerConfig(), CODES)
    first = scheduler.replan(0)
    assert first.unsubscribe == ()
    assert len(first.subscribe) == 5
    assert scheduler.replan(1).changed is False
    scheduler.set_priority(CODES[50], Priority(Tier.HELD))
    change = scheduler.replan(2)
    assert set(change.subscribe) == {
        Registration("k", WS_TRADES, CODES[50]),
        Registration("k", WS_BOOK, CODES[50]),
    }
    assert len(change.unsubscribe) == 2
    assert {r.code for r in change.unsubscribe}.isdisjoint({CODES[0], CODES[50]})
    scheduler.set_priority(CODES[50], None)  # back to REST: the book goes, the trade waits
    change = scheduler.replan(3)
    assert change.unsubscribe == (Registration("k", WS_BOOK, CODES[50]),)
    assert len(change.subscribe) == 1
    assert CODES[50] in change.plan.streamed()
    later = scheduler.replan(3 + SchedulerConfig().settle_ns)
    assert CODES[50] not in later.plan.streamed()


def test_tracker_keeps_a_symbols_history_across_a_spell_on_a_stream():
    tracker = StalenessTracker()
    tracker.start(["A"], 0)
    tracker.refreshed(["A"], 0, 3 * NS_PER_SECOND)
    tracker.stop(["A"])
    tracker.refreshed(["A"], 10 * NS_PER_SECOND, 11 * NS_PER_SECOND)  # late answer: ignored
    assert tracker.as_of_ns("A") is None
    assert tracker.codes() == []
    tracker.start(["A"], 20 * NS_PER_SECOND)
    tracker.refreshed(["A"], 21 * NS_PER_SECOND, 22 * NS_PER_SECOND)
    stats = tracker.stats("A")
    assert stats is not None
    assert stats.samples == 2
    assert stats.worst_s == 3.0
    assert tracker.pooled().samples == 2
