"""What the global CLI options decide, shared by every sub-command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console

from jts.config import Settings, load_settings
from jts.core.errors import InvalidInput
from jts.krx import load_overrides

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    config: Path | None = None
    log_json: bool | None = None
    log_level: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The effective settings, loaded once; CLI flags override file and environment."""
        if self._settings is None:
            overrides: dict[str, object] = {}
            if self.log_json is not None or self.log_level is not None:
                base = load_settings(self.config).log
                overrides["log"] = base.model_copy(
                    update={
                        key: value
                        for key, value in (
                            ("json_format", self.log_json),
                            ("level", self.log_level),
                        )
                        if value is not None
                    }
                )
            self._settings = load_settings(self.config, **overrides)
            _apply_market_rules(self._settings)
        return self._settings


def parse_date(text: str) -> dt.date:
    """A YYYY-MM-DD argument, or `InvalidInput` naming what was given."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", f"{text!r} is not a date like 2026-03-05") from None


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def _apply_market_rules(settings: Settings) -> None:
    """Install the user's calendar override file (closures declared at short notice)."""
    path = settings.krx.calendar_overrides
    if path is not None:
        load_overrides(path)  # validates the whole file first; installs it only when good
