"""Strategy documents (saved, versioned, validated with line/column errors) and the strategies
running on the account (start from a document or text, pause, resume, stop).

Validation compiles the text with the strategy language's compiler (`jts.strategy`): the answer
lists every problem with its line and column, so an editor can underline it. Python strategies
are checked for syntax only (they are code, imported when started from the command line).
"""

import ast
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from jts.core.clock import Clock
from jts.core.errors import InvalidInput, JtsError
from jts.gateway.auth.guard import PrincipalDependency
from jts.gateway.auth.principal import Principal
from jts.gateway.errors import ERROR_RESPONSES, ApiError, not_found
from jts.storage.strategies import StrategyLibrary, StrategyVersion
from jts.strategy.lang.compiler import compile_program
from jts.strategy.lang.errors import DslError

Language = Literal["jts", "python"]


class TradingControl(Protocol):
    """The running strategies of the account (`jts.trading.service.PaperTrading` has it)."""

    def strategies(self) -> list[dict[str, Any]]: ...
    async def control_strategy(self, name: str, action: str) -> dict[str, Any]: ...
    def add_strategy(self, source: str, cash: int | None) -> dict[str, Any]: ...


class Source(BaseModel):
    source: str = Field(min_length=1, max_length=100_000, description="the strategy's text")
    language: Language = "jts"


class Problem(BaseModel):
    line: int
    column: int
    message: str
    expected: list[str] = Field(default_factory=list)


class Validation(BaseModel):
    valid: bool
    name: str | None = Field(description="the strategy's declared name, when it has one")
    errors: list[Problem]
    params: dict[str, Any] = Field(default_factory=dict, description="declared parameters")


class Document(BaseModel):
    name: str
    version: int
    language: Language
    source: str
    author: str
    created_ns: int


class DocumentSummary(BaseModel):
    name: str
    latest_version: int
    language: Language
    author: str
    updated_ns: int
    running: str | None = Field(description="active or paused when it runs now, else null")


class Running(BaseModel):
    name: str
    state: str
    symbols: int
    orders: int


class Stopped(BaseModel):
    name: str
    state: Literal["stopped"]
    cancelled: int


class StartRequest(BaseModel):
    name: str | None = Field(default=None, max_length=64, description="a saved strategy")
    version: int | None = Field(default=None, ge=1, description="default: the latest")
    source: str | None = Field(default=None, min_length=1, max_length=100_000)
    cash: int | None = Field(default=None, gt=0, le=10**15, description="KRW allotted")


class ActionRequest(BaseModel):
    action: Literal["pause", "resume", "stop"]


def validate_source(source: str, language: str) -> Validation:
    if language == "python":
        try:
            ast.parse(source)
        except SyntaxError as exc:
            problem = Problem(line=exc.lineno or 1, column=exc.offset or 1, message=exc.msg)
            return Validation(valid=False, name=None, errors=[problem])
        return Validation(valid=True, name=None, errors=[])
    try:
        program = compile_program(source)
    except DslError as exc:
        problems = [
            Problem(line=d.line, column=d.column, message=d.message, expected=list(d.expected))
            for d in exc.diagnostics
        ]
        return Validation(valid=False, name=None, errors=problems)
    except JtsError as exc:  # the compiler promises DslError; stay safe if that ever breaks
        return Validation(
            valid=False, name=None, errors=[Problem(line=1, column=1, message=str(exc))]
        )
    params = {p.name: int(p.default) if p.integer else float(p.default) for p in program.params}
    return Validation(valid=True, name=program.name, errors=[], params=params)


def invalid(result: Validation) -> ApiError:
    """The 422 answer for a strategy that does not compile: every problem in details."""
    first = result.errors[0]
    return ApiError(
        422,
        "invalid_strategy",
        f"{first.line}:{first.column}: {first.message}",
        {"errors": [e.model_dump() for e in result.errors]},
    )


def _document(version: StrategyVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "version": version.version,
        "language": version.language,
        "source": version.source,
        "author": version.author,
        "created_ns": version.created_ns,
    }


