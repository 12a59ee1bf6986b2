"""`InProcJobs`: submit, progress, finish, cancel, bound, listeners, stop — on test handlers."""

from __future__ import annotations

from typing import Any

import pytest

from jts.core.errors import ConfigError, InvalidInput, RateLimited, ServiceError
from jts.jobs import (
    INTERRUPTED,
    InProcConfig,
    InProcJobs,
    JobContext,
    JobHandler,
    JobInfo,
    JobNotFound,
    JobQueue,
    JobStatus,
    MemoryJobStore,
)
from tests.jobs.conftest import Gate, Recorder, fast_config, steps_handler

Queue = tuple[InProcJobs, Recorder]


async def test_a_job_runs_reports_progress_and_stores_its_result(queue: Queue) -> None:
    jobs, recorder = queue
    info = await jobs.submit("steps", {"steps": 4, "values": [1, 2, 3]}, owner="kim")
    assert info.status is JobStatus.QUEUED
    assert info.params == {"steps": 4, "values": [1, 2, 3]}
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.SUCCEEDED
    assert final.progress == 1.0
    assert final.started_ns is not None
    assert final.finished_ns is not None
    assert final.finished_ns >= final.started_ns >= final.created_ns
    statuses = [e.status for e in recorder.of(info.job_id)]
    assert statuses[0] is JobStatus.QUEUED
    assert statuses[-1] is JobStatus.SUCCEEDED
    messages = [e.message for e in recorder.of(info.job_id) if e.status is JobStatus.RUNNING]
    assert [m for m in messages if m.startswith("step")] == [f"step {i}" for i in range(1, 5)]
    assert await jobs.result(info.job_id) == {"total": 6, "steps": 4}
    assert await jobs.get(info.job_id) == final


async def test_a_failing_handler_fails_the_job_with_its_message(queue: Queue) -> None:
    jobs, recorder = queue
    info = await jobs.submit("failing", {"why": "no bars for 005930"}, owner="kim")
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.FAILED
    assert final.error == "RuntimeError: no bars for 005930"
    assert await jobs.result(info.job_id) is None


async def test_a_jts_error_is_reported_without_its_class_name(gate: Gate) -> None:
    def run(params: dict[str, Any], ctx: JobContext) -> None:
        raise InvalidInput("symbols", "005930 has no bars in the range")

    jobs = InProcJobs([JobHandler(kind="picky", run=run)], config=fast_config())
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    try:
        info = await jobs.submit("picky", {}, owner="kim")
        final = await recorder.done(info.job_id)
        assert final.error == "symbols: 005930 has no bars in the range"
    finally:
        await jobs.stop()


async def test_a_result_that_is_not_json_fails_the_job() -> None:
    def run(params: dict[str, Any], ctx: JobContext) -> object:
        return {"oops": object()}

    jobs = InProcJobs([JobHandler(kind="odd", run=run)], config=fast_config())
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    try:
        final = await recorder.done((await jobs.submit("odd", {}, owner="kim")).job_id)
        assert final.status is JobStatus.FAILED
        assert final.error is not None
        assert "not JSON-able" in final.error
    finally:
        await jobs.stop()


async def test_unknown_kinds_and_bad_params_are_refused_before_anything_is_queued(
    queue: Queue,
) -> None:
    jobs, recorder = queue
    with pytest.raises(InvalidInput, match="unknown job kind 'backtset'"):
        await jobs.submit("backtset", {}, owner="kim")
    with pytest.raises(InvalidInput) as caught:
        await jobs.submit("steps", {"steps": -1}, owner="kim")
    assert caught.value.field == "steps"
    with pytest.raises(InvalidInput, match="owner"):
        await jobs.submit("steps", {}, owner="")
    assert await jobs.list() == []
    assert recorder.events == []


async def test_cancelling_a_queued_job_is_immediate_and_it_never_runs(
    queue: Queue, gate: Gate
) -> None:
    jobs, recorder = queue  # two workers
    first = await jobs.submit("gated", {"tag": "a"}, owner="kim")
    second = await jobs.submit("gated", {"tag": "b"}, owner="kim")
    waiting = await jobs.submit("gated", {"tag": "c"}, owner="kim")
    await recorder.status(second.job_id, JobStatus.RUNNING)
    cancelled = await jobs.cancel(waiting.job_id)
    assert cancelled.status is JobStatus.CANCELLED
    assert cancelled.finished_ns is not None
    gate.open()
    await recorder.done(first.job_id)
    await recorder.done(second.job_id)
    assert "c" not in gate.started
    assert (await jobs.get(waiting.job_id)) == cancelled
    assert await jobs.result(waiting.job_id) is None


async def test_cancelling_a_running_job_stops_its_handler(queue: Queue, gate: Gate) -> None:
    jobs, recorder = queue
    info = await jobs.submit("gated", {"tag": "slow"}, owner="kim")
    await recorder.status(info.job_id, JobStatus.RUNNING)
    asked = await jobs.cancel(info.job_id)
    assert asked.status is JobStatus.RUNNING
    assert asked.message == "cancelling"
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.CANCELLED
    assert final.error is None
    assert (await jobs.get(info.job_id)) == final


async def test_cancelling_a_finished_job_changes_nothing_and_unknown_ids_raise(
    queue: Queue,
) -> None:
    jobs, recorder = queue
    info = await jobs.submit("steps", {}, owner="kim")
    final = await recorder.done(info.job_id)
    assert await jobs.cancel(info.job_id) == final
    with pytest.raises(JobNotFound):
        await jobs.cancel("f" * 32)
    with pytest.raises(JobNotFound):
        await jobs.result("f" * 32)
    assert await jobs.get("f" * 32) is None


