"""The server's VAPID identity (RFC 8292): one EC P-256 key pair, made on first run and kept.

Browsers bind a push subscription to the public key the page passed as
`applicationServerKey`; a push service then accepts messages for that subscription only when
signed by the matching private key. So the key must survive restarts — a new key silently
orphans every subscription — and must stay secret, hence a 0600 file written atomically
(temporary file, fsync, link into place). Linking rather than renaming means two gateway
processes starting together cannot overwrite each other's key: the second one loads the
first one's.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid  # type: ignore[import-untyped]

from jts.core.errors import ConfigError

__all__ = ["DEFAULT_SUBJECT", "VapidKeys"]

DEFAULT_SUBJECT: Final = "mailto:admin@localhost"

_SUBJECT = re.compile(
    r"^(mailto:[^@\s]+@(localhost|[\w-]+(\.[\w-]+)+)|https://(localhost|[\w-]+\.[\w.-]+))$",
    re.IGNORECASE,
)
"""What py_vapid signs and push services accept as `sub`: a contact email (mailto:) or an
https origin (no path). Checked at start so a typo fails the start, not every push."""

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class VapidKeys:
    """The private key (never leaves this process) and the contact `subject` of the claims."""

    private_key: ec.EllipticCurvePrivateKey
    subject: str = DEFAULT_SUBJECT

    def __post_init__(self) -> None:
        if not _SUBJECT.match(self.subject):
            raise ConfigError(
                "alerts.vapid_subject",
                f"{self.subject!r} must be a mailto: address or an https:// URL (RFC 8292)",
            )
        if not isinstance(self.private_key.curve, ec.SECP256R1):
            raise ConfigError("alerts.vapid_key_file", "a VAPID key must be on curve P-256")

    @classmethod
    def generate(cls, subject: str = DEFAULT_SUBJECT) -> VapidKeys:
        """A fresh key pair held in memory only (tests, tools)."""
        return cls(ec.generate_private_key(ec.SECP256R1()), subject)

    @classmethod
    def load_or_create(cls, path: Path, subject: str = DEFAULT_SUBJECT) -> VapidKeys:
        """The key in `path`, generating and saving it (0600) when the file does not exist.

        Raises `ConfigError` when the file exists but is not an unencrypted P-256 PEM key.
        """
        if not path.exists():
            created = cls.generate(subject)
            if _write_new(path, created.private_pem()):
                _log.info("vapid key created", path=str(path))
                return created
        return cls(_read_key(path), subject)

    def private_pem(self) -> bytes:
        """PKCS#8 PEM, unencrypted (protected by the file mode instead)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key_b64url(self) -> str:
        """The `applicationServerKey` for `pushManager.subscribe`: the uncompressed point
        (65 bytes), base64url without padding."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def signer(self) -> Vapid:
        """The py_vapid object pywebpush signs the per-request JWT with (RFC 8292 `vapid`
        scheme: `Authorization: vapid t=<jwt>,k=<public key>`)."""
        return Vapid(private_key=self.private_key)

    def claims(self) -> dict[str, str | int]:
        """A fresh claims dict per request: pywebpush writes `aud` (the endpoint's origin)
        and `exp` into the dict it is given, so a shared one would carry the first push
        service's audience to every other."""
        return {"sub": self.subject}


def _write_new(path: Path, pem: bytes) -> bool:
    """Write `pem` to `path` unless it exists; False when another process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)  # O_CREAT honoured the umask; make the mode exact
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        _fsync_directory(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        _log.warning("vapid key readable by others", path=str(path), mode=oct(mode))
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            "alerts.vapid_key_file", f"{path}: not a usable PEM key ({exc})"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError("alerts.vapid_key_file", f"{path}: not an EC private key")
    return key


def _fsync_directory(directory: Path) -> None:
    """Make the new directory entry durable (no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
