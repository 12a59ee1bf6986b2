"""JTS against vectorbt, backtrader, Backtesting.py and a plain Python loop on one workload.

    .venv/bin/python bench/peers/compare.py --symbols 100 --days 250
    .venv/bin/python bench/peers/compare.py --symbols 3 --days 5 --no-record      # smoke run
    .venv/bin/python bench/peers/compare.py --subset backtrader=10 --subset backtesting=10

Generates the synthetic minute bars once (cached as Parquet under bench/.data/peers/), runs
every runner as a subprocess in its own interpreter (JTS in .venv, the peers in .venv-peers),
then checks that each produced the same fills — the same set of (symbol, ts, side, qty,
price) — and the same final equity (exact KRW) as JTS's strategy engine, prints a table with
each runner's speed against the JTS backtest API (vector and event engines) and records it
in bench/peers/RESULTS.md. The default cash is 1 B KRW, not the issue's 100 M, which binds on
this data; the API's fills differ from the engine's only on limit-locked bars (README.md).
`--subset NAME=N` runs that peer on the first N symbols only (for a peer too slow for the
full size); JTS then also runs on that subset, so each ratio compares the same bars.
`--native-cross` makes the peers use their library's own cross helper, to show how it
differs. The workload and each adapter's choices are in README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
DATA = ROOT / "bench" / ".data" / "peers"
RESULTS = HERE / "RESULTS.md"
JTS_PYTHON = ROOT / ".venv" / "bin" / "python"
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
ISSUE_CASH = 100_000_000
"""The issue's initial cash; it binds on this data (README.md), hence the default below."""
CASH = 1_000_000_000
"""Default initial cash, KRW: enough that no buy is ever cut (the plain loop checks it)."""
KEY = ("symbol", "ts", "side", "qty", "price")


@dataclass(frozen=True)
class Runner:
    name: str
    script: str
    python: Path
    args: tuple[str, ...] = ()


JTS_RUNNERS = (
    Runner("JTS vector", "run_jts.py", JTS_PYTHON, ("--engine", "vector")),
    Runner("JTS event", "run_jts.py", JTS_PYTHON, ("--engine", "event")),
    Runner("JTS engine", "run_jts.py", JTS_PYTHON, ("--engine", "vector", "--path", "executors")),
)
"""The backtest API's two engines (the speed references) and the strategy engine alone."""
PEERS = (
    Runner("vectorbt", "peer_vectorbt.py", PEERS_PYTHON),
    Runner("backtrader", "peer_backtrader.py", PEERS_PYTHON),
    Runner("backtesting", "peer_backtesting.py", PEERS_PYTHON),
    Runner("pyloop", "peer_pyloop.py", PEERS_PYTHON),
)
REFERENCE = "JTS engine"
"""Fills are checked against the strategy engine's (whole fills at the next open): the API's
`next_open` model also applies KRX limit-lock rules no peer has (README.md)."""


@dataclass
class Outcome:
    """One runner on one bar file: its JSON line (or error) and its checks against JTS."""

    runner: Runner
    bars_file: Path
    symbols: int
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    fills: pa.Table | None = None
    fills_equal: bool | None = None
    equity_equal: bool | None = None
    differences: list[str] = field(default_factory=list)
    explained: str | None = None
    """For a JTS API run: how its fills differ from the strategy engine's (`locked_cuts`)."""
    all_locked: bool = False


# -- data ---------------------------------------------------------------------------------


def bar_file(symbols: int, days: int, seed: int) -> Path:
    """The cached bar file of `symbols` × `days` (made with jts.marketdata.synth if missing)."""
    path = DATA / f"bars-{symbols}x{days}-seed{seed}.parquet"
    if path.exists():
        return path
    from jts.marketdata import BarFrame  # the project's venv: only needed to make the data
    from jts.marketdata.synth import make_universe, minute_bars

    universe = make_universe(symbols, seed=seed)
    chunks = list(minute_bars(universe, dt.date(2025, 11, 3), days=days, seed=seed))
    table = BarFrame.concat(chunks).sorted().to_arrow()
    table = table.set_column(1, "ts", table.column("ts").cast(pa.int64()))
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    pq.write_table(table, partial)
    partial.rename(path)
    return path


