"""Passkey routes under /api/v1/auth/passkeys: add one while signed in, then sign in with it.

Each ceremony is two requests, options then verify, tied by the `ceremony_id` the first returns
(see `passkeys.py`). Signing in with a passkey answers exactly what password login answers: the
lead's `issue_tokens` makes it, so both paths issue the same tokens. Refusals: 400 for a bad
request or ceremony, 401 for a sign-in that is not accepted, 403 for an API key trying to manage
passkeys (a bot's key must not be able to mint a way to sign in as its owner), 404 for a passkey
the caller does not have.
"""

# No `from __future__ import annotations`: FastAPI reads route annotations at run time, and
# `Annotated[Principal, signed_in]` names a local of `passkey_router`.

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from jts.gateway.auth.passkeys import (
    NAME_MAX,
    CeremonyError,
    PasskeyError,
    PasskeyInfo,
    PasskeyNotFound,
    PasskeyService,
)
from jts.gateway.auth.principal import Principal
from jts.gateway.errors import ERROR_RESPONSES, ErrorBody

__all__ = ["TokenIssuer", "passkey_router"]

TokenIssuer = Callable[[int], Awaitable[dict[str, Any]]]
"""user id → the login answer (`access_token`, `refresh_token`, `token_type`, ...)."""

_CEREMONY_ID = Field(min_length=1, max_length=128, description="from the options answer")
_CREDENTIAL = Field(
    description="the PublicKeyCredential the browser returned, as JSON (`credential.toJSON()`): "
    "id, rawId, type, response with base64url fields"
)


class PasskeyCeremony(BaseModel):
    """A begun ceremony: hand `options` to the browser, send `ceremony_id` back with its answer."""

    ceremony_id: str = Field(description="send it back with the authenticator's answer")
    options: dict[str, Any] = Field(
        description="WebAuthn options JSON for navigator.credentials.create() / .get() "
        "(PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON); "
        "valid for 5 minutes, once"
    )


class PasskeyRegistration(BaseModel):
    """The authenticator's answer to registration options, and a name for the new passkey."""

    ceremony_id: str = _CEREMONY_ID
    credential: dict[str, Any] = _CREDENTIAL
    name: str = Field(
        min_length=1, max_length=NAME_MAX, description="shown in the list (e.g. 'iPhone')"
    )


class PasskeyLoginStart(BaseModel):
    """Whose passkeys may answer; the body may be omitted for a discoverable login."""

    username: str | None = Field(
        default=None,
        max_length=64,
        description="limit to this user's passkeys; omit to let the authenticator choose",
    )


class PasskeyLogin(BaseModel):
    """The authenticator's signed answer to login options."""

    ceremony_id: str = _CEREMONY_ID
    credential: dict[str, Any] = _CREDENTIAL


class PasskeyOut(BaseModel):
    """One of the user's passkeys (the public key itself is never shown)."""

    credential_id: str = Field(description="base64url; identifies the passkey in DELETE")
    name: str
    created_ns: int = Field(description="ns UTC")
    last_used_ns: int | None = Field(description="ns UTC of the last sign-in; null if never")


class PasskeyTokens(BaseModel):
    """What password login answers; further fields of `issue_tokens` pass through."""

    model_config = ConfigDict(extra="allow")

    access_token: str
    refresh_token: str
    token_type: str = "bearer"


_ERRORS: dict[int, str] = {
    400: "malformed answer, or unknown / used / expired ceremony",
    401: "the passkey was not accepted (the message says why)",
    403: "API keys cannot manage passkeys",
    404: "no such passkey of yours",
}
"""What each refusal means here (the body is the gateway's one error shape)."""


def passkey_router(
    service: PasskeyService,
    principal_dependency: Callable[..., Any],
    issue_tokens: TokenIssuer,
) -> APIRouter:
    """Routes for `service`; `principal_dependency` is the FastAPI dependency that demands a
    signed-in `Principal`, `issue_tokens` makes the login answer for a user id."""
    router = APIRouter(prefix="/api/v1/auth/passkeys", tags=["passkeys"], responses=ERROR_RESPONSES)
    signed_in = Depends(principal_dependency)

    @router.post("/register/options", responses=_pick(400, 403))
    def register_options(principal: Annotated[Principal, signed_in]) -> PasskeyCeremony:
        """Begin adding a passkey to your account: options for navigator.credentials.create()."""
        _refuse_api_key(principal)
        try:
            return PasskeyCeremony(**service.registration_options(principal.user_id))
        except PasskeyError as exc:
            raise HTTPException(status_code=400, detail=exc.problem) from None

    @router.post("/register/verify", status_code=201, responses=_pick(400, 403))
    def register_verify(
        request: PasskeyRegistration, principal: Annotated[Principal, signed_in]
    ) -> PasskeyOut:
        """Finish adding a passkey: check the authenticator's answer and keep its public key."""
        _refuse_api_key(principal)
        try:
            info = service.verify_registration(
                principal.user_id, request.ceremony_id, request.credential, request.name
            )
        except PasskeyError as exc:
            raise HTTPException(status_code=400, detail=exc.problem) from None
        return _out(info)

    @router.get("")
    def list_passkeys(principal: Annotated[Principal, signed_in]) -> list[PasskeyOut]:
        """Your passkeys, oldest first."""
        return [_out(info) for info in service.list(principal.user_id)]

    @router.delete("/{credential_id}", status_code=204, responses=_pick(403, 404))
    def delete_passkey(credential_id: str, principal: Annotated[Principal, signed_in]) -> None:
        """Remove one of your passkeys; it can no longer sign in."""
        _refuse_api_key(principal)
        try:
            service.delete(principal.user_id, credential_id)
        except PasskeyNotFound as exc:
            raise HTTPException(status_code=404, detail=exc.problem) from None

    @router.post("/login/options")
    def login_options(request: PasskeyLoginStart | None = None) -> PasskeyCeremony:
        """Begin signing in with a passkey (no password): options for
        navigator.credentials.get(). Never reveals whether a username exists."""
        username = request.username if request is not None else None
        return PasskeyCeremony(**service.authentication_options(username))

    @router.post("/login/verify", responses=_pick(400, 401))
    async def login_verify(request: PasskeyLogin) -> PasskeyTokens:
        """Finish signing in: check the signed challenge and answer as password login does."""
        try:
            user_id = await run_in_threadpool(
                service.verify_authentication, request.ceremony_id, request.credential
            )
        except CeremonyError as exc:
            raise HTTPException(status_code=400, detail=exc.problem) from None
        except PasskeyError as exc:
            raise HTTPException(status_code=401, detail=exc.problem) from None
        return PasskeyTokens(**await issue_tokens(user_id))

    return router


def _refuse_api_key(principal: Principal) -> None:
    if principal.key_id is not None:
        raise HTTPException(status_code=403, detail="sign in as the user to manage passkeys")


def _pick(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": _ERRORS[code]} for code in codes}


def _out(info: PasskeyInfo) -> PasskeyOut:
    return PasskeyOut(
        credential_id=info.credential_id,
        name=info.name,
        created_ns=info.created_ns,
        last_used_ns=info.last_used_ns,
    )
