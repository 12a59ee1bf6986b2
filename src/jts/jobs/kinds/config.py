"""`KindsConfig`: the folders and limits the built-in job kinds work with.

Built once where the application is assembled (`app.py`) and passed to `builtin_handlers`;
a handler never looks a setting up by itself. Paths are the server's: a request names
strategies and import files by name *inside* these folders, never by a path of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jts.core.errors import ConfigError

__all__ = ["KindsConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class KindsConfig:
    """Where the built-in kinds read and write (see each field)."""

    data_dir: Path
    """The market-data store (`ParquetStore` root) that backtests read and backfills write;
    recorded runs go to `<data_dir>/runs/` as with `jts backtest`."""
    reports_dir: Path
    """HTML reports, one file per job: `<reports_dir>/<job_id>.html` (sweeps:
    `<job_id>-heatmap.html`). Created when first needed."""
    strategy_dir: Path | None = None
    """The `.jts` files a request may name as `example` (e.g. examples/strategies); None:
    requests must carry program text."""
    import_dir: Path | None = None
    """The only folder a `files` backfill may read from; None: file imports are refused."""
    commission_rate: Decimal | None = None
    """Commission (fraction of traded value) when a request gives none: pass
    `settings.krx.commission_rate`, as `jts backtest` uses; None: the KRX default."""
    sweep_processes: int = 1
    """Processes one sweep job runs its parameter sets on; 1 runs them on the job's own
    worker thread, so the queue's worker count bounds the CPU used by jobs."""

    def __post_init__(self) -> None:
        if self.sweep_processes < 1:
            raise ConfigError(
                "jobs.sweep_processes", f"{self.sweep_processes} is not a positive count"
            )
