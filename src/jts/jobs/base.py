"""The job queue contract: long work (backtests, sweeps, backfills) off the request path.

A gateway route submits a job and answers at once with its `JobInfo`; the work runs on a
worker, reports progress and can be cancelled; the result stays in a `JobStore` for later
reads. `jts.jobs.inproc.InProcJobs` (a bounded thread pool in this process) is the default
backend; a Redis backend, with workers in other processes, implements the same `JobQueue`.

Why the reads (`get`, `list`, `result`) are ``async`` although a dict could answer them: a
backend on a network (Redis) or a database (`SqlJobStore`) must not block the event loop that
serves every HTTP request and WebSocket, so the contract lets each backend do its I/O however
it must. `listen` stays synchronous: it is called on the event loop and must be cheap (put
the event on a WebSocket's send queue, never await inside).

Lifecycle of one job::

    queued ──► running ──► succeeded | failed | cancelled
       └──────────────────► cancelled            (cancel before a worker took it)

A cancel of a queued job is immediate; a running one is asked to stop (`JobContext.check`
raises `JobCancelled` in the handler) and becomes `cancelled` when its handler returns. A job
whose process stops before it ends is `failed` with `INTERRUPTED` as its error: never lost
silently, never left "running" forever.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Final, Protocol, runtime_checkable

import msgspec

from jts.core.errors import JtsError
from jts.core.lifecycle import Lifecycle

__all__ = [
    "INTERRUPTED",
    "TERMINAL",
    "JobCancelled",
    "JobInfo",
    "JobNotFound",
    "JobQueue",
    "JobStatus",
    "Listener",
    "Unsubscribe",
]

INTERRUPTED: Final = "interrupted: the process stopped before the job finished"
"""The error of a job its process did not finish (a crash, a kill, a stop that timed out)."""


class JobStatus(StrEnum):
    """Where a job is in its life; the values are what the database and the API carry."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        """True once the job will never change again."""
        return self in TERMINAL


TERMINAL: Final = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class JobInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One job as callers see it: what was asked, by whom, and how far it got.

    `progress` is a fraction in [0, 1] that never goes down while the job runs; `message` says
    what the handler is doing ("running 12/40 parameter sets"). `params` are the validated,
    JSON-able params the handler runs with (defaults filled in), not the raw request. Times are
    int ns UTC; `started_ns` and `finished_ns` are None until they happen. `error` is set for
    failed jobs only. `msgspec.to_builtins(info)` (or `to_dict`) is the JSON the API and the
    WebSocket send.
    """

    job_id: str
    kind: str
    owner: str
    status: JobStatus
    progress: float = 0.0
    message: str = ""
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    error: str | None = None
    created_ns: int
    started_ns: int | None = None
    finished_ns: int | None = None

    @property
    def done(self) -> bool:
        """True once the job succeeded, failed or was cancelled."""
        return self.status.terminal

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of every field (the status as its string value)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


Listener = Callable[[JobInfo], None]
"""Called on the event loop with a job's new state after every change (status or progress)."""

Unsubscribe = Callable[[], None]
"""Returned by `JobQueue.listen`; calling it (once or more) stops the calls."""


class JobNotFound(JtsError, KeyError):
    """No job has this id (never existed, or the store forgot it); a 404 for the API.

    A `KeyError` too, so callers that look jobs up like dict entries catch it as one."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id

    def __str__(self) -> str:
        return f"no job {self.job_id!r}"


class JobCancelled(JtsError):
    """Raised inside a handler by `JobContext.check` once the job was asked to stop; the
    queue records the job as cancelled. Handlers let it propagate (after cleaning up)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was cancelled")
        self.job_id = job_id


@runtime_checkable
class JobQueue(Lifecycle, Protocol):
    """What the gateway needs of a job backend: submit, watch, cancel, fetch.

    Errors: `submit` raises `InvalidInput` for an unknown kind or invalid params (before
    anything is queued, so the request gets a 422 naming the field), `RateLimited` when the
    queue is full, `ServiceError` when the backend is not running; `cancel` raises
    `JobNotFound` for an unknown id.
    """

    async def submit(self, kind: str, params: Mapping[str, Any], owner: str) -> JobInfo:
        """Validate `params` for `kind` and queue the job; returns it queued (stored)."""
        ...

    async def get(self, job_id: str) -> JobInfo | None:
        """The job's current state, or None when there is no such job."""
        ...

    async def list(self, owner: str | None = None, limit: int = 100) -> builtins.list[JobInfo]:
        """The newest `limit` jobs (of `owner` when given), newest first."""
        ...

    async def cancel(self, job_id: str) -> JobInfo:
        """Cancel: a queued job at once, a running one cooperatively (its state is returned,
        still running, and turns cancelled when the handler stops); a finished job is
        returned unchanged."""
        ...

    async def result(self, job_id: str) -> Any | None:
        """The JSON-able result of a succeeded job; None while it has none (queued, running,
        failed, cancelled). Raises `JobNotFound` for an unknown id."""
        ...

    def listen(self, callback: Listener) -> Unsubscribe:
        """Call `callback` with every state change of every job, on the event loop."""
        ...
