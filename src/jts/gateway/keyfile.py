"""Random keys kept in files under the data directory: created once (mode 0600), then reused.

The gateway's JWT signing key, the master key that encrypts broker credentials and the VAPID
key all follow this pattern: generated on first start so nothing needs configuring, stable
across restarts so tokens and subscriptions survive them, and overridable from the environment
on servers where keys come from a secret manager.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from jts.core.errors import ConfigError


def load_or_create_key(path: Path, nbytes: int = 32, *, env: str | None = None) -> bytes:
    """The key in `$env` (base64url) if set, else in `path`, else a new one written there."""
    if env is not None and os.environ.get(env):
        return _decode(os.environ[env], env, nbytes)
    if path.is_file():
        return _decode(path.read_text(encoding="ascii").strip(), str(path), nbytes)
    key = secrets.token_bytes(nbytes)
    write_private(path, base64.urlsafe_b64encode(key).decode("ascii") + "\n")
    return key


def write_private(path: Path, text: str) -> None:
    """Write `text` readable by the owner only, atomically (no half-written key on a crash)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _decode(text: str, where: str, nbytes: int) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise ConfigError(where, "is not base64url text") from None
    if len(key) < nbytes:
        raise ConfigError(where, f"holds {len(key)} bytes; at least {nbytes} are needed")
    return key
