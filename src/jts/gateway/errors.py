"""One error shape for every failure the API reports, and the handlers that produce it.

Every non-2xx answer is `{"code": ..., "message": ..., "details": {...}}` with the right status:
a client (the dashboard, a bot) branches on `code`, shows `message`, and finds the offending
fields in `details`. Unexpected exceptions become a 500 with a generic message and an incident
id that is also logged with the traceback: never a stack trace on the wire.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from jts.core.errors import (
    InvalidInput,
    OrderDenied,
    OrderRejected,
    RateLimited,
    VenueUnavailable,
)

log = structlog.get_logger(__name__)

_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    """The body of every error answer."""

    code: str = Field(description="machine-readable reason, e.g. invalid_input, forbidden")
    message: str = Field(description="what went wrong, for people")
    details: dict[str, Any] = Field(default_factory=dict, description="fields at fault etc.")


class ApiError(Exception):
    """Raise from a route to answer `status` with this code, message and details."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def not_found(what: str, key: object) -> ApiError:
    return ApiError(404, "not_found", f"no {what} {key!r}")


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"code": code, "message": message, "details": details or {}}
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
    for status in (400, 401, 403, 404, 409, 422, 429)
}
"""The error answers every route may give, for the OpenAPI document."""


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception through `error_response`."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        details: dict[str, Any] = exc.detail if isinstance(exc.detail, dict) else {}
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, code, message, details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
                "problem": str(error.get("msg", "invalid")),
            }
            for error in exc.errors()
        ]
        first = problems[0] if problems else {"field": "request", "problem": "invalid"}
        message = f"{first['field'] or 'body'}: {first['problem']}"
        return error_response(422, "invalid_input", message, {"errors": problems})

    @app.exception_handler(InvalidInput)
    async def _invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return error_response(422, "invalid_input", str(exc), {"field": exc.field})

    @app.exception_handler(OrderDenied)
    async def _denied(_: Request, exc: OrderDenied) -> JSONResponse:
        return error_response(422, "order_denied", exc.message, {"reason": exc.reason})

    @app.exception_handler(OrderRejected)
    async def _rejected(_: Request, exc: OrderRejected) -> JSONResponse:
        return error_response(422, "order_rejected", exc.message, {"venue_code": exc.code})

    @app.exception_handler(RateLimited)
    async def _limited(_: Request, exc: RateLimited) -> JSONResponse:
        retry = max(1, int(exc.retry_after + 0.999))
        return error_response(
            429, "rate_limited", str(exc), {"retry_after_s": retry}, {"Retry-After": str(retry)}
        )

    @app.exception_handler(VenueUnavailable)
    async def _unavailable(_: Request, exc: VenueUnavailable) -> JSONResponse:
        return error_response(503, "unavailable", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.error(
            "gateway.unhandled",
            incident=incident,
            path=request.url.path,
            error=repr(exc),
            exc_info=exc,
        )
        return error_response(
            500,
            "internal_error",
            "internal error; the server log has the details",
            {"incident": incident},
        )
