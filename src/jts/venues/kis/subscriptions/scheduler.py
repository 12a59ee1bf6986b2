"""The scheduler: keeps the inputs of the planner, re-plans, and says what must change.

The planner is pure; this holds what changes over a day (the universe, priorities coming
from positions, strategies and the dashboard) and the previous plan whose hysteresis timers
the next plan continues. Each re-plan yields a `PlanChange`: the registrations to drop and to
add per key (drop first, so the slot cap is never crossed) for the WebSocket client, and the
new plan for the poller and the monitoring page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from jts.venues.kis.subscriptions.config import AppKeyBudget, Priority, SchedulerConfig
from jts.venues.kis.subscriptions.plan import Registration, SubscriptionPlan, make_plan

__all__ = ["PlanChange", "SubscriptionScheduler", "diff_registrations"]


@dataclass(frozen=True, slots=True)
class PlanChange:
    """What a re-plan changed. `unsubscribe` before `subscribe`, key by key."""

    plan: SubscriptionPlan
    unsubscribe: tuple[Registration, ...]
    subscribe: tuple[Registration, ...]

    @property
    def changed(self) -> bool:
        return bool(self.unsubscribe or self.subscribe)


def diff_registrations(
    old: SubscriptionPlan | None, new: SubscriptionPlan
) -> tuple[tuple[Registration, ...], tuple[Registration, ...]]:
    """(to unsubscribe, to subscribe) turning `old`'s registrations into `new`'s."""
    before = set(old.registrations) if old else set()
    after = set(new.registrations)
    drop = tuple(reg for reg in (old.registrations if old else ()) if reg not in after)
    add = tuple(reg for reg in new.registrations if reg not in before)
    return drop, add


class SubscriptionScheduler:
    """Owns the planner's inputs and the current plan.

    Call `replan(now_ns)` when priorities or the universe change, and also every few seconds
    (e.g. every `settle_ns / 3`), since a swap that waits on the settle time happens only at a
    re-plan.
    """

    def __init__(
        self,
        keys: Sequence[AppKeyBudget],
        config: SchedulerConfig,
        universe: Iterable[str] = (),
    ) -> None:
        self._keys = tuple(keys)
        self._config = config
        self._universe: tuple[str, ...] = tuple(universe)
        self._priorities: dict[str, Priority] = {}
        self._plan: SubscriptionPlan | None = None

    @property
    def plan(self) -> SubscriptionPlan | None:
        return self._plan

    def set_universe(self, codes: Iterable[str]) -> None:
        self._universe = tuple(codes)

    def set_priorities(self, priorities: Mapping[str, Priority]) -> None:
        """Replace all priorities (symbols left out rank as `Tier.REST`)."""
        self._priorities = dict(priorities)

    def set_priority(self, code: str, priority: Priority | None) -> None:
        """Change one symbol's priority; None removes it."""
        if priority is None:
            self._priorities.pop(code, None)
        else:
            self._priorities[code] = priority

    def replan(self, now_ns: int) -> PlanChange:
        plan = make_plan(
            self._universe,
            self._priorities,
            self._keys,
            self._config,
            now_ns=now_ns,
            previous=self._plan,
        )
        drop, add = diff_registrations(self._plan, plan)
        self._plan = plan
        return PlanChange(plan, drop, add)
