"""Job kinds: the name a request gives, the check of its params, and the work itself.

A `JobHandler` pairs `validate` (runs at submit, before anything is queued, so a bad request
fails as a 422 naming the field instead of as a failed job minutes later) with `run` (runs on
a worker, gets the validated params and a `JobContext`). The `JobRegistry` is the table of
kinds a queue accepts; the built-in kinds are in `jts.jobs.kinds`, and tests register their
own. Params and results cross the process boundary as JSON (the store keeps them as text, a
Redis backend would send them), so both must be JSON-able: checked here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import msgspec

from jts.core.errors import ConfigError, InvalidInput
from jts.jobs.context import JobContext

__all__ = ["JobHandler", "JobRegistry", "decode_json", "encode_json", "plain_params"]

Run = Callable[[dict[str, Any], JobContext], Any]
"""The work: validated params and the job's context in, a JSON-able result out."""

Validate = Callable[[Mapping[str, Any]], dict[str, Any]]
"""Params as requested in, params as the handler will run them out; raises `InvalidInput`."""

_KIND: Final = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
"""A kind name: lowercase identifier of at most 32 characters (the `jobs.kind` column)."""


def plain_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The default `validate`: any JSON-able params, copied."""
    return dict(params)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobHandler:
    """One kind of job: its name, its params check and its work (module docstring)."""

    kind: str
    run: Run
    validate: Validate = plain_params
    description: str = ""

    def __post_init__(self) -> None:
        if not _KIND.match(self.kind):
            raise ConfigError("jobs.kinds", f"{self.kind!r} is not a lowercase name of 1-32 chars")


class JobRegistry:
    """The kinds a queue accepts, by name; a kind is registered once."""

    def __init__(self, handlers: Iterable[JobHandler] = ()) -> None:
        self._handlers: dict[str, JobHandler] = {}
        for handler in handlers:
            self.register(handler)

    def register(self, handler: JobHandler) -> None:
        if handler.kind in self._handlers:
            raise ConfigError("jobs.kinds", f"kind {handler.kind!r} is registered twice")
        self._handlers[handler.kind] = handler

    @property
    def kinds(self) -> list[str]:
        """The registered kind names, sorted."""
        return sorted(self._handlers)

    def handler(self, kind: str) -> JobHandler:
        """The handler of `kind`; `InvalidInput` naming the known kinds when there is none."""
        found = self._handlers.get(kind)
        if found is None:
            known = ", ".join(self.kinds) or "none"
            raise InvalidInput("kind", f"unknown job kind {kind!r}; known kinds: {known}")
        return found

    def validate(self, kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The params `kind` will run with; `InvalidInput` for an unknown kind, bad params or
        params that are not JSON (they are stored as JSON text)."""
        if not isinstance(params, Mapping):
            raise InvalidInput("params", f"must be a JSON object, not {type(params).__name__}")
        clean = self.handler(kind).validate(params)
        try:
            return dict(decode_json(encode_json(clean)))
        except (TypeError, msgspec.EncodeError, ValueError) as exc:
            raise InvalidInput("params", f"not JSON-able: {exc}") from None


def _enc_hook(value: Any) -> Any:
    """JSON for the few non-JSON types results carry: paths as text, numpy scalars as numbers."""
    if isinstance(value, Path):
        return str(value)
    item = getattr(value, "item", None)  # numpy scalars (np.int64 is no int subclass)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


_ENCODER: Final = msgspec.json.Encoder(enc_hook=_enc_hook)


def encode_json(value: Any) -> str:
    """`value` as JSON text. Non-finite floats become null (a NaN Sharpe ratio is "undefined",
    and JSON has no NaN); dates as ISO text, Decimals as text; raises TypeError otherwise."""
    return _ENCODER.encode(value).decode()


def decode_json(text: str) -> Any:
    """The JSON value of `text` (objects as dicts)."""
    return msgspec.json.decode(text)