def subset_file(path: Path, symbols: int) -> Path:
    """The first `symbols` symbols (in code order) of a bar file, cached beside it."""
    out = path.with_name(f"{path.stem}-first{symbols}.parquet")
    if not out.exists():
        table = pq.read_table(path)
        names = sorted(set(table.column("symbol").to_pylist()))[:symbols]
        mask = pc.is_in(table.column("symbol"), pa.array(names))
        pq.write_table(table.filter(mask), out)
    return out


def last_closes(path: Path) -> dict[str, int]:
    """Each symbol's last close (the file is sorted by symbol, ts)."""
    table = pq.read_table(path, columns=["symbol", "close"])
    closes: dict[str, int] = {}
    for symbol, close in zip(
        table.column("symbol").to_pylist(), table.column("close").to_pylist(), strict=True
    ):
        closes[symbol] = close
    return closes


# -- running ------------------------------------------------------------------------------


def run(runner: Runner, bars: Path, symbols: int, cash: int, timeout: float) -> Outcome:
    """Start the runner on `bars`; its fills and its last JSON line."""
    outcome = Outcome(runner, bars, symbols)
    slug = runner.name.lower().replace(" ", "-")
    out = bars.with_name(f"{bars.stem}.{slug}.fills.parquet")
    log = out.with_suffix(".log")
    command = [str(runner.python), str(HERE / runner.script), "--bars", str(bars)]
    command += ["--out", str(out), "--cash", str(cash), *runner.args]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (subprocess.TimeoutExpired, OSError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        outcome.error = (
            f"exit {done.returncode} after {time.perf_counter() - started:.0f} s: {tail}"
        )
        return outcome
    outcome.result = json.loads(lines[-1])
    outcome.fills = pq.read_table(out).select(list(KEY))
    return outcome


# -- checks -------------------------------------------------------------------------------


def fill_differences(reference: pa.Table, got: pa.Table, name: str, limit: int = 5) -> list[str]:
    """The first fills in one table and not in the other, in (symbol, ts) order."""
    ref = {tuple(row.values()) for row in reference.to_pylist()}
    mine = {tuple(row.values()) for row in got.to_pylist()}
    only = [(f"only {REFERENCE}", r) for r in ref - mine] + [
        (f"only {name}", r) for r in mine - ref
    ]
    only.sort(key=lambda item: (item[1][0], item[1][1]))
    shown = [f"{who}: {dict(zip(KEY, row, strict=True))}" for who, row in only[:limit]]
    if len(only) > limit:
        shown.append(f"... {len(only) - limit} more")
    return shown


def equity_of(fills: pa.Table, closes: dict[str, int], cash: int) -> int:
    """Cash + positions at last close, for the symbols of `closes` only (exact KRW)."""
    position = dict.fromkeys(closes, 0)
    for row in fills.to_pylist():
        if row["symbol"] not in closes:
            continue
        signed = row["qty"] if row["side"] == "buy" else -row["qty"]
        cash -= signed * row["price"]
        position[row["symbol"]] += signed
    return cash + sum(qty * closes[s] for s, qty in position.items())


def check(outcome: Outcome, reference: Outcome, closes: dict[str, int]) -> None:
    """Fills and equity of `outcome` against the JTS reference restricted to its symbols."""
    if outcome.fills is None or reference.fills is None:
        return
    ref = reference.fills.filter(pc.is_in(reference.fills.column("symbol"), pa.array(closes)))
    outcome.differences = fill_differences(ref, outcome.fills, outcome.runner.name)
    outcome.fills_equal = not outcome.differences
    expected = equity_of(ref, closes, outcome.result["cash"])
    figures = [outcome.result["final_equity"]]
    if outcome.result.get("library_equity") is not None:
        figures.append(outcome.result["library_equity"])
    outcome.result["expected_equity"] = expected
    outcome.equity_equal = all(f == expected for f in figures)  # floats must be whole KRW


def locked_cuts(outcome: Outcome, reference: Outcome) -> tuple[str, bool] | None:
    """Why the API's fills differ from the engine's, if by KRX limit locks: per symbol that
    differs, is its first difference an API fill smaller than the engine's, on a bar with
    high == low (a bar locked at a daily limit, where the API fills at most 10 % of volume)?"""
    if outcome.fills is None or reference.fills is None or outcome.fills_equal:
        return None
    api, engine = pl.from_arrow(outcome.fills), pl.from_arrow(reference.fills)
    assert isinstance(api, pl.DataFrame)
    assert isinstance(engine, pl.DataFrame)
    diff = pl.concat(
        [api.join(engine, on=list(KEY), how="anti"), engine.join(api, on=list(KEY), how="anti")]
    )
    first = diff.group_by("symbol").agg(pl.col("ts").min())
    bars = pl.read_parquet(outcome.bars_file, columns=["symbol", "ts", "high", "low"])
    at = (
        first.join(bars, on=["symbol", "ts"])
        .join(
            api.select("symbol", "ts", pl.col("qty").alias("api_qty")),
            on=["symbol", "ts"],
            how="left",
        )
        .join(
            engine.select("symbol", "ts", pl.col("qty").alias("engine_qty")),
            on=["symbol", "ts"],
            how="left",
        )
    )
    cut = at.filter((pl.col("high") == pl.col("low")) & (pl.col("api_qty") < pl.col("engine_qty")))
    earliest = at.sort("ts").head(1)
    spread = earliest.join(cut, on=["symbol", "ts"]).height == 1
    text = (
        f"{diff.height} fills differ in {first.height} symbols; in {cut.height} of them the "
        "first difference is a fill the API cut on a bar locked at a daily limit (high = low)"
    )
    if cut.height < first.height:
        text += "; the earliest difference of all " + (
            "IS such a cut (with binding cash its effect spreads to other symbols)"
            if spread
            else "is not"
        )
    return text, cut.height == first.height


# -- report -------------------------------------------------------------------------------


def rate(outcome: Outcome) -> float:
    """Seconds per bar."""
    return float(outcome.result["seconds"]) / float(outcome.result["bars"])


def table(outcomes: list[Outcome], references: dict[Path, dict[str, Outcome]]) -> list[str]:
    """Markdown rows: each runner against JTS (vector and event) on the same bar file."""
    rows = [
        "| runner | symbols | bars | seconds | bars/s | ÷ JTS vector | ÷ JTS event"
        " | fills equal | equity equal |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|:---:|",
    ]
    for o in outcomes:
        if o.error is not None:
            rows.append(f"| {o.runner.name} | {o.symbols} | | | | | | failed: {o.error} | |")
            continue
        refs = references[o.bars_file]
        ratios = [
            f"{rate(o) / rate(refs[name]):.2f}"
            if name in refs and refs[name].error is None
            else "–"
            for name in ("JTS vector", "JTS event")
        ]
        r = o.result
        rows.append(
            f"| {o.runner.name} | {o.symbols} | {r['bars']:,} | {r['seconds']:.2f} |"
            f" {r['bars'] / r['seconds']:,.0f} | {ratios[0]} | {ratios[1]} |"
            f" {_yes(o.fills_equal, o.all_locked)} | {_yes(o.equity_equal, o.all_locked)} |"
        )
    return rows


def _yes(value: bool | None, locked: bool = False) -> str:
    if value is None:
        return "–"
    return "yes" if value else ("no: limit locks" if locked else "**NO**")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} vCPU, {system}, CPython {platform.python_version()}"
    )


