"""The Numba kernels work whatever the state of the on-disk cache: absent, fresh or unwritable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys
    if sys.argv[1] == "unwritable":
        import numba.core.caching as caching

        def refuse(self):
            raise PermissionError("read-only file system")

        caching._CacheLocator.ensure_cache_path = refuse
    import numpy as np
    from jts.strategy.indicators import batch, stream, kernels

    x = np.arange(1.0, 40.0) / 3.0
    state = stream.Sma(7)
    expected = [state.update(v) for v in x.tolist()]
    got = batch.sma(x, 7)
    assert np.array_equal(got, np.array(expected), equal_nan=True)
    print(kernels.window_mean.stats.cache_path if sys.argv[1] != "unwritable" else "no cache")
    """
)


def _run(mode: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_kernels_compile_into_an_absent_cache_dir(tmp_path: Path) -> None:
    cache = tmp_path / "not-yet"
    out = _run("fresh", {"NUMBA_CACHE_DIR": str(cache)})
    assert out.startswith(str(cache))
    assert any(cache.rglob("*.nbi"))


def test_kernels_still_run_where_no_cache_dir_is_writable(tmp_path: Path) -> None:
    assert _run("unwritable", {"NUMBA_CACHE_DIR": str(tmp_path)}) == "no cache"
    assert not any(tmp_path.rglob("*.nbi"))
