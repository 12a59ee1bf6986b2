"""What the subscription planner is given: priority tiers, app-key budgets and tuning.

KIS gives each app key one WebSocket session of 41 registrations and its own REST budget
(20 req/s real, 2 req/s paper; KIS.md §3.4, §6.1). A monitored universe of 1,800+ symbols
therefore needs both: streams for the symbols that matter most, polling for the rest. These
values say which symbols matter and how much of each key the planner may spend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

from jts.core.clock import NS_PER_SECOND
from jts.core.errors import ConfigError

__all__ = [
    "MAX_BONUS",
    "MIN_RESERVE",
    "TIER_STEP",
    "AppKeyBudget",
    "Priority",
    "SchedulerConfig",
    "Tier",
]


class Tier(IntEnum):
    """Why a symbol is watched; a higher value is more urgent (the issue's order)."""

    REST = 0  # in the monitored universe, nothing else
    DASHBOARD = 1  # a dashboard page is showing it
    STRATEGY = 2  # a running strategy trades it
    HELD = 3  # a held position or an open order


TIER_STEP: Final = 1_000
"""Score points between two tiers."""

MAX_BONUS: Final = 499
"""Largest within-tier bonus. Kept under half a tier so that any tier step outweighs any bonus
difference by more than the default hysteresis margin (see `SchedulerConfig.margin`)."""

MIN_RESERVE: Final = 0.25
"""Least fraction of each key's REST budget kept free for orders and account queries."""


@dataclass(frozen=True, slots=True)
class Priority:
    """A symbol's place in the queue for streams: its tier, then a bonus inside the tier
    (0..MAX_BONUS, e.g. a rank by recent activity), which only orders symbols of one tier."""

    tier: Tier = Tier.REST
    bonus: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.bonus <= MAX_BONUS:
            raise ConfigError("priority.bonus", f"{self.bonus} is outside 0..{MAX_BONUS}")

    @property
    def score(self) -> int:
        """One comparable number: tier × TIER_STEP + bonus."""
        return int(self.tier) * TIER_STEP + self.bonus


@dataclass(frozen=True, slots=True, kw_only=True)
class AppKeyBudget:
    """One app key's capacity.

    `ws_slots` registrations per session (41 measured; 40 is the cautious client-side cap),
    of which `reserved_slots` are not ours to give (the execution-notice registration takes one
    on the key whose session carries it). `rest_per_s`: the key's REST limit in requests per
    second (20 real, 2 paper).
    """

    name: str
    ws_slots: int = 41
    reserved_slots: int = 1
    rest_per_s: float = 20.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigError("app_key.name", "must not be empty")
        if not 0 <= self.reserved_slots <= self.ws_slots:
            raise ConfigError(
                f"app_key[{self.name}].reserved_slots",
                f"{self.reserved_slots} is outside 0..ws_slots ({self.ws_slots})",
            )
        if self.rest_per_s <= 0:
            raise ConfigError(f"app_key[{self.name}].rest_per_s", "must be positive (req/s)")

    @property
    def stream_slots(self) -> int:
        """Registrations the planner may hand to symbols."""
        return self.ws_slots - self.reserved_slots


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulerConfig:
    """Tuning of the planner; every field has a unit and a reason.

    - `reserve_fraction`: share of each key's REST budget never spent on polling (≥ 0.25), so
      orders and account queries always find room.
    - `book_tiers`: tiers whose symbols also get a 10-level book stream (H0STASP0) besides
      trades (H0STCNT0); a book registration ranks right after its symbol's trade registration.
    - `margin`: score points a waiting registration must beat a streamed one by to take its
      slot at once. At most TIER_STEP − MAX_BONUS, so a higher tier always wins at once and
      only moves inside a tier wait.
    - `settle_ns`: how long a registration must have been wanted (and its victim unwanted)
      before a swap that does not clear the margin happens: promotions wait, demotions are
      delayed, so oscillating priorities do not flap.
    - `group_size`: codes per multi-price request (intstock-multprice takes up to 30).
    - `min_period_s`: fastest a poll group is refreshed; with few polled symbols the planner
      spends less than the whole poll budget rather than hammering the same group.
    """

    reserve_fraction: float = MIN_RESERVE
    book_tiers: frozenset[Tier] = field(default_factory=lambda: frozenset({Tier.HELD}))
    margin: int = TIER_STEP - MAX_BONUS
    settle_ns: int = 30 * NS_PER_SECOND
    group_size: int = 30
    min_period_s: float = 1.0

    def __post_init__(self) -> None:
        if not MIN_RESERVE <= self.reserve_fraction < 1:
            raise ConfigError(
                "subscriptions.reserve_fraction",
                f"{self.reserve_fraction} is outside [{MIN_RESERVE}, 1)",
            )
        if not 0 <= self.margin <= TIER_STEP - MAX_BONUS:
            raise ConfigError(
                "subscriptions.margin",
                f"{self.margin} is outside 0..{TIER_STEP - MAX_BONUS} (a tier must always win)",
            )
        if self.settle_ns < 0:
            raise ConfigError("subscriptions.settle_ns", "must not be negative (ns)")
        if not 1 <= self.group_size <= 30:
            raise ConfigError("subscriptions.group_size", f"{self.group_size} is outside 1..30")
        if self.min_period_s <= 0:
            raise ConfigError("subscriptions.min_period_s", "must be positive (s)")
