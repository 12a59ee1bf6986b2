"""Background jobs: backtests, parameter sweeps and data backfills off the request path.

    jobs = InProcJobs(builtin_handlers(kinds_config), SqlJobStore(engine))
    await jobs.start()
    info = await jobs.submit("backtest", {"example": "sma_cross"}, owner="kim")
    unsubscribe = jobs.listen(push_to_websockets)       # every state and progress change
    await jobs.get(info.job_id); await jobs.cancel(info.job_id); await jobs.result(info.job_id)

The contract (`JobQueue`, `JobInfo`, `JobStatus`) is in `base`; a handler's view of its job
(`JobContext`: throttled progress, cooperative cancel) in `context`; kinds and their params
checks (`JobHandler`, `JobRegistry`) in `registry`; stores in `store` (memory) and `sql`
(the `jobs` table); the default backend, a bounded thread pool in this process, in `inproc`.
The built-in kinds live in `jts.jobs.kinds`, imported separately because they pull in the
backtester. User guide: docs/jobs.md.
"""

from jts.jobs.base import (
    INTERRUPTED,
    TERMINAL,
    JobCancelled,
    JobInfo,
    JobNotFound,
    JobQueue,
    JobStatus,
    Listener,
    Unsubscribe,
)
from jts.jobs.context import JobContext, ProgressThrottle
from jts.jobs.inproc import MAX_LIST, InProcConfig, InProcJobs
from jts.jobs.registry import JobHandler, JobRegistry
from jts.jobs.sql import SqlJobStore
from jts.jobs.store import JobStore, MemoryJobStore

__all__ = [
    "INTERRUPTED",
    "MAX_LIST",
    "TERMINAL",
    "InProcConfig",
    "InProcJobs",
    "JobCancelled",
    "JobContext",
    "JobHandler",
    "JobInfo",
    "JobNotFound",
    "JobQueue",
    "JobRegistry",
    "JobStatus",
    "JobStore",
    "Listener",
    "MemoryJobStore",
    "ProgressThrottle",
    "SqlJobStore",
    "Unsubscribe",
]
