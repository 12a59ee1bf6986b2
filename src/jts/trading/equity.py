"""The account's equity through the session, for the dashboard's curve: `GET /pnl/history`.

The live `pnl` push only reaches a page while it is open; this keeps what the page missed. One
point per `step_s` of the venue's clock (the newest value of that step wins), at most
`capacity` points (the oldest fall off), in memory: the curve starts again with the process,
as the paper market does.
"""

from __future__ import annotations

from collections import deque
from typing import Any

__all__ = ["EquityHistory"]


class EquityHistory:
    """(ts_ns, equity, daily_pnl) at most one per `step_s`, oldest first."""

    def __init__(self, *, step_s: float = 10.0, capacity: int = 5_000) -> None:
        if step_s <= 0 or capacity < 1:
            raise ValueError(f"step_s must be > 0 and capacity >= 1, got {step_s}, {capacity}")
        self.step_ns = int(step_s * 1e9)
        self._points: deque[tuple[int, int, int]] = deque(maxlen=capacity)

    def record(self, ts_ns: int, equity: int, daily_pnl: int) -> None:
        """Add a mark; one in the same step as the last replaces it; an older one is ignored
        (the venue clock never goes back, but a late caller might)."""
        points = self._points
        if points:
            last = points[-1][0]
            if ts_ns < last:
                return
            if ts_ns // self.step_ns == last // self.step_ns:
                points[-1] = (ts_ns, equity, daily_pnl)
                return
        points.append((ts_ns, equity, daily_pnl))

    def points(self, since_ns: int | None = None, limit: int = 5_000) -> list[dict[str, Any]]:
        """The marks after `since_ns` (all without), the last `limit` of them."""
        rows = [p for p in self._points if since_ns is None or p[0] > since_ns]
        return [
            {"ts_ns": ts, "equity": equity, "daily_pnl": daily}
            for ts, equity, daily in rows[-limit:]
        ]

    def __len__(self) -> int:
        return len(self._points)
