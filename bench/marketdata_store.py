"""Benchmark the embedded market-data store: ingest rows/s and read times, with baselines.

    .venv/bin/python bench/marketdata_store.py [--symbols 2600] [--days 250] [--json]

Data: the synthetic KRX market (`jts.marketdata.synth`), minute bars. Steps, each timed:
  ingest   write all bars into an empty store (rows/s; goal ≥ 1 M rows/s)
  baseline write the same rows as ONE Parquet file with pyarrow (the raw-I/O ceiling)
  read100  all minute bars of 100 symbols × all days into arrays (goal ≤ 1 s), cold (first
           read in the process) and warm (again)
  base100  the same rows read from the single baseline file with a pyarrow filter
  day      all symbols on one day
  stream   all symbols × all days in chunks of 100 symbols, in a child process whose peak RSS
           (VmHWM) is reported (goal ≤ 4 GB)
  ticks    write then read one day of trades for 100 symbols (ticks/s)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jts.core.clock import kst_today
from jts.krx import previous_trading_day
from jts.marketdata import BarFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import SynthSpec, generate, tick_stream


def _ingest(store: ParquetStore, spec: SynthSpec, baseline: Path) -> dict[str, float]:
    universe, chunks = generate(spec)
    store.write_instruments(universe)
    rows, gen_s, write_s, base_s = 0, 0.0, 0.0, 0.0
    writer: pq.ParquetWriter | None = None
    started = time.perf_counter()
    for chunk in chunks:
        gen_s += time.perf_counter() - started
        t0 = time.perf_counter()
        store.write_bars(chunk, interval="1m")
        write_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        table = chunk.to_arrow()
        writer = writer or pq.ParquetWriter(baseline, table.schema, compression="zstd")
        writer.write_table(table)
        base_s += time.perf_counter() - t0
        rows += len(chunk)
        started = time.perf_counter()
    if writer is not None:
        writer.close()
    return {
        "rows": rows,
        "generate_s": gen_s,
        "ingest_s": write_s,
        "ingest_rows_per_s": rows / write_s,
        "baseline_write_s": base_s,
        "baseline_rows_per_s": rows / base_s,
        "ingest_vs_baseline": base_s / write_s,
    }


def _read(store: ParquetStore, baseline: Path) -> dict[str, float]:
    symbols = store.symbols()
    sample = symbols[:: max(1, len(symbols) // 100)][:100]
    t0 = time.perf_counter()
    frame = store.read_bars(sample)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.read_bars(sample)
    warm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    table = pq.read_table(baseline, filters=pc.field("symbol").isin(pa.array(sample)))
    BarFrame.from_arrow(table)
    base_s = time.perf_counter() - t0
    days = sorted({int(t) // 86_400_000_000_000 for t in frame["ts"][:: max(1, len(frame) // 50)]})
    middle = days[len(days) // 2] * 86_400_000_000_000
    t0 = time.perf_counter()
    one_day = store.read_bars(None, middle, middle + 86_400_000_000_000)
    day_s = time.perf_counter() - t0
    return {
        "read100_rows": len(frame),
        "read100_cold_s": read_s,
        "read100_warm_s": warm_s,
        "baseline_read100_s": base_s,
        "read100_vs_baseline": base_s / read_s,
        "day_rows": len(one_day),
        "day_s": day_s,
    }


def _stream(root: Path) -> dict[str, float]:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent.
    code = (
        "import sys, time\n"
        "from jts.marketdata.store import ParquetStore\n"
        "s = ParquetStore(sys.argv[1]); t0 = time.perf_counter(); n = 0\n"
        "for f in s.iter_bars(chunk_symbols=100): n += len(f)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(n, time.perf_counter() - t0, hwm)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True
    ).stdout.split()
    rows, seconds, peak_kb = int(out[0]), float(out[1]), int(out[2])
    return {"stream_rows": rows, "stream_s": seconds, "stream_peak_rss_mb": peak_kb / 1024}


def _ticks(store: ParquetStore, spec: SynthSpec) -> dict[str, float]:
    universe, _ = generate(spec)
    day = previous_trading_day(kst_today())
    symbols = [i.symbol for i in universe[:100]]
    frame = tick_stream(universe, day, seed=spec.seed, symbols=symbols)
    t0 = time.perf_counter()
    store.write_ticks(frame)
    write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    back = store.read_ticks()
    read_s = time.perf_counter() - t0
    return {
        "ticks": len(frame),
        "ticks_write_per_s": len(frame) / write_s,
        "ticks_read_per_s": len(back) / read_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Keep the store in this folder.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jts-store-bench-"))
    root = args.keep or workdir / "store"
    try:
        spec = SynthSpec(symbols=args.symbols, days=args.days, seed=args.seed)
        store = ParquetStore(root)
        result: dict[str, Any] = {"symbols": args.symbols, "days": args.days}
        result |= _ingest(store, spec, workdir / "baseline.parquet")
        result |= _read(ParquetStore(root), workdir / "baseline.parquet")
        result |= _stream(root)
        result |= _ticks(ParquetStore(workdir / "ticks"), spec)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:28} {value:,.3f}" if isinstance(value, float) else f"{key:28} {value:,}")


if __name__ == "__main__":
    main()
