"""`KisConfig`: everything the KIS adapter needs to know, frozen and validated once.

Built in `app.py` from the `[kis]` settings (`JTS_KIS__APP_KEY`, `JTS_KIS__MODE` ...) and,
optionally, a secret file, then passed down; nothing in the adapter reads the environment.
The app secret and the app key are credentials: `repr` shows neither, and files, Redis keys and
logs name a key by `AppKey.key_id`, a short fingerprint.

The secret file is TOML, readable only by its owner:

    app_key = "PS..."            # the first (or only) key
    app_secret = "..."
    hts_id = "myhtsid"           # optional here, may come from the settings
    [[app_keys]]                 # more keys of the same account, each with its own budget
    app_key = "PS..."
    app_secret = "..."
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from jts.core.errors import ConfigError
from jts.venues.kis.protocol.trs import HOSTS, Env

__all__ = ["AppKey", "KisConfig", "KisSettingsLike", "default_rate"]

Exchange = Literal["KRX", "NXT", "SOR"]

_DEFAULT_RATE = {Env.REAL: 20.0, Env.PAPER: 2.0}
"""KIS's REST limit per app key, requests/s (KIS.md §3.4; paper is unverified, hence settable)."""


def default_rate(env: Env) -> float:
    return _DEFAULT_RATE[env]


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


class KisSettingsLike(Protocol):
    """The `[kis]` settings section (`jts.config.settings.KisSettings`), read by attribute so
    that `venues` need not import `config` (layers point one way)."""

    @property
    def mode(self) -> str: ...
    @property
    def app_key(self) -> _Secret | None: ...
    @property
    def app_secret(self) -> _Secret | None: ...
    @property
    def account(self) -> str | None: ...
    @property
    def hts_id(self) -> str | None: ...
    @property
    def rest_url(self) -> str | None: ...
    @property
    def ws_url(self) -> str | None: ...
    @property
    def requests_per_second(self) -> float | None: ...
    @property
    def custtype(self) -> str: ...
    @property
    def exchange(self) -> str: ...
    @property
    def token_dir(self) -> Path: ...
    @property
    def secret_file(self) -> Path | None: ...
    @property
    def redis_url(self) -> _Secret | None: ...


