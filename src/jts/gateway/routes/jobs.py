"""Jobs over HTTP: submit a backtest, sweep or backfill, follow its progress, cancel it, read
its result and the backtest's HTML report. Progress also streams on the WebSocket's `jobs`
channel. Everyone sees their own jobs; an admin sees all."""

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from jts.gateway.auth.guard import PrincipalDependency
from jts.gateway.auth.principal import Principal, Scope
from jts.gateway.errors import ERROR_RESPONSES, ApiError, not_found
from jts.jobs import JobInfo, JobQueue


class JobAnswer(BaseModel):
    job_id: str
    kind: str
    owner: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: float = Field(ge=0, le=1)
    message: str
    params: dict[str, Any]
    error: str | None
    created_ns: int
    started_ns: int | None
    finished_ns: int | None


class JobRequest(BaseModel):
    kind: Literal["backtest", "sweep", "backfill"]
    params: dict[str, Any] = Field(default_factory=dict, description="see docs/jobs.md")


class JobResult(BaseModel):
    job_id: str
    status: str
    result: Any = Field(description="the job's result (null until it succeeded)")


def _answer(info: JobInfo, *, brief: bool = False) -> dict[str, Any]:
    out = info.to_dict()
    if brief:  # a list: the strategy text of each backtest is long and not needed there
        out["params"] = {k: v for k, v in out["params"].items() if k != "strategy"}
    return out


def jobs_router(
    jobs: JobQueue, reader: PrincipalDependency, trader: PrincipalDependency
) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["jobs"], responses=ERROR_RESPONSES)

    async def owned(job_id: str, principal: Principal) -> JobInfo:
        info = await jobs.get(job_id)
        if info is None or not (info.owner == principal.username or principal.allows(Scope.ADMIN)):
            raise not_found("job", job_id)
        return info

    @router.post("/jobs", response_model=JobAnswer, status_code=202)
    async def submit(
        request: JobRequest, principal: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Queue a job; its params are checked now (422 naming the field at fault)."""
        if request.kind == "backfill" and not principal.allows(Scope.ADMIN):
            raise ApiError(403, "forbidden", "backfills write the shared market data: admin only")
        return _answer(await jobs.submit(request.kind, request.params, principal.username))

    @router.post("/backtests", response_model=JobAnswer, status_code=202, tags=["backtests"])
    async def backtest(
        params: dict[str, Any], principal: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Queue a backtest (`strategy` text or `example`, `data`, dates, costs ...; see
        docs/jobs.md). Follow it at /jobs/{job_id}; the report is /backtests/{job_id}/report."""
        return _answer(await jobs.submit("backtest", params, principal.username))

    @router.get("/jobs", response_model=list[JobAnswer])
    async def listed(
        principal: Annotated[Principal, Depends(reader)],
        kind: Literal["backtest", "sweep", "backfill"] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        """Jobs, newest first: your own (an admin's: everyone's)."""
        owner = None if principal.allows(Scope.ADMIN) else principal.username
        found = await jobs.list(owner, limit)
        return [_answer(info, brief=True) for info in found if kind is None or info.kind == kind]

    @router.get("/jobs/{job_id}", response_model=JobAnswer)
    async def one(job_id: str, principal: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """A job's state and progress."""
        return _answer(await owned(job_id, principal))

    @router.post("/jobs/{job_id}/cancel", response_model=JobAnswer)
    async def cancel(
        job_id: str, principal: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Cancel a queued job at once, or ask a running one to stop."""
        await owned(job_id, principal)
        return _answer(await jobs.cancel(job_id))

    @router.get("/jobs/{job_id}/result", response_model=JobResult)
    async def result(
        job_id: str, principal: Annotated[Principal, Depends(reader)]
    ) -> dict[str, Any]:
        """The result (metrics, report path, sweep table ...) once the job succeeded."""
        info = await owned(job_id, principal)
        return {"job_id": job_id, "status": info.status.value, "result": await jobs.result(job_id)}

    @router.get(
        "/backtests/{job_id}/report",
        response_class=FileResponse,
        tags=["backtests"],
        responses={200: {"content": {"text/html": {}}, "description": "the HTML report"}},
    )
    async def report(job_id: str, principal: Annotated[Principal, Depends(reader)]) -> FileResponse:
        """The backtest's self-contained HTML report."""
        await owned(job_id, principal)
        found = await jobs.result(job_id)
        path = found.get("report") if isinstance(found, dict) else None
        if not path or not Path(path).is_file():
            raise not_found("report of job", job_id)
        return FileResponse(path, media_type="text/html")

    return router
