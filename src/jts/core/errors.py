"""JTS exceptions, grouped by what the caller must do about them.

    JtsError                       base of everything we raise on purpose
    ├── ConfigError                stop: fix the configuration (names the key)
    ├── InvalidInput               never retry: the value given is wrong (names the field)
    │   ├── InvalidSymbol
    │   └── InvalidPrice
    ├── VenueUnavailable           retry with backoff: the venue or a backend is down
    ├── RateLimited                wait `retry_after` seconds, then retry
    ├── OrderRejected              never retry: the venue refused (keeps the venue's code)
    ├── OrderDenied                never retry: our risk engine refused before any venue saw it
    ├── StrategyError              user code failed; the runtime keeps running
    └── ServiceError               a service failed to start or stop

Retries select by class only; messages are for people.
"""

from __future__ import annotations


class JtsError(Exception):
    """Base of every error JTS raises deliberately."""


class ConfigError(JtsError):
    """The configuration is invalid; `key` names the setting (dotted path) at fault."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class InvalidInput(JtsError, ValueError):
    """A value given to JTS is wrong; `field` names what, `problem` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class InvalidSymbol(InvalidInput):
    def __init__(self, code: object) -> None:
        super().__init__("symbol", f"{code!r} is not a KRX short code (6 characters of 0-9 or A-Z)")


class InvalidPrice(InvalidInput):
    pass


class VenueUnavailable(JtsError):
    """A venue or backend cannot be reached now; retry with backoff."""


class RateLimited(JtsError):
    """Too many requests; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OrderRejected(JtsError):
    """The venue refused an order; `code` is the venue's own reason code, kept verbatim."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


class OrderDenied(JtsError):
    """The risk engine refused an order before it reached a venue; `reason` is our code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"[{reason}] {message}")
        self.reason = reason
        self.message = message


class StrategyError(JtsError):
    """A strategy's own code failed; carries the strategy id and the original exception."""

    def __init__(self, strategy: str, message: str) -> None:
        super().__init__(f"strategy {strategy}: {message}")
        self.strategy = strategy


class ServiceError(JtsError):
    """A service could not start, stop or run."""