@dataclass(frozen=True, slots=True)
class AppKey:
    """One app key and its secret. Each key has its own token and its own request budget."""

    app_key: str = field(repr=False)
    app_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.app_key.strip() or not self.app_secret.strip():
            raise ConfigError("kis.app_key", "app key and app secret must both be given")

    @property
    def key_id(self) -> str:
        """A 12-hex fingerprint of the key: how files, Redis keys and logs name it."""
        return hashlib.sha256(self.app_key.encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"AppKey(key_id={self.key_id!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class KisConfig:
    """Settings of one KIS connection (one account, one or more app keys)."""

    mode: Env = Env.PAPER
    app_keys: tuple[AppKey, ...]
    account: str
    """`12345678-01`: 8-digit CANO, dash, 2-digit product code."""
    hts_id: str = ""
    """HTS user id, the `tr_key` of the order/fill notice feed; empty disables that feed."""
    rest_url: str = ""
    """REST base URL; empty means the KIS host of `mode`."""
    ws_url: str = ""
    """WebSocket base URL; empty means the KIS host of `mode`."""
    requests_per_second: float = 0.0
    """KIS's REST limit per app key (requests/s); 0 means the default of `mode`."""
    custtype: Literal["P", "B"] = "P"
    exchange: Exchange = "KRX"
    token_dir: Path = Path("var/kis")
    redis_url: str | None = field(default=None, repr=False)
    """Redis shared by several processes for the request budget; None keeps it in memory."""

    def __post_init__(self) -> None:
        if not self.app_keys:
            raise ConfigError("kis.app_key", "at least one app key is needed")
        if len({key.app_key for key in self.app_keys}) != len(self.app_keys):
            raise ConfigError("kis.app_keys", "the same app key is listed twice")
        _check_account(self.account)
        if self.mode is Env.PAPER and self.exchange != "KRX":
            raise ConfigError("kis.exchange", "paper accounts trade on KRX only (no NXT/SOR)")
        if self.requests_per_second < 0:
            raise ConfigError("kis.requests_per_second", "must not be negative")
        if not self.rest_url:
            object.__setattr__(self, "rest_url", HOSTS[self.mode].rest)
        if not self.ws_url:
            object.__setattr__(self, "ws_url", HOSTS[self.mode].ws)
        if not self.requests_per_second:
            object.__setattr__(self, "requests_per_second", default_rate(self.mode))
        object.__setattr__(self, "rest_url", self.rest_url.rstrip("/"))
        object.__setattr__(self, "ws_url", self.ws_url.rstrip("/"))

    @property
    def paper(self) -> bool:
        return self.mode is Env.PAPER

    @property
    def cano(self) -> str:
        """The 8-digit account number (CANO)."""
        return self.account[:8]

    @property
    def product_code(self) -> str:
        """The 2-digit account product code (ACNT_PRDT_CD), "01" for a stock account."""
        return self.account[-2:]

    @property
    def primary_key(self) -> AppKey:
        """The key of the WebSocket session and of order calls."""
        return self.app_keys[0]

    def key_by_id(self, key_id: str) -> AppKey:
        for key in self.app_keys:
            if key.key_id == key_id:
                return key
        raise ConfigError("kis.app_keys", f"no app key with id {key_id}")

    @classmethod
    def from_settings(cls, settings: KisSettingsLike) -> KisConfig:
        """The config of the `[kis]` section plus its secret file (if any)."""
        from_file = _read_secret_file(settings.secret_file) if settings.secret_file else {}
        keys = _keys(settings, from_file)
        account = settings.account or str(from_file.get("account") or "")
        if not account:
            raise ConfigError("kis.account", "the account number is not set (12345678-01)")
        mode = settings.mode
        if mode not in ("real", "paper"):
            raise ConfigError("kis.mode", f"must be real or paper, got {mode!r}")
        redis = settings.redis_url.get_secret_value() if settings.redis_url else None
        return cls(
            mode=Env(mode),
            app_keys=keys,
            account=account,
            hts_id=settings.hts_id or str(from_file.get("hts_id") or ""),
            rest_url=settings.rest_url or "",
            ws_url=settings.ws_url or "",
            requests_per_second=settings.requests_per_second or 0.0,
            custtype="B" if settings.custtype == "B" else "P",
            exchange=_exchange(settings.exchange),
            token_dir=settings.token_dir,
            redis_url=redis or None,
        )


def _check_account(account: str) -> None:
    head, dash, tail = account.partition("-")
    if not (dash and len(head) == 8 and head.isdigit() and len(tail) == 2 and tail.isdigit()):
        raise ConfigError("kis.account", f"must look like 12345678-01, got {account!r}")


def _exchange(value: str) -> Exchange:
    if value == "NXT":
        return "NXT"
    if value == "SOR":
        return "SOR"
    if value == "KRX":
        return "KRX"
    raise ConfigError("kis.exchange", f"must be KRX, NXT or SOR, got {value!r}")


def _keys(settings: KisSettingsLike, from_file: dict[str, Any]) -> tuple[AppKey, ...]:
    keys: list[AppKey] = []
    if settings.app_key is not None or settings.app_secret is not None:
        if settings.app_key is None or settings.app_secret is None:
            raise ConfigError("kis.app_secret", "app_key and app_secret go together")
        keys.append(
            AppKey(settings.app_key.get_secret_value(), settings.app_secret.get_secret_value())
        )
    entries = [from_file] if "app_key" in from_file else []
    entries += list(from_file.get("app_keys", []))
    for entry in entries:
        if not isinstance(entry, dict) or not {"app_key", "app_secret"} <= entry.keys():
            raise ConfigError("kis.secret_file", "each key needs app_key and app_secret")
        key = AppKey(str(entry["app_key"]), str(entry["app_secret"]))
        if key.app_key not in {known.app_key for known in keys}:
            keys.append(key)
    return tuple(keys)


def _read_secret_file(path: Path) -> dict[str, Any]:
    """The secret file's table; its values are never echoed in an error. Like ssh with a
    private key, a file others can read is refused: the secret may already have leaked."""
    try:
        if path.stat().st_mode & 0o077:
            raise ConfigError("kis.secret_file", f"{path} is readable by others: chmod 600 it")
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("kis.secret_file", f"{path} does not exist") from None
    except (tomllib.TOMLDecodeError, IsADirectoryError):
        raise ConfigError("kis.secret_file", f"{path} is not a TOML file") from None
