"""What the dashboard's monitoring page shows per symbol: source, staleness bound, actual age.

A plain JSON-safe snapshot (str, float, int, None only), built from the current plan, the
poller's staleness tracker and the stream's last-update times, so the gateway can return it
as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from jts.core.clock import NS_PER_SECOND
from jts.venues.kis.subscriptions.plan import Source, SubscriptionPlan
from jts.venues.kis.subscriptions.staleness import StalenessTracker

__all__ = ["SubscriptionStatus", "SymbolStatus", "snapshot"]


class SymbolStatus(TypedDict):
    """One row of the monitoring page.

    `bound_s`: the plan's promise (0 for streams: pushed as trades happen; the poll period
    for polled symbols). `age_s`: how old the held quote is now, None when none arrived yet.
    `worst_s` / `p95_s`: measured peak ages of polled quotes (None for streams).
    """

    code: str
    source: str
    key: str
    book: bool
    bound_s: float
    age_s: float | None
    worst_s: float | None
    p95_s: float | None


class SubscriptionStatus(TypedDict):
    """The page: when the plan was made, per-key budget figures, and one row per symbol."""

    plan_ns: int
    streamed: int
    polled: int
    registrations: dict[str, int]
    poll_rate: dict[str, float]
    budget_free: dict[str, float]
    symbols: list[SymbolStatus]


def snapshot(
    plan: SubscriptionPlan,
    tracker: StalenessTracker,
    stream_updates: Mapping[str, int],
    now_ns: int,
) -> SubscriptionStatus:
    """The monitoring snapshot at `now_ns`; `stream_updates` maps a streamed code to the
    time (ns) of its last trade frame."""
    rows: list[SymbolStatus] = []
    registrations: dict[str, int] = dict.fromkeys(plan.poll_rate, 0)
    for reg in plan.registrations:
        registrations[reg.key] = registrations.get(reg.key, 0) + 1
    for code, symbol in plan.symbols.items():
        polled = symbol.source is Source.POLL
        last = tracker.as_of_ns(code) if polled else stream_updates.get(code)
        stats = tracker.stats(code) if polled else None
        rows.append(
            SymbolStatus(
                code=code,
                source=symbol.source.value,
                key=symbol.key,
                book=symbol.book,
                bound_s=symbol.bound_s,
                age_s=None if last is None else max(0, now_ns - last) / NS_PER_SECOND,
                worst_s=None if stats is None or not stats.samples else stats.worst_s,
                p95_s=None if stats is None or not stats.samples else stats.p95_s,
            )
        )
    streamed = sum(1 for row in rows if row["source"] == Source.STREAM.value)
    return SubscriptionStatus(
        plan_ns=plan.made_ns,
        streamed=streamed,
        polled=len(rows) - streamed,
        registrations=registrations,
        poll_rate=dict(plan.poll_rate),
        budget_free=dict(plan.budget_free),
        symbols=rows,
    )
