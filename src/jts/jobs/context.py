"""`JobContext`: what a running handler sees of its job — progress out, cancellation in.

A handler runs on a worker thread and may report progress from a tight loop (a sweep calls
once per parameter set, a backfill once per symbol). Every report cannot become an event: a
WebSocket client does not need 10,000 updates a second and a slow one would fall behind. So
the context sends at most one report per `interval_ns` (leading edge: the first report of a
quiet period goes out at once), and when it holds one back it arms a timer that sends the
latest held report when the interval is over (trailing edge). A progress bar is therefore
never more than one interval behind, and a run of reports costs about one event per interval.

Progress only moves forward: fractions are clamped to [0, 1], a NaN keeps the last fraction
(and still updates the message), and a smaller fraction than the last one sent is raised to
it. A bar that jumps back confuses people more than one that pauses.

Cancellation is cooperative: Python cannot stop a thread from outside, so `cancel` only sets
a flag, and the handler calls `check()` (raises `JobCancelled`) wherever stopping is safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Final

from jts.jobs.base import JobCancelled

__all__ = ["DEFAULT_INTERVAL_NS", "JobContext", "ProgressThrottle", "clamp_progress"]

DEFAULT_INTERVAL_NS: Final = 50_000_000
"""Least time between two progress events of one job: 50 ms (20 updates a second)."""

Deliver = Callable[[float, str], None]
"""Hands one report (fraction, message) to the queue; must be callable from any thread."""

Arm = Callable[[float, Callable[[], None]], None]
"""Runs the callable after a delay in seconds (on the event loop, for `InProcJobs`)."""


def clamp_progress(fraction: float, floor: float) -> float:
    """`fraction` clamped to [`floor`, 1]; NaN gives `floor` (the last fraction reported)."""
    if math.isnan(fraction):
        return floor
    return min(1.0, max(floor, fraction))


class ProgressThrottle:
    """Leading-edge rate limit on a monotonic clock: pure bookkeeping, no threads, testable."""

    __slots__ = ("_interval_ns", "_last_ns")

    def __init__(self, interval_ns: int = DEFAULT_INTERVAL_NS) -> None:
        self._interval_ns = interval_ns
        self._last_ns: int | None = None

    def wait_ns(self, now_ns: int) -> int:
        """0 when a report may go out at `now_ns`, else how long until one may."""
        if self._last_ns is None:
            return 0
        return max(0, self._last_ns + self._interval_ns - now_ns)

    def sent(self, now_ns: int) -> None:
        """Record that a report went out at `now_ns`."""
        self._last_ns = now_ns


class JobContext:
    """The handler's side of one job: `progress`, `cancelled`, `check` (module docstring).

    Thread-safe: the handler's thread reports, the event loop's timer flushes, `cancel`
    comes from the loop. `deliver` and `arm` come from the queue backend.
    """

    def __init__(
        self,
        job_id: str,
        deliver: Deliver,
        arm: Arm,
        *,
        interval_ns: int = DEFAULT_INTERVAL_NS,
        clock: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.job_id = job_id
        self._deliver = deliver
        self._arm = arm
        self._clock = clock
        self._throttle = ProgressThrottle(interval_ns)
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._latest: tuple[float, str] = (0.0, "")
        self._sent: tuple[float, str] | None = None
        self._armed = False

    @property
    def cancelled(self) -> bool:
        """True once the job was asked to stop."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the handler to stop (it notices at its next `check`)."""
        self._cancel.set()

    def check(self) -> None:
        """Raise `JobCancelled` if the job was asked to stop; call it where stopping is safe."""
        if self._cancel.is_set():
            raise JobCancelled(self.job_id)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report `fraction` (0..1) done and what is happening; cheap enough for any loop."""
        send: tuple[float, str] | None = None
        delay_ns = 0
        with self._lock:
            value = clamp_progress(float(fraction), self._latest[0])
            self._latest = (value, message)
            if self._latest == self._sent:
                return
            now = self._clock()
            wait = self._throttle.wait_ns(now)
            if wait == 0 or value >= 1.0:
                send = self._mark_sent(now)
            elif not self._armed:
                self._armed, delay_ns = True, wait
        if send is not None:
            self._deliver(*send)
        elif delay_ns:
            self._arm(delay_ns / 1e9, self.flush)

    def flush(self) -> None:
        """Send the latest report if it was held back (the trailing-edge timer calls this)."""
        with self._lock:
            self._armed = False
            if self._latest == self._sent:
                return
            send = self._mark_sent(self._clock())
        self._deliver(*send)

    def _mark_sent(self, now_ns: int) -> tuple[float, str]:
        self._throttle.sent(now_ns)
        self._sent = self._latest
        return self._latest
