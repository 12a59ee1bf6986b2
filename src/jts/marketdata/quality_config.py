"""Settings of the feed quality monitor (`jts.marketdata.quality`): thresholds per symbol group.

Frozen, keyword-only, unknown keys rejected; built once by the app and passed in.
"""

from __future__ import annotations

import msgspec

from jts.krx import Phase
from jts.marketdata.bars_bus import HALT_TOPIC, TICK_TOPIC


class QualityThresholds(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Limits for one group of symbols (e.g. large caps vs. illiquid small caps)."""

    stale_after_s: float = 30.0
    """Seconds without any update, in a trading phase, before a symbol is stale."""
    gap_after_s: float = 60.0
    """Seconds without a trade in the continuous session before a gap is reported."""
    jump_percent: float | None = 10.0
    """Largest tick-to-tick move, percent of the previous price; None turns the check off."""


class QualityConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of the monitor; `groups` names thresholds that `watch(..., group=)` assigns."""

    default: QualityThresholds = msgspec.field(default_factory=QualityThresholds)
    groups: dict[str, QualityThresholds] = msgspec.field(default_factory=dict)
    trading_phases: frozenset[Phase] = frozenset({Phase.CONTINUOUS})
    """Phases in which a silent symbol counts as stale."""
    check_interval_s: float = 1.0
    """Seconds between checks of the service's own task; 0 runs no task."""
    venue: str = "KRX"
    tick_topic: str = TICK_TOPIC
    book_topic: str = "md.book"
    halt_topic: str = HALT_TOPIC
    topic: str = "md.quality"
