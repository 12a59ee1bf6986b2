"""Configuration: typed settings from defaults, a `jts.toml` file and `JTS_*` variables.

Precedence (highest first): explicit overrides passed in code (CLI flags) → environment variables
(`JTS_DATA_DIR`, nested keys with a double underscore: `JTS_KIS__APP_KEY`) → the TOML file →
defaults. The file is `--config PATH`, else `$JTS_CONFIG`, else `./jts.toml` when it exists.
Every section is a frozen model that rejects unknown keys, so a typo is an error that names the
key instead of a setting silently ignored. Secrets are `SecretStr` and print masked.
"""

from __future__ import annotations

import contextvars
import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from jts.core.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("jts.toml")
CONFIG_ENV = "JTS_CONFIG"

_SECTION = ConfigDict(frozen=True, extra="forbid")


class LogSettings(BaseModel):
    model_config = _SECTION

    level: Literal["debug", "info", "warning", "error"] = "info"
    json_format: bool = Field(default=False, alias="json")
    """JSON lines for machines instead of the coloured console format (`--log-json`)."""


class ServerSettings(BaseModel):
    model_config = _SECTION

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)


class KrxSettings(BaseModel):
    model_config = _SECTION

    commission_rate: Decimal = Field(default=Decimal("0.000140527"), ge=0, le=Decimal("0.01"))
    """Broker commission as a fraction of traded value, both sides (default: KIS online)."""
    calendar_overrides: Path | None = None
    """TOML file of extra closures / late opens declared at short notice (docs: KRX calendar)."""


class DatabaseSettings(BaseModel):
    model_config = _SECTION

    url: SecretStr = SecretStr("sqlite:///var/jts.db")
    """SQLAlchemy URL for orders, fills and accounts; may hold a password, so it is masked."""


class KisSettings(BaseModel):
    model_config = _SECTION

    mode: Literal["real", "paper"] = "paper"
    app_key: SecretStr | None = None
    app_secret: SecretStr | None = None
    account: str | None = None
    """Account number as KIS writes it: 8 digits, a dash, 2 digits (12345678-01)."""
    hts_id: str | None = None
    """The HTS user id: the WebSocket key of the account's order/fill notices."""
    rest_url: str | None = None
    """REST base URL; default the KIS host of `mode` (point it at `jts.venues.kis.server`)."""
    ws_url: str | None = None
    """WebSocket base URL; default the KIS host of `mode`."""
    requests_per_second: float | None = Field(default=None, gt=0, le=1_000)
    """KIS's REST limit per app key, requests/s (default 20 real, 2 paper); JTS stays below."""
    custtype: Literal["P", "B"] = "P"
    """Customer type header: P individual, B corporate."""
    exchange: Literal["KRX", "NXT", "SOR"] = "KRX"
    """Where orders go (EXCG_ID_DVSN_CD); paper accounts take KRX only."""
    token_dir: Path = Path("var/kis")
    """Where access tokens are kept between runs (shared by every JTS process, file-locked)."""
    secret_file: Path | None = None
    """A TOML file with `app_key`/`app_secret` (and `[[app_keys]]` for more keys)."""
    redis_url: SecretStr | None = None
    """Share the per-app-key request budget between processes through this Redis."""
    symbols: list[str] = Field(default_factory=list, max_length=5_000)
    """Codes a live session (`jts run --venue kis`) trades and watches; empty: `--codes`, else
    ten large KOSPI listings."""

    @field_validator("account")
    @classmethod
    def _account_format(cls, value: str | None) -> str | None:
        if value is None:
            return None
        head, _, tail = value.partition("-")
        if not (len(head) == 8 and head.isdigit() and len(tail) == 2 and tail.isdigit()):
            raise ValueError(f"must look like 12345678-01, got {value!r}")
        return value


