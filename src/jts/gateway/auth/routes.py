"""Sign-in, token refresh, sign-out, the caller's own account, users (admin) and API keys."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from jts.core.errors import InvalidInput
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.principal import Principal, Role, Scope
from jts.gateway.auth.users import ApiKey, User
from jts.gateway.errors import ERROR_RESPONSES, ApiError, not_found

UserId = Annotated[int, Path(ge=1, le=2**62, description="a user's id")]


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserInfo(BaseModel):
    id: int
    username: str
    role: Role
    disabled: bool = False


class TokenAnswer(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds the access token stays valid")
    user: UserInfo


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class NewUser(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Role = Role.VIEWER


class UserChange(BaseModel):
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


class NewApiKey(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    scopes: list[Scope] | None = Field(
        default=None, description="default: everything the owner's role allows"
    )


class ApiKeyInfo(BaseModel):
    key_id: str
    user_id: int
    name: str
    scopes: list[Scope]
    created_ns: int
    last_used_ns: int | None
    revoked: bool


class CreatedApiKey(ApiKeyInfo):
    secret: str = Field(description="the key to send as Bearer or X-API-Key; shown only once")


def _user_info(user: User) -> UserInfo:
    return UserInfo(id=user.id, username=user.username, role=user.role, disabled=user.disabled)


def _key_info(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "user_id": key.user_id,
        "name": key.name,
        "scopes": sorted(key.scopes),
        "created_ns": key.created_ns,
        "last_used_ns": key.last_used_ns,
        "revoked": key.revoked,
    }


def auth_router(auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=ERROR_RESPONSES)
    users = auth.users
    signed_in = auth.requires(Scope.READ)

    @router.post("/login", response_model=TokenAnswer)
    async def login(request: LoginRequest) -> dict[str, Any]:
        """Exchange a username and password for an access token and a refresh token."""
        user = await run_in_threadpool(users.authenticate, request.username, request.password)
        if user is None:
            raise ApiError(401, "unauthorized", "wrong username or password")
        return await run_in_threadpool(auth.issue, user)

    @router.post("/refresh", response_model=TokenAnswer)
    async def refresh(request: RefreshRequest) -> dict[str, Any]:
        """Spend a refresh token for a new pair; each refresh token works once."""
        answer = await run_in_threadpool(auth.refresh, request.refresh_token)
        if answer is None:
            raise ApiError(401, "unauthorized", "the refresh token is invalid, used or expired")
        return answer

    @router.post("/logout", status_code=204)
    async def logout(request: RefreshRequest, _: Annotated[Principal, Depends(signed_in)]) -> None:
        """End a session: its refresh token (and any rotated from it) stops working."""
        await run_in_threadpool(users.revoke_refresh, request.refresh_token)

    @router.get("/me", response_model=UserInfo)
    async def me(principal: Annotated[Principal, Depends(signed_in)]) -> UserInfo:
        """The signed-in user."""
        user = await run_in_threadpool(users.get, principal.user_id)
        if user is None:
            raise ApiError(401, "unauthorized", "the user no longer exists")
        return _user_info(user)

    @router.post("/password", status_code=204)
    async def change_password(
        request: PasswordChange, principal: Annotated[Principal, Depends(signed_in)]
    ) -> None:
        """Change your own password; other sessions are signed out."""
        user = await run_in_threadpool(
            users.authenticate, principal.username, request.current_password
        )
        if user is None:
            raise ApiError(403, "forbidden", "the current password is wrong")
        await run_in_threadpool(users.update, user.id, password=request.new_password)
        auth.forget(user.id)

    return router


def users_router(auth: Authenticator) -> APIRouter:  # noqa: C901 (a few lines per route)
    """Users (admin only) and API keys (everyone manages their own; admins see all)."""
    router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    users = auth.users
    admin = auth.requires(Scope.ADMIN)
    signed_in = auth.requires(Scope.READ)

    @router.get("/users", response_model=list[UserInfo], tags=["users"])
    async def list_users(_: Annotated[Principal, Depends(admin)]) -> list[UserInfo]:
        """Every user."""
        return [_user_info(user) for user in await run_in_threadpool(users.all)]

    @router.post("/users", response_model=UserInfo, status_code=201, tags=["users"])
    async def create_user(request: NewUser, _: Annotated[Principal, Depends(admin)]) -> UserInfo:
        """Add a user with a role."""
        user = await run_in_threadpool(
            users.create, request.username, request.password, request.role
        )
        return _user_info(user)

    @router.patch("/users/{user_id}", response_model=UserInfo, tags=["users"])
    async def change_user(
        user_id: UserId, request: UserChange, principal: Annotated[Principal, Depends(admin)]
    ) -> UserInfo:
        """Change a user's role, enable/disable it or set its password."""
        if user_id == principal.user_id and (
            request.disabled or (request.role is not None and request.role is not Role.ADMIN)
        ):
            raise InvalidInput("user_id", "an admin cannot disable or demote itself")
        try:
            user = await run_in_threadpool(
                lambda: users.update(
                    user_id, role=request.role, disabled=request.disabled, password=request.password
                )
            )
        except KeyError:
            raise not_found("user", user_id) from None
        auth.forget(user_id)
        return _user_info(user)

    @router.delete("/users/{user_id}", status_code=204, tags=["users"])
    async def delete_user(user_id: UserId, principal: Annotated[Principal, Depends(admin)]) -> None:
        """Remove a user with its tokens, keys, passkeys and alerts."""
        if user_id == principal.user_id:
            raise InvalidInput("user_id", "an admin cannot delete itself")
        try:
            await run_in_threadpool(users.delete, user_id)
        except KeyError:
            raise not_found("user", user_id) from None
        auth.forget(user_id)

    @router.get("/api-keys", response_model=list[ApiKeyInfo], tags=["api keys"])
    async def list_keys(
        principal: Annotated[Principal, Depends(signed_in)],
    ) -> list[dict[str, Any]]:
        """Your API keys (an admin sees everyone's); secrets are never shown again."""
        owner = None if principal.allows(Scope.ADMIN) else principal.user_id
        return [_key_info(key) for key in await run_in_threadpool(users.api_keys, owner)]

    @router.post("/api-keys", response_model=CreatedApiKey, status_code=201, tags=["api keys"])
    async def create_key(
        request: NewApiKey, principal: Annotated[Principal, Depends(signed_in)]
    ) -> dict[str, Any]:
        """Create a key for a bot, with at most your own permissions."""
        if principal.key_id is not None:
            raise ApiError(403, "forbidden", "an API key cannot create API keys")
        scopes = set(request.scopes) if request.scopes else None
        key, secret = await run_in_threadpool(
            users.create_api_key, principal.user_id, request.name, scopes
        )
        return {**_key_info(key), "secret": secret}

    @router.delete("/api-keys/{key_id}", response_model=ApiKeyInfo, tags=["api keys"])
    async def revoke_key(
        key_id: str, principal: Annotated[Principal, Depends(signed_in)]
    ) -> dict[str, Any]:
        """Revoke a key at once (yours, or any as admin)."""
        owner = None if principal.allows(Scope.ADMIN) else principal.user_id
        try:
            key = await run_in_threadpool(lambda: users.revoke_api_key(key_id, user_id=owner))
        except KeyError:
            raise not_found("API key", key_id) from None
        auth.forget()
        return _key_info(key)

    return router