def jts_version() -> str:
    """The commit JTS ran from, and whether src/ had uncommitted changes (read-only git);
    or the folder it came from when PYTHONPATH points elsewhere (e.g. an export of a commit)."""
    spec = importlib.util.find_spec("jts")
    origin = Path(spec.origin).parent.parent if spec and spec.origin else None
    if origin is not None and origin != ROOT / "src":
        return f"JTS from {origin}"
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "JTS: unknown commit"
    return f"JTS at {head}" + (" plus uncommitted changes in src/" if dirty else "")


def record(args: argparse.Namespace, rows: list[str], notes: list[str]) -> None:
    """Replace (or append) this size's section of RESULTS.md."""
    title = f"## {args.symbols} symbols × {args.days} days, cash {args.cash:,} KRW"
    title += ", peers' own cross helpers" if args.native_cross else ""
    command = " ".join(["python bench/peers/compare.py", *sys.argv[1:]])
    body = [
        title,
        "",
        f"`{command}` — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{jts_version()}. Machine: {machine()}. A noisy shared 2-vCPU VM: seconds move "
        "by ±10-30 % between runs; the ratios (peer seconds per bar ÷ JTS seconds per bar, on "
        "the same bars; above 1 means JTS is faster) are the figures to compare.",
        "",
        *rows,
        "",
        *notes,
    ]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _RESULTS_HEAD
    sections = text.split("\n## ")
    kept = [s for s in sections[1:] if not ("## " + s).startswith(title + "\n")]
    text = "\n## ".join([sections[0].rstrip() + "\n", *kept]).rstrip() + "\n\n"
    RESULTS.write_text(text + "\n".join(body).rstrip() + "\n", encoding="utf-8")


