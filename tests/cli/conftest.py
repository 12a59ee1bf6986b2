from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunJts = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_jts(tmp_path: Path) -> RunJts:
    """Run `python -m jts ARGS` in an empty directory with no JTS_* variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTS_")}
    env["COLUMNS"] = "200"

    def run(
        *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jts", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env | (extra_env or {}),
            timeout=60,
            check=False,
        )

    return run
