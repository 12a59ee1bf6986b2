"""Calls to a running `jts run` over its HTTP API, signed with the local CLI key.

The key is `--api-key` / `$JTS_API_KEY` when given, else the one `jts run` keeps in
`<var>/secrets/cli.key` (`jts.gateway.bootstrap`). Error answers become `InvalidInput` with the
server's message, so the command prints one clear line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from jts.core.errors import InvalidInput, VenueUnavailable
from jts.gateway.bootstrap import read_cli_key


def call(
    method: str,
    path: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    body: dict[str, Any] | None = None,
    var: Path | None = None,
    api_key: str | None = None,
) -> Any:
    """The JSON answer of `method path` (path under /api/v1), or a JTS error."""
    key = api_key or os.environ.get("JTS_API_KEY") or read_cli_key(var or _var())
    if not key:
        raise InvalidInput(
            "--api-key", "no API key: pass --api-key, set JTS_API_KEY, or run from the "
            "directory whose var/ the server uses (JTS_VAR_DIR)",
        )  # fmt: skip
    url = f"http://{host}:{port}/api/v1{path}"
    try:
        response = httpx.request(
            method, url, json=body, timeout=10, headers={"Authorization": f"Bearer {key}"}
        )
    except httpx.TransportError as exc:
        raise VenueUnavailable(f"no JTS answering at {host}:{port} ({exc})") from None
    if response.status_code >= 400:
        try:
            message = str(response.json().get("message", response.text))
        except ValueError:
            message = response.text
        raise InvalidInput(path, f"{response.status_code}: {message}")
    return response.json() if response.content else None


def _var() -> Path:
    return Path(os.environ.get("JTS_VAR_DIR") or "var")