_RESULTS_HEAD = """# JTS against other backtesters

Written by `bench/peers/compare.py` (one section per data size, replaced on each run); the
workload, the adapters and every semantic difference found are in README.md beside this file.
"""


# -- main ---------------------------------------------------------------------------------


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cash", type=int, default=CASH, help=f"initial cash, KRW (the issue's: {ISSUE_CASH})"
    )
    names = [r.name for r in PEERS]
    parser.add_argument("--only", nargs="*", choices=names, help="peers to run (default all)")
    parser.add_argument(
        "--subset", action="append", default=[], metavar="PEER=N", help="peer on N symbols"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per runner")
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    parser.add_argument(
        "--native-cross", action="store_true", help="peers use their library's cross helper"
    )
    return parser.parse_args()


def main() -> None:
    args = parse()
    subsets = {k: int(v) for k, v in (s.split("=", 1) for s in args.subset)}
    full = bar_file(args.symbols, args.days, args.seed)
    print(f"bars: {full}", flush=True)
    plan: list[tuple[Runner, Path, int]] = []
    for runner in PEERS:
        if args.only is not None and runner.name not in args.only:
            continue
        n = min(subsets.get(runner.name, args.symbols), args.symbols)
        if args.native_cross and runner.name != "pyloop":
            runner = Runner(runner.name, runner.script, runner.python, ("--native-cross",))
        plan.append((runner, full if n == args.symbols else subset_file(full, n), n))
    files = {(path, n) for _, path, n in plan} | {(full, args.symbols)}
    outcomes: list[Outcome] = []
    references: dict[Path, dict[str, Outcome]] = {}
    for path, n in sorted(files, key=lambda f: -f[1]):
        references[path] = {}
        for runner in JTS_RUNNERS:
            outcome = _run_verbose(runner, path, n, args.cash, args.timeout)
            references[path][runner.name] = outcome
            outcomes.append(outcome)
    for runner, path, n in plan:
        outcomes.append(_run_verbose(runner, path, n, args.cash, args.timeout))
    notes: list[str] = []
    for outcome in outcomes:
        reference = references[outcome.bars_file][REFERENCE]
        if outcome is not reference:
            check(outcome, reference, last_closes(outcome.bars_file))
        if outcome.runner in JTS_RUNNERS and outcome is not reference:
            found = locked_cuts(outcome, reference)
            if found is not None:
                outcome.explained, outcome.all_locked = found
        notes += _notes(outcome)
    rows = table(outcomes, references)
    print("\n".join(["", *rows, "", *notes]))
    if not args.no_record:
        record(args, rows, notes)
        print(f"\nrecorded in {RESULTS.relative_to(ROOT)}")


def _run_verbose(runner: Runner, path: Path, n: int, cash: int, timeout: float) -> Outcome:
    print(f"running {runner.name} on {n} symbols ...", end=" ", flush=True)
    outcome = run(runner, path, n, cash, timeout)
    print(outcome.error or f"{outcome.result['seconds']:.2f} s", flush=True)
    return outcome


def _notes(o: Outcome) -> list[str]:
    out = []
    extra = {k: v for k, v in o.result.items() if k not in ("peer", "bars_per_second")}
    if o.result:
        out.append(f"- {o.runner.name} ({o.symbols} symbols): `{json.dumps(extra)}`")
    if o.explained:
        out.append(f"  - against {REFERENCE}: {o.explained}")
    out += [f"  - {d}" for d in o.differences]
    return out


if __name__ == "__main__":
    main()