async def test_no_more_jobs_run_at_once_than_there_are_workers(queue: Queue, gate: Gate) -> None:
    jobs, recorder = queue  # workers=2 (the default)
    tags = ["a", "b", "c", "d", "e"]
    infos = [await jobs.submit("gated", {"tag": tag}, owner="kim") for tag in tags]
    await recorder.status(infos[1].job_id, JobStatus.RUNNING)
    listed = {i.job_id: i.status for i in await jobs.list()}
    assert [listed[i.job_id] for i in infos[2:]] == [JobStatus.QUEUED] * 3
    for tag, info in zip(tags, infos, strict=True):
        gate.open(tag)
        await recorder.done(info.job_id)
    assert gate.max_active == 2
    assert gate.started == tags  # first submitted, first run
    assert jobs.health().details["running"] == 0


async def test_a_full_queue_refuses_with_rate_limited(gate: Gate) -> None:
    jobs = InProcJobs([gate.handler()], config=fast_config(workers=1, max_queued=2))
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    try:
        running = await jobs.submit("gated", {}, owner="kim")
        await recorder.status(running.job_id, JobStatus.RUNNING)
        await jobs.submit("gated", {}, owner="kim")
        await jobs.submit("gated", {}, owner="kim")
        with pytest.raises(RateLimited):
            await jobs.submit("gated", {}, owner="kim")
    finally:
        gate.open()
        await jobs.stop()


async def test_listeners_get_every_change_until_they_unsubscribe(queue: Queue) -> None:
    jobs, recorder = queue
    mine: list[JobInfo] = []
    unsubscribe = jobs.listen(mine.append)
    info = await jobs.submit("steps", {"steps": 2}, owner="kim")
    await recorder.done(info.job_id)
    assert mine == recorder.of(info.job_id)
    unsubscribe()
    unsubscribe()  # twice is harmless
    other = await jobs.submit("steps", {"steps": 2}, owner="kim")
    await recorder.done(other.job_id)
    assert all(e.job_id == info.job_id for e in mine)


async def test_a_raising_listener_is_counted_and_the_others_still_hear(queue: Queue) -> None:
    jobs, recorder = queue

    def broken(info: JobInfo) -> None:
        raise RuntimeError("websocket gone")

    jobs.listen(broken)
    info = await jobs.submit("steps", {}, owner="kim")
    assert (await recorder.done(info.job_id)).status is JobStatus.SUCCEEDED
    assert jobs.health().details["listener_errors"] >= 3


async def test_list_is_newest_first_per_owner_and_bounded(queue: Queue) -> None:
    jobs, recorder = queue
    ids = [(await jobs.submit("steps", {}, owner=o)).job_id for o in ("kim", "lee", "kim")]
    for job_id in ids:
        await recorder.done(job_id)
    assert [i.job_id for i in await jobs.list()] == ids[::-1]
    assert [i.job_id for i in await jobs.list(owner="kim")] == [ids[2], ids[0]]
    assert [i.job_id for i in await jobs.list(limit=1)] == [ids[2]]
    with pytest.raises(InvalidInput, match="limit"):
        await jobs.list(limit=0)


async def test_a_queue_takes_jobs_only_while_running() -> None:
    jobs = InProcJobs([steps_handler()])
    with pytest.raises(ServiceError, match="created"):
        await jobs.submit("steps", {}, owner="kim")
    await jobs.start()
    await jobs.stop()
    with pytest.raises(ServiceError, match="stopped"):
        await jobs.submit("steps", {}, owner="kim")
    with pytest.raises(ServiceError, match="store is closed"):
        await jobs.get("f" * 32)


async def test_stop_fails_queued_and_running_jobs_as_interrupted(gate: Gate) -> None:
    store = MemoryJobStore()
    jobs = InProcJobs([gate.handler()], store, fast_config(workers=1))
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    running = await jobs.submit("gated", {}, owner="kim")
    queued = await jobs.submit("gated", {}, owner="kim")
    await recorder.status(running.job_id, JobStatus.RUNNING)
    await jobs.stop()
    for info in (running, queued):
        stored = store.get(info.job_id)
        assert stored is not None
        assert (stored.status, stored.error) == (JobStatus.FAILED, INTERRUPTED)
        assert recorder.of(info.job_id)[-1] == stored


async def test_stop_abandons_a_handler_that_ignores_the_cancel(gate: Gate) -> None:
    store = MemoryJobStore()
    handler = gate.handler(honour_cancel=False)
    jobs = InProcJobs([handler], store, fast_config(workers=1, stop_timeout_s=0.05))
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    stubborn = await jobs.submit("gated", {"tag": "stubborn"}, owner="kim")
    await recorder.status(stubborn.job_id, JobStatus.RUNNING)
    await jobs.stop()
    stored = store.get(stubborn.job_id)
    assert stored is not None
    assert (stored.status, stored.error) == (JobStatus.FAILED, INTERRUPTED)
    gate.open("stubborn")  # the abandoned thread ends; its late finish changes nothing
    assert store.get(stubborn.job_id) == stored


def test_the_in_process_backend_is_a_job_queue() -> None:
    queue: JobQueue = InProcJobs([steps_handler()])  # mypy checks the shape ...
    assert isinstance(queue, JobQueue)  # ... and the runtime the names
    assert queue.health().details["workers"] == 2


def test_the_config_refuses_nonsense() -> None:
    with pytest.raises(ConfigError, match=r"jobs\.workers"):
        InProcConfig(workers=0)
    with pytest.raises(ConfigError, match=r"jobs\.store_interval_s"):
        InProcConfig(store_interval_s=-1.0)