def strategies_router(  # noqa: C901 (a few lines per route)
    library: StrategyLibrary,
    control: TradingControl | None,
    clock: Clock,
    reader: PrincipalDependency,
    trader: PrincipalDependency,
) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["strategies"], responses=ERROR_RESPONSES)

    def checked(request: Source, name: str | None = None) -> str:
        result = validate_source(request.source, request.language)
        if not result.valid:
            raise invalid(result)
        declared = result.name or name
        if declared is None:
            raise InvalidInput("name", "a Python strategy is saved under a name: use PUT")
        if name is not None and declared != name:
            raise InvalidInput("source", f"the text declares {declared!r}, not {name!r}")
        return declared

    def running_states() -> dict[str, str]:
        if control is None:
            return {}
        return {item["name"]: str(item["state"]) for item in control.strategies()}

    @router.post("/strategies/validate", response_model=Validation)
    def validate(request: Source, _: Annotated[Principal, Depends(reader)]) -> Validation:
        """Check a strategy's text; every problem comes with its line and column."""
        return validate_source(request.source, request.language)

    @router.get("/strategies", response_model=list[DocumentSummary])
    async def documents(_: Annotated[Principal, Depends(reader)]) -> list[dict[str, Any]]:
        """Saved strategies (latest version of each) and whether each is running."""
        running = running_states()
        return [
            {
                "name": v.name,
                "latest_version": v.version,
                "language": v.language,
                "author": v.author,
                "updated_ns": v.created_ns,
                "running": running.get(v.name),
            }
            for v in await run_in_threadpool(library.names)
        ]

    @router.post("/strategies", response_model=Document, status_code=201)
    async def create(
        request: Source, principal: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Save a strategy under the name its text declares (a new version if it exists)."""
        name = checked(request)
        saved = await run_in_threadpool(
            lambda: library.save(
                name, request.source, language=request.language,
                author=principal.username, created_ns=clock.now_ns(),
            )
        )  # fmt: skip
        return _document(saved)

    @router.get("/strategies/{name}", response_model=Document)
    async def latest(name: str, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """The latest version of a saved strategy."""
        found = await run_in_threadpool(library.get, name)
        if found is None:
            raise not_found("strategy", name)
        return _document(found)

    @router.put("/strategies/{name}", response_model=Document)
    async def update(
        name: str, request: Source, principal: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Save a new version of `name` (the text must declare that name)."""
        checked(request, name)
        saved = await run_in_threadpool(
            lambda: library.save(
                name, request.source, language=request.language,
                author=principal.username, created_ns=clock.now_ns(),
            )
        )  # fmt: skip
        return _document(saved)

    @router.delete("/strategies/{name}", status_code=204)
    async def remove(name: str, _: Annotated[Principal, Depends(trader)]) -> None:
        """Delete every saved version of a strategy (a running one keeps running)."""
        if await run_in_threadpool(library.delete, name) == 0:
            raise not_found("strategy", name)

    @router.get("/strategies/{name}/versions", response_model=list[Document])
    async def versions(name: str, _: Annotated[Principal, Depends(reader)]) -> list[dict[str, Any]]:
        """Every saved version of a strategy, oldest first."""
        found = await run_in_threadpool(library.versions, name)
        if not found:
            raise not_found("strategy", name)
        return [_document(v) for v in found]

    @router.get("/strategies/{name}/versions/{version}", response_model=Document)
    async def one_version(
        name: str,
        version: Annotated[int, Path(ge=1, le=10**9)],
        _: Annotated[Principal, Depends(reader)],
    ) -> dict[str, Any]:
        """One saved version."""
        found = await run_in_threadpool(library.get, name, version)
        if found is None:
            raise not_found("strategy version", f"{name} v{version}")
        return _document(found)

    return router


def running_router(
    library: StrategyLibrary,
    control: TradingControl,
    reader: PrincipalDependency,
    trader: PrincipalDependency,
) -> APIRouter:
    """The strategies trading on the account now."""
    router = APIRouter(prefix="/api/v1/trading", tags=["trading"], responses=ERROR_RESPONSES)

    @router.get("/strategies", response_model=list[Running])
    def running(_: Annotated[Principal, Depends(reader)]) -> list[dict[str, Any]]:
        """The strategies trading now: name, state (active / paused), symbols, orders."""
        return control.strategies()

    @router.post("/strategies", response_model=Running, status_code=201)
    async def start(
        request: StartRequest, _: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Start trading a saved strategy (`name`, optional `version`) or a text (`source`)."""
        if (request.name is None) == (request.source is None):
            raise InvalidInput("name", "give either a saved strategy's name or a source text")
        source = request.source
        if request.name is not None:
            found = await run_in_threadpool(library.get, request.name, request.version)
            if found is None:
                raise not_found("strategy", request.name)
            if found.language != "jts":
                raise InvalidInput(
                    "name", "Python strategies are started with `jts run --strategy`"
                )
            source = found.source
        assert source is not None
        result = validate_source(source, "jts")
        if not result.valid:
            raise invalid(result)
        return control.add_strategy(source, request.cash)

    @router.post("/strategies/{name}", response_model=Running | Stopped)
    async def act(
        name: str, request: ActionRequest, _: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Pause (orders refused, state kept), resume, or stop (working orders cancelled)."""
        try:
            return await control.control_strategy(name, request.action)
        except KeyError:
            raise not_found("running strategy", name) from None

    return router