class RateLimitConfig(BaseModel):
    """`[gateway.rate_limit]`: requests per window per user (per IP before sign-in)."""

    model_config = _SECTION

    enabled: bool = True
    backend: Literal["memory", "redis"] = "memory"
    """"redis" shares the counts between several gateway processes."""
    redis_url: SecretStr | None = None
    redis_prefix: str = Field(default="jts:rl:", min_length=1, max_length=100)
    window_s: float = Field(default=60.0, gt=0, le=86_400)
    default_limit: int = Field(default=100, ge=1, le=1_000_000)
    role_limits: dict[Literal["viewer", "trader", "admin"], int] = Field(default_factory=dict)
    anonymous_limit: int = Field(default=100, ge=1, le=1_000_000)
    trust_proxy: bool = False
    """Take the client address from X-Forwarded-For (only behind a reverse proxy)."""


class PasskeyConfig(BaseModel):
    """`[gateway.passkeys]`: WebAuthn relying party. Browsers refuse an IP address as the RP
    id, so the default serves http://localhost:8000 (a secure context without TLS)."""

    model_config = _SECTION

    rp_id: str = "localhost"
    rp_name: str = "JTS"
    origins: tuple[str, ...] = ("http://localhost:8000",)
    require_user_verification: bool = False


class GatewaySettings(BaseModel):
    model_config = _SECTION

    rate_limit: RateLimitConfig = RateLimitConfig()
    passkeys: PasskeyConfig = PasskeyConfig()
    vapid_subject: str = "mailto:admin@localhost"
    """Contact of this server for Web Push services (a mailto: or https: URL)."""
    push_hosts: tuple[str, ...] | None = None
    """Push-service hosts accepted for subscriptions (default: the browsers' own services)."""
    allow_insecure_push: bool = False
    """Accept http:// push endpoints (a local push service in tests)."""
    job_workers: int = Field(default=2, ge=1, le=64)
    """Backtests, sweeps and backfills running at once."""


_TOML_DATA: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "toml", default=None
)


class Settings(BaseSettings):
    """The effective configuration of one JTS process. Build it with `load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="JTS_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        populate_by_name=True,
    )

    data_dir: Path = Path("var/data")
    """Where market data (Parquet) and other local state live."""
    log: LogSettings = LogSettings()
    server: ServerSettings = ServerSettings()
    krx: KrxSettings = KrxSettings()
    database: DatabaseSettings = DatabaseSettings()
    kis: KisSettings = KisSettings()
    gateway: GatewaySettings = GatewaySettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls)


class _TomlSource(PydanticBaseSettingsSource):
    """Feeds the already-parsed TOML document (see `load_settings`) to pydantic-settings."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_TOML_DATA.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_TOML_DATA.get() or {})


def config_path(explicit: Path | None = None) -> Path | None:
    """The config file to read: explicit path, else $JTS_CONFIG, else ./jts.toml if present."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Build the effective settings; any problem becomes one `ConfigError` naming the key."""
    source = config_path(path)
    document = _read_toml(source) if source is not None else {}
    token = _TOML_DATA.set(document)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise _config_error(exc, source) from None
    finally:
        _TOML_DATA.reset(token)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("config", f"file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError("config", f"{path} is a directory, not a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{path} is not valid TOML: {exc}") from None


def _config_error(exc: ValidationError, source: Path | None) -> ConfigError:
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"]]
    key = ".".join(loc) or "config"
    problem = _problem_text(first)
    more = len(exc.errors()) - 1
    if more:
        problem += f"; and {more} more problem{'s' if more > 1 else ''}"
    env_name = "JTS_" + "__".join(loc).upper()
    if env_name in os.environ:
        problem += f" [from environment variable {env_name}]"
    elif source is not None:
        problem += f" [config file: {source}]"
    return ConfigError(key, problem)


def _problem_text(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown setting"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] != "value_error" and _printable(error.get("input")):
        message += f" (got {error['input']!r})"
    return message


def _printable(value: object) -> bool:
    return isinstance(value, str | int | float | bool) and len(str(value)) <= 80


def masked_dict(settings: Settings) -> dict[str, Any]:
    """The settings as plain data with every secret replaced by '********' (or null)."""
    masked: dict[str, Any] = _mask(settings.model_dump(mode="python", by_alias=True))
    return masked


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else ""
    if isinstance(value, Path | Decimal):
        return str(value)
    return value
