"""KIS subscription scheduler: WebSocket registrations for the symbols that matter most,
multi-price polling within the leftover REST budget for the rest, and per-symbol staleness.

`config` (tiers, budgets, tuning) → `plan` (the pure planner) → `scheduler` (re-plans, diffs
registrations) → `poller` (polls the groups) → `staleness` (measured ages) → `status` (the
monitoring page's snapshot).
"""

from jts.venues.kis.subscriptions.config import (
    AppKeyBudget,
    Priority,
    SchedulerConfig,
    Tier,
)
from jts.venues.kis.subscriptions.plan import (
    PollGroup,
    Registration,
    Source,
    SubscriptionPlan,
    SymbolPlan,
    make_plan,
)
from jts.venues.kis.subscriptions.poller import Poller, PollLane
from jts.venues.kis.subscriptions.scheduler import PlanChange, SubscriptionScheduler
from jts.venues.kis.subscriptions.staleness import StalenessStats, StalenessTracker
from jts.venues.kis.subscriptions.status import SubscriptionStatus, SymbolStatus, snapshot

__all__ = [
    "AppKeyBudget",
    "PlanChange",
    "PollGroup",
    "PollLane",
    "Poller",
    "Priority",
    "Registration",
    "SchedulerConfig",
    "Source",
    "StalenessStats",
    "StalenessTracker",
    "SubscriptionPlan",
    "SubscriptionScheduler",
    "SubscriptionStatus",
    "SymbolPlan",
    "SymbolStatus",
    "Tier",
    "make_plan",
    "snapshot",
]
