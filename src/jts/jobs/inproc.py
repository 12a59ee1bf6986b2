"""`InProcJobs`: the default `JobQueue` — handlers on a bounded thread pool in this process.

Why threads: backtests and sweeps spend their time in NumPy, polars and the `nogil` numba
kernels, which release the GIL, so a few threads run jobs in parallel without pickling bars
to other processes; and a sweep that wants every core starts its own process pool
(`jts.backtest.sweep`) from inside its job. `workers` threads bound the jobs running at once
(default 2); the rest wait in an asyncio queue in submission order, and at most `max_queued`
may wait (a flood gets `RateLimited`, not unbounded memory).

Threads and the event loop: every state change — queued, running, progress, finished — is
made on the event loop, so job state needs no locks and listeners are always called there
(a WebSocket hub can push from a listener without thread hand-offs). Handlers report progress
from their thread through `JobContext`, which throttles and hands the report over with
`loop.call_soon_threadsafe`. Store calls run on one thread of their own, one at a time in
call order: the loop never waits on disk or network for a progress write, and a read queued
after a write sees it. `submit` waits for its job to be stored, so a job the API acknowledged
survives a crash (and is then marked failed, `INTERRUPTED`, on the next start). Progress is
written at most once per `store_interval_s` per job; listeners get every throttled report;
the final state is always written, with the result.

Stopping: queued jobs are failed as `INTERRUPTED`; running ones are asked to cancel and
given `stop_timeout_s` to return; a handler that does not is failed as `INTERRUPTED` too and
abandoned (a thread cannot be killed; its late reports are ignored). This backend assumes it
is the only process running the jobs of its store: on start it fails every unfinished job.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import msgspec
import structlog

from jts.core.clock import Clock, LiveClock
from jts.core.errors import ConfigError, InvalidInput, JtsError, RateLimited, ServiceError
from jts.core.lifecycle import Service, ServiceState
from jts.jobs.base import (
    INTERRUPTED,
    JobCancelled,
    JobInfo,
    JobNotFound,
    JobStatus,
    Listener,
    Unsubscribe,
)
from jts.jobs.context import JobContext
from jts.jobs.registry import JobHandler, JobRegistry, Run, decode_json, encode_json
from jts.jobs.store import JobStore, MemoryJobStore

__all__ = ["MAX_LIST", "InProcConfig", "InProcJobs"]

_log = structlog.get_logger(__name__)
T = TypeVar("T")

MAX_LIST: Final = 1_000
"""Most jobs one `list` call returns."""
_MAX_OWNER: Final = 64
"""Characters of an owner name (the `jobs.owner` column)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InProcConfig:
    """How `InProcJobs` runs jobs; every field has a default that suits one gateway."""

    workers: int = 2
    """Jobs running at once (threads)."""
    max_queued: int = 1_000
    """Jobs that may wait for a worker; one more is refused with `RateLimited`."""
    progress_interval_s: float = 0.05
    """Least time between two progress events of one job, seconds."""
    store_interval_s: float = 1.0
    """Least time between two progress writes of one job to the store, seconds."""
    stop_timeout_s: float = 30.0
    """How long `stop` waits for running handlers to notice the cancel, seconds."""

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError("jobs.workers", f"{self.workers} is not a positive thread count")
        if self.max_queued < 1:
            raise ConfigError("jobs.max_queued", f"{self.max_queued} is not positive")
        for key in ("progress_interval_s", "store_interval_s", "stop_timeout_s"):
            if not getattr(self, key) >= 0:
                raise ConfigError(f"jobs.{key}", f"{getattr(self, key)} is negative")


@dataclass(eq=False)
class _Live:
    """A job of this process that has not finished: its state and its handles."""

    info: JobInfo
    context: JobContext | None = None
    done: asyncio.Future[None] | None = None
    """Resolved when the job finishes; set while it runs (what `stop` waits on)."""
    stored_ns: int = 0
    """Monotonic ns of the last progress write to the store."""
    interrupted: bool = False
    """The process is stopping: a cancel now means INTERRUPTED, not a user's cancel."""


