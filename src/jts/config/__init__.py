"""Typed configuration (pydantic-settings): `jts.toml` + `JTS_*` environment variables."""

from jts.config.settings import (
    CONFIG_ENV,
    DatabaseSettings,
    GatewaySettings,
    KisSettings,
    KrxSettings,
    LogSettings,
    ServerSettings,
    Settings,
    config_path,
    load_settings,
    masked_dict,
)

__all__ = [
    "CONFIG_ENV",
    "DatabaseSettings",
    "GatewaySettings",
    "KisSettings",
    "KrxSettings",
    "LogSettings",
    "ServerSettings",
    "Settings",
    "config_path",
    "load_settings",
    "masked_dict",
]
