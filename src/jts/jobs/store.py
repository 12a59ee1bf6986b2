"""Where jobs are kept: the `JobStore` contract and the in-memory store.

A store is plain synchronous code; the queue decides which thread calls it (`InProcJobs`
calls it from one thread of its own, in order, so a store needs no locks and a read always
sees the writes queued before it). Results are JSON text here: the queue encodes them once on
the worker, the store keeps the text, the API decodes it when asked. `MemoryJobStore` keeps
everything in this process (tests, a single-user desktop); `SqlJobStore` keeps jobs across
restarts.
"""

from __future__ import annotations

import builtins
from typing import Protocol

import msgspec

from jts.jobs.base import JobInfo, JobStatus

__all__ = ["JobStore", "MemoryJobStore"]

_UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobStore(Protocol):
    """Jobs and their results, by id; lists newest first (by submission)."""

    def add(self, info: JobInfo) -> None:
        """Record a new job (its id must be new)."""
        ...

    def update(self, info: JobInfo, result: str | None = None) -> None:
        """Record the job's new state; `result` (JSON text) with its final state only."""
        ...

    def get(self, job_id: str) -> JobInfo | None: ...

    def list(self, owner: str | None = None, limit: int = 100) -> builtins.list[JobInfo]:
        """The newest `limit` jobs of `owner` (all owners when None), newest first."""
        ...

    def result(self, job_id: str) -> str | None:
        """The stored result (JSON text) of a job, None when it has none."""
        ...

    def interrupt(self, error: str, finished_ns: int) -> builtins.list[JobInfo]:
        """Mark every queued or running job failed with `error` (their process is gone);
        the jobs so marked, in their new state."""
        ...


class MemoryJobStore:
    """A `JobStore` in a dict: lost with the process (so `interrupt` finds nothing after a
    restart, but it does for a queue started again in the same process)."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobInfo] = {}  # insertion order = submission order
        self._results: dict[str, str] = {}

    def add(self, info: JobInfo) -> None:
        if info.job_id in self._jobs:
            raise KeyError(f"job {info.job_id} is already stored")
        self._jobs[info.job_id] = info

    def update(self, info: JobInfo, result: str | None = None) -> None:
        if info.job_id not in self._jobs:
            raise KeyError(f"job {info.job_id} is not stored")
        self._jobs[info.job_id] = info
        if result is not None:
            self._results[info.job_id] = result

    def get(self, job_id: str) -> JobInfo | None:
        return self._jobs.get(job_id)

    def list(self, owner: str | None = None, limit: int = 100) -> builtins.list[JobInfo]:
        found: builtins.list[JobInfo] = []
        for info in reversed(self._jobs.values()):
            if len(found) >= limit:
                break
            if owner is None or info.owner == owner:
                found.append(info)
        return found

    def result(self, job_id: str) -> str | None:
        return self._results.get(job_id)

    def interrupt(self, error: str, finished_ns: int) -> builtins.list[JobInfo]:
        marked = [
            msgspec.structs.replace(
                info,
                status=JobStatus.FAILED,
                error=error,
                message=error,
                finished_ns=finished_ns,
            )
            for info in self._jobs.values()
            if info.status in _UNFINISHED
        ]
        for info in marked:
            self._jobs[info.job_id] = info
        return marked
