"""`TokenStore`: one KIS access token per app key, shared on disk by every JTS process.

KIS allows one token issuance per minute per app key (KIS.md §2.1), notifies the account owner
on each one, and answers a re-issue within 6 h with the same token. So tokens are kept on disk
(`<token_dir>/<key_id>.json`, mode 0600) and reused until `renew_margin_s` before they expire;
a process that needs a token takes an exclusive `fcntl` lock on `<key_id>.lock`, rereads the
file (another process may have just renewed it) and issues only if it still must, never within
`min_interval_s` of the previous issuance (it waits out the rest of the minute instead). The
WebSocket approval key is kept in the same record and reused the same way.

Time comes from an injectable `Clock` and waits go through an injectable `sleep`, so tests can
check the minute rule without waiting a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol

import msgspec

from jts.core.clock import NS_PER_SECOND, Clock, LiveClock
from jts.venues.kis.config import AppKey
from jts.venues.kis.errors import KisRateLimited, KisUnavailable

__all__ = ["IssuedToken", "TokenIssuer", "TokenRecord", "TokenStore"]

Sleep = Callable[[float], Awaitable[None]]

_LOCK_POLL_S = 0.01
_LOCK_TIMEOUT_S = 120.0
_APPROVAL_LIFETIME_S = 86_400.0
"""KIS.md §2.3: an approval key is valid 24 h (it matters only when a session starts)."""


class IssuedToken(msgspec.Struct, frozen=True):
    """What `/oauth2/tokenP` gave: the token and when it stops working, int ns UTC."""

    token: str
    expires_ns: int


class TokenIssuer(Protocol):
    """Asks KIS for credentials (`jts.venues.kis.auth.KisAuth`; a fake in tests)."""

    async def issue_token(self, key: AppKey) -> IssuedToken: ...

    async def issue_approval(self, key: AppKey) -> str: ...


class TokenRecord(msgspec.Struct, kw_only=True):
    """The file of one app key. Times are int ns UTC; 0 means never."""

    access_token: str = ""
    expires_ns: int = 0
    issued_ns: int = 0
    approval_key: str = ""
    approval_ns: int = 0


class TokenStore:
    """Access tokens and approval keys of every app key, reused across restarts and processes."""

    def __init__(
        self,
        directory: Path,
        issuer: TokenIssuer,
        *,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        renew_margin_s: float = 3_600.0,
        min_interval_s: float = 60.0,
    ) -> None:
        """`renew_margin_s`: renew this long before expiry (KIS's clock and ours may differ;
        one report saw a reused token already expired). `min_interval_s`: KIS's issuance
        limit per key, which the store never breaks."""
        self.directory = Path(directory)
        self._issuer = issuer
        self._clock: Clock = clock if clock is not None else LiveClock()
        self._sleep = sleep
        self._margin_ns = int(renew_margin_s * NS_PER_SECOND)
        self._interval_ns = int(min_interval_s * NS_PER_SECOND)
        self._memory: dict[str, TokenRecord] = {}
        self._local_locks: dict[str, asyncio.Lock] = {}
        self.issued = 0
        """Tokens this store asked KIS for (for tests and the monitoring page)."""

    async def access_token(self, key: AppKey) -> str:
        """A token for `key` that is valid for at least the renewal margin, if one can be had
        without breaking the minute rule; otherwise the still-valid old one."""
        cached = self._memory.get(key.key_id)
        if cached is not None and self._fresh(cached):
            return cached.access_token
        async with self._locked(key.key_id):
            record = self._read(key.key_id)
            if not self._fresh(record):
                record = await self._renew(key, record)
            self._memory[key.key_id] = record
            return record.access_token

    async def invalidate(self, key: AppKey, token: str) -> None:
        """KIS refused `token` (EGW00121/EGW00123): forget it, so the next call renews. A token
        another process has renewed meanwhile is kept."""
        async with self._locked(key.key_id):
            record = self._read(key.key_id)
            if record.access_token == token:
                record.expires_ns = 0
                self._write(key.key_id, record)
            self._memory.pop(key.key_id, None)

    async def approval_key(self, key: AppKey, *, renew: bool = False) -> str:
        """The WebSocket approval key of `key`, issued at most once per `renew_margin_s` before
        its 24 h end; `renew=True` after the server refused it (OPSP0011)."""
        async with self._locked(key.key_id):
            record = self._read(key.key_id)
            age_ns = self._clock.now_ns() - record.approval_ns
            lifetime_ns = int(_APPROVAL_LIFETIME_S * NS_PER_SECOND) - self._margin_ns
            if renew or not record.approval_key or age_ns >= lifetime_ns:
                record.approval_key = await self._issuer.issue_approval(key)
                record.approval_ns = self._clock.now_ns()
                self._write(key.key_id, record)
            return record.approval_key

    def record(self, key: AppKey) -> TokenRecord:
        """The stored record of `key` (for monitoring: expiry, last issuance)."""
        return self._read(key.key_id)

    # -- internals ------------------------------------------------------------------------------

    def _fresh(self, record: TokenRecord) -> bool:
        return bool(record.access_token) and (
            record.expires_ns - self._margin_ns > self._clock.now_ns()
        )

    async def _renew(self, key: AppKey, record: TokenRecord) -> TokenRecord:
        """Issue a new token, waiting out the minute since the last issuance if the old token
        has expired, keeping the old one if it is still good for now."""
        wait_ns = record.issued_ns + self._interval_ns - self._clock.now_ns()
        if wait_ns > 0:
            if record.access_token and record.expires_ns > self._clock.now_ns():
                return record
            await self._sleep(wait_ns / NS_PER_SECOND)
        try:
            issued = await self._issuer.issue_token(key)
        except KisRateLimited:
            record.issued_ns = self._clock.now_ns()  # someone else issued: wait a minute
            self._write(key.key_id, record)
            raise
        self.issued += 1
        record.access_token = issued.token
        record.expires_ns = issued.expires_ns
        record.issued_ns = self._clock.now_ns()
        self._write(key.key_id, record)
        return record

    def _path(self, key_id: str) -> Path:
        return self.directory / f"{key_id}.json"

    def _read(self, key_id: str) -> TokenRecord:
        """The record on disk; a missing or unreadable file is an empty record (we re-issue)."""
        try:
            return msgspec.json.decode(self._path(key_id).read_bytes(), type=TokenRecord)
        except (FileNotFoundError, msgspec.DecodeError):
            return TokenRecord()

    def _write(self, key_id: str, record: TokenRecord) -> None:
        """Replace the file atomically (a crash leaves the old or the new record, never half),
        readable by its owner only: it holds a live credential."""
        self._ensure_directory()
        handle, temp = tempfile.mkstemp(dir=self.directory, prefix=f".{key_id}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(msgspec.json.encode(record))
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, self._path(key_id))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def _ensure_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    @contextlib.asynccontextmanager
    async def _locked(self, key_id: str) -> AsyncIterator[None]:
        """This process's coroutines queue on an asyncio lock; processes on the file lock."""
        local = self._local_locks.setdefault(key_id, asyncio.Lock())
        async with local:
            self._ensure_directory()
            fd = os.open(self.directory / f"{key_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                await _flock(fd)
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the lock


async def _flock(fd: int) -> None:
    """Take an exclusive lock without blocking the event loop (poll; another process holds
    it only while it reads, writes or issues)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _LOCK_TIMEOUT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if loop.time() > deadline:
                raise KisUnavailable("LOCK", "token store lock held too long") from None
            await asyncio.sleep(_LOCK_POLL_S)