class InProcJobs(Service):
    """A `JobQueue` running `kinds` on a thread pool, keeping jobs in `store` (module
    docstring). `store` defaults to a `MemoryJobStore`; `clock` stamps jobs (int ns UTC)."""

    def __init__(
        self,
        kinds: JobRegistry | Iterable[JobHandler],
        store: JobStore | None = None,
        config: InProcConfig | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__("jobs")
        self._kinds = kinds if isinstance(kinds, JobRegistry) else JobRegistry(kinds)
        self._store: JobStore = store if store is not None else MemoryJobStore()
        self._config = config or InProcConfig()
        self._clock = clock or LiveClock()
        self._live: dict[str, _Live] = {}
        self._listeners: dict[int, Listener] = {}
        self._next_listener = 0
        self._errors = {"listener": 0, "store": 0}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._pool: ThreadPoolExecutor | None = None
        self._io_pool: ThreadPoolExecutor | None = None

    @property
    def kinds(self) -> list[str]:
        """The job kinds this queue accepts."""
        return self._kinds.kinds

    # -- JobQueue -----------------------------------------------------------------------------

    async def submit(self, kind: str, params: Mapping[str, Any], owner: str) -> JobInfo:
        """Validate off the loop (a strategy compiles), store, then queue (`JobQueue.submit`)."""
        self._check_running()
        self._kinds.handler(kind)
        _check_owner(owner)
        queued = sum(1 for live in self._live.values() if live.info.status is JobStatus.QUEUED)
        if queued >= self._config.max_queued:
            raise RateLimited(f"{queued} jobs are waiting for a worker; try again later", 5.0)
        clean = await asyncio.to_thread(self._kinds.validate, kind, params)
        self._check_running()
        info = JobInfo(
            job_id=uuid.uuid4().hex,
            kind=kind,
            owner=owner,
            status=JobStatus.QUEUED,
            message="queued",
            params=clean,
            created_ns=self._clock.now_ns(),
        )
        live = self._live[info.job_id] = _Live(info)  # before the write: stop() sees it
        try:
            await self._io(self._store.add, info)
        except BaseException:
            self._live.pop(info.job_id, None)
            raise
        if live.info.status is JobStatus.QUEUED:  # not cancelled or stopped meanwhile
            self._queue.put_nowait(info.job_id)
            self._notify(live.info)
        return live.info

    async def get(self, job_id: str) -> JobInfo | None:
        live = self._live.get(job_id)
        if live is not None:
            return live.info
        return await self._io(self._store.get, job_id)

    async def list(self, owner: str | None = None, limit: int = 100) -> builtins.list[JobInfo]:
        """Newest first; jobs of this process show their live progress."""
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInput("limit", f"{limit} is not between 1 and {MAX_LIST}")
        stored = await self._io(self._store.list, owner, limit)
        return [live.info if (live := self._live.get(i.job_id)) else i for i in stored]

    async def cancel(self, job_id: str) -> JobInfo:
        live = self._live.get(job_id)
        if live is None:
            info = await self.get(job_id)
            if info is None:
                raise JobNotFound(job_id)
            return info  # finished: nothing to cancel
        if live.info.status is JobStatus.QUEUED:
            self._finish(live, status=JobStatus.CANCELLED, message="cancelled before it started")
        elif live.context is not None and not live.context.cancelled:
            live.context.cancel()
            self._change(live, message="cancelling")
        return live.info

    async def result(self, job_id: str) -> Any | None:
        info = await self.get(job_id)
        if info is None:
            raise JobNotFound(job_id)
        if info.status is not JobStatus.SUCCEEDED:
            return None
        text = await self._io(self._store.result, job_id)
        return None if text is None else decode_json(text)

    def listen(self, callback: Listener) -> Unsubscribe:
        key = self._next_listener
        self._next_listener += 1
        self._listeners[key] = callback

        def unsubscribe() -> None:
            self._listeners.pop(key, None)

        return unsubscribe

    # -- lifecycle ----------------------------------------------------------------------------

    async def _on_start(self) -> None:
        """Fail what a previous process left unfinished, then start the workers."""
        self._loop = asyncio.get_running_loop()
        self._io_pool = ThreadPoolExecutor(1, thread_name_prefix="jts-jobs-store")
        try:
            orphans = await self._io(self._store.interrupt, INTERRUPTED, self._clock.now_ns())
        except BaseException:
            self._io_pool.shutdown(wait=False)
            self._io_pool = None
            raise
        for info in orphans:
            _log.warning("jobs.interrupted", job_id=info.job_id, kind=info.kind)
            self._notify(info)
        self._pool = ThreadPoolExecutor(self._config.workers, thread_name_prefix="jts-job")
        self._queue = asyncio.Queue()
        self._tasks = [
            asyncio.create_task(self._work(), name=f"jobs-worker-{n}")
            for n in range(self._config.workers)
        ]

    async def _on_stop(self) -> None:
        """Fail queued jobs, cancel running ones, wait for them (module docstring)."""
        for live in builtins.list(self._live.values()):
            if live.info.status is JobStatus.QUEUED:
                self._finish(live, status=JobStatus.FAILED, error=INTERRUPTED, message=INTERRUPTED)
            elif live.context is not None:
                live.interrupted = True
                live.context.cancel()
        running = [live.done for live in self._live.values() if live.done is not None]
        if running:
            await asyncio.wait(running, timeout=self._config.stop_timeout_s)
        for live in builtins.list(self._live.values()):
            _log.warning("jobs.abandoned", job_id=live.info.job_id, kind=live.info.kind)
            self._finish(live, status=JobStatus.FAILED, error=INTERRUPTED, message=INTERRUPTED)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        await self._io(lambda: None)  # every write queued so far has landed
        if self._io_pool is not None:
            self._io_pool.shutdown(wait=False)
            self._io_pool = None  # reads now raise ServiceError, not the executor's error

    def _health_details(self) -> dict[str, Any]:
        states = [live.info.status for live in self._live.values()]
        return {
            "workers": self._config.workers,
            "queued": states.count(JobStatus.QUEUED),
            "running": states.count(JobStatus.RUNNING),
            "listener_errors": self._errors["listener"],
            "store_errors": self._errors["store"],
        }

    # -- running ------------------------------------------------------------------------------

    async def _work(self) -> None:
        """One worker: take the next queued job and run it; a job cancelled while it waited
        is skipped (it already left `_live`)."""
        while True:
            job_id = await self._queue.get()
            live = self._live.get(job_id)
            if live is None or live.info.status is not JobStatus.QUEUED:
                continue
            try:
                await self._run(live)
            except Exception:  # a bug here must not kill the worker and strand the queue
                _log.exception("jobs.worker_failed", job_id=job_id)
                self._finish(live, status=JobStatus.FAILED, error="internal error", message="")

    async def _run(self, live: _Live) -> None:
        loop, pool = self._loop, self._pool
        assert loop is not None, "started"
        assert pool is not None, "started"
        info = live.info
        run = self._kinds.handler(info.kind).run
        interval_ns = round(self._config.progress_interval_s * 1e9)
        live.context = JobContext(
            info.job_id, self._deliverer(info.job_id), self._arm, interval_ns=interval_ns
        )
        live.done = loop.create_future()
        started = self._clock.now_ns()
        self._change(
            live, persist=True, status=JobStatus.RUNNING, started_ns=started, message="started"
        )
        params = decode_json(encode_json(info.params))  # the handler's own copy
        try:
            text = await loop.run_in_executor(pool, _call, run, params, live.context)
        except JobCancelled:
            if live.interrupted:
                self._finish(live, status=JobStatus.FAILED, error=INTERRUPTED, message=INTERRUPTED)
            else:
                self._finish(live, status=JobStatus.CANCELLED, message="cancelled")
        except Exception as exc:
            if not isinstance(exc, JtsError):
                _log.error("jobs.handler_failed", job_id=info.job_id, kind=info.kind, exc_info=exc)
            error = str(exc) if isinstance(exc, JtsError) else f"{type(exc).__name__}: {exc}"
            self._finish(live, status=JobStatus.FAILED, error=error, message="failed")
        else:
            self._finish(live, text, status=JobStatus.SUCCEEDED, progress=1.0, message="done")

    def _deliverer(self, job_id: str) -> Callable[[float, str], None]:
        """The thread-safe progress hand-over of one job (see `JobContext`)."""

        def deliver(fraction: float, message: str) -> None:
            self._call_soon(self._on_progress, job_id, fraction, message)

        return deliver

    def _arm(self, delay_s: float, flush: Callable[[], None]) -> None:
        loop = self._loop
        if loop is not None:
            self._call_soon(loop.call_later, delay_s, flush)

    def _call_soon(self, fn: Callable[..., object], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # closed: a handler that outlived stop()
            loop.call_soon_threadsafe(fn, *args)

    def _on_progress(self, job_id: str, fraction: float, message: str) -> None:
        live = self._live.get(job_id)
        if live is None or live.info.status is not JobStatus.RUNNING:
            return
        now = time.monotonic_ns()
        persist = now - live.stored_ns >= self._config.store_interval_s * 1e9
        if persist:
            live.stored_ns = now
        self._change(live, persist=persist, progress=fraction, message=message)

    # -- state --------------------------------------------------------------------------------

    def _change(self, live: _Live, *, persist: bool = False, **changes: Any) -> None:
        """Apply `changes` to a live job, tell the listeners, and write it if `persist`."""
        if live.info.status.terminal:
            return
        live.info = msgspec.structs.replace(live.info, **changes)
        if persist:
            self._write(self._store.update, live.info)
        self._notify(live.info)

    def _finish(self, live: _Live, result: str | None = None, **changes: Any) -> None:
        """The job's final state: written with its result, told, and dropped from `_live`
        (reads go to the store from now on, queued after this write)."""
        if live.info.status.terminal:
            return
        live.info = msgspec.structs.replace(live.info, finished_ns=self._clock.now_ns(), **changes)
        self._live.pop(live.info.job_id, None)
        self._write(self._store.update, live.info, result)
        self._notify(live.info)
        if live.done is not None and not live.done.done():
            live.done.set_result(None)

    def _notify(self, info: JobInfo) -> None:
        for callback in builtins.list(self._listeners.values()):
            try:
                callback(info)
            except Exception:  # one bad listener must not starve the others or the job
                self._errors["listener"] += 1
                _log.exception("jobs.listener_failed", job_id=info.job_id)

    # -- store I/O ----------------------------------------------------------------------------

    async def _io(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a store call on the store thread, after every call queued before it."""
        if self._io_pool is None:
            raise ServiceError(f"jobs is {self.state.value}: its store is closed")
        return await asyncio.wrap_future(self._io_pool.submit(fn, *args))

    def _write(self, fn: Callable[..., object], *args: Any) -> None:
        """Queue a store write without waiting; a failure is logged and counted."""
        if self._io_pool is None:
            return
        self._io_pool.submit(fn, *args).add_done_callback(self._written)

    def _written(self, future: Future[object]) -> None:
        if (exc := future.exception()) is not None:
            self._errors["store"] += 1
            _log.error("jobs.store_write_failed", exc_info=exc)

    def _check_running(self) -> None:
        if self.state is not ServiceState.RUNNING:
            raise ServiceError(f"jobs is {self.state.value}: it takes no new jobs")


def _call(run: Run, params: dict[str, Any], context: JobContext) -> str:
    """On a worker thread: the handler's result, as the JSON text the store keeps."""
    result = run(params, context)
    try:
        return encode_json(result)
    except (TypeError, msgspec.EncodeError) as exc:
        raise JtsError(f"the job's result is not JSON-able: {exc}") from None


def _check_owner(owner: str) -> None:
    if not isinstance(owner, str) or not 0 < len(owner) <= _MAX_OWNER:
        raise InvalidInput("owner", f"{owner!r} is not a name of 1-{_MAX_OWNER} characters")
