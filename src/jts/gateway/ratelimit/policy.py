"""Who gets how many requests, and which requests are not counted at all.

`RatePolicy` is what the middleware consults; `RateLimitSettings` is the `gateway.rate_limit`
configuration section: the policy plus where the counters live. Both are frozen and reject
unknown keys, like every settings section (`jts.config.settings`).

The kill switch is exempt by default: a runaway bot that spent its owner's budget is exactly
when the owner must still be able to halt trading. Health is exempt so monitors never trip
it, and everything outside the API (the dashboard's static files) is not counted.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from jts.gateway.auth.principal import Role

__all__ = ["DEFAULT_EXEMPT", "RateLimitSettings", "RatePolicy"]

DEFAULT_EXEMPT: frozenset[str] = frozenset({"GET /api/v1/health", "POST /api/v1/risk/kill-switch"})

_Limit = Annotated[int, Field(ge=1)]


class RatePolicy(BaseModel):
    """Limits per window (requests of cost 1) and the requests that are never counted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_s: float = Field(default=60.0, gt=0, le=86_400)
    """Length of the window the limits are counted over, seconds."""
    default_limit: _Limit = 100
    """Requests per window for a signed-in user whose role has no entry in `role_limits`."""
    role_limits: dict[Role, _Limit] = Field(default_factory=dict)
    """Per-role overrides, e.g. {admin = 600}; roles are `viewer`, `trader`, `admin`."""
    anonymous_limit: _Limit = 100
    """Requests per window per client IP before sign-in (IPv6: per /64 network)."""
    trust_proxy: bool = False
    """Take the client IP from X-Forwarded-For (its last entry, the one our proxy added).
    Only behind a reverse proxy: otherwise any client could pick its own bucket."""
    exempt: frozenset[str] = DEFAULT_EXEMPT
    """Requests never counted, as "METHOD /path" (exact path)."""
    limited_prefixes: tuple[str, ...] = ("/api/", "/ws")
    """Only paths under these are counted; the rest (static web files) never are."""

    @field_validator("exempt")
    @classmethod
    def _exempt_format(cls, entries: frozenset[str]) -> frozenset[str]:
        normalized = set()
        for entry in entries:
            method, _, path = entry.strip().partition(" ")
            if not method.isalpha() or not path.startswith("/") or " " in path:
                raise ValueError(f'entries look like "GET /api/v1/health", got {entry!r}')
            normalized.add(f"{method.upper()} {path}")
        return frozenset(normalized)

    @field_validator("limited_prefixes")
    @classmethod
    def _prefix_format(cls, prefixes: tuple[str, ...]) -> tuple[str, ...]:
        for prefix in prefixes:
            if not prefix.startswith("/"):
                raise ValueError(f"prefixes start with '/', got {prefix!r}")
        return prefixes

    def limit_for(self, role: str | None) -> int:
        """The limit of a caller with `role` (None: anonymous); an unknown role gets the default."""
        if role is None:
            return self.anonymous_limit
        try:
            return self.role_limits.get(Role(role), self.default_limit)
        except ValueError:
            return self.default_limit

    def is_exempt(self, method: str, path: str) -> bool:
        """True when a request to `path` is not counted (outside the API, or listed)."""
        return not self._is_limited_path(path) or f"{method} {path}" in self.exempt

    def _is_limited_path(self, path: str) -> bool:
        for prefix in self.limited_prefixes:
            folder = prefix.rstrip("/")
            if path == folder or path.startswith(folder + "/"):
                return True
        return False


class RateLimitSettings(RatePolicy):
    """The `gateway.rate_limit` settings section: a `RatePolicy` plus where counts are kept.

    `memory` counts in the gateway process (one process); `redis` shares the counts between
    several gateway processes and needs `redis_url`.
    """

    enabled: bool = True
    backend: Literal["memory", "redis"] = "memory"
    redis_url: SecretStr | None = None
    """redis://[:password@]host:port/db; may hold a password, so it is masked."""
    redis_prefix: str = Field(default="jts:rl:", min_length=1)
    """Prefix of every rate-limit key, so several deployments can share one Redis."""
    redis_timeout_s: float = Field(default=0.25, gt=0, le=10)
    """Connect and command timeout; past it a request is limited per process instead."""

    @model_validator(mode="after")
    def _redis_needs_url(self) -> Self:
        if self.backend == "redis" and self.redis_url is None:
            raise ValueError("backend 'redis' needs redis_url (e.g. redis://127.0.0.1:6379/0)")
        return self

    def policy(self) -> RatePolicy:
        """Only the policy part, for `RateLimitMiddleware`."""
        return RatePolicy(**{name: getattr(self, name) for name in RatePolicy.model_fields})
