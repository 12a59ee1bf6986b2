"""What machine a benchmark ran on, for the JSON lines every bench script prints."""

from __future__ import annotations

import os
import platform


def machine() -> dict[str, str | int]:
    """CPU model, core count and Python version."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln)
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cores": os.cpu_count() or 0, "python": platform.python_version()}
