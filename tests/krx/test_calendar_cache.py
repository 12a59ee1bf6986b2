from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from jts.krx import calendar


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calendar._xkrx_closures.cache_clear()
    yield tmp_path
    calendar._xkrx_closures.cache_clear()


FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def test_xkrx_closures_are_cached_on_disk_and_reused(cache_home: Path) -> None:
    computed = calendar._xkrx_closures(FIRST, LAST)
    files = list((cache_home / "jts").glob("xkrx-*-2025-01-01-2025-12-31.json"))
    assert len(files) == 1
    calendar._xkrx_closures.cache_clear()
    assert calendar._xkrx_closures(FIRST, LAST) == computed
    assert dt.date(2025, 1, 28) in computed  # Seollal


def test_a_damaged_cache_file_is_rebuilt(cache_home: Path) -> None:
    expected = calendar._compute_xkrx_closures(FIRST, LAST)
    calendar._xkrx_closures(FIRST, LAST)
    (cache_file,) = (cache_home / "jts").glob("xkrx-*.json")
    cache_file.write_text("{not json")
    calendar._xkrx_closures.cache_clear()
    assert calendar._xkrx_closures(FIRST, LAST) == expected
