"""Crash test: `kill -9` paper trading at random moments, restart it, and audit the books.

    .venv/bin/python bench/chaos.py [--kills 200] [--symbols 30] [--speed 60] [--seed 0]

Each round starts `jts run --var DIR` (the same state directory every time) in a subprocess,
lets it trade for a random 2-5 wall seconds (start-up included) and kills it with SIGKILL:
no clean-up, no flush. The next round resumes the same simulated day from what the previous
process left on disk and reconciles with the simulated broker. After the last kill one clean
run reconciles once more, then `jts.trading.audit` compares the order manager's journal with
the broker's own fill ledger. The last line printed is

    kills=N lost_fills=L duplicate_orders=D position_mismatches=M

and the exit status is non-zero unless all three counts are 0. Keep kills × ~2.5 s × speed
within the simulated day (about 32,000 s from 08:59 to the after-hours end): the default 200
kills at speed 60 take most of it; once the day is over, runs only restart and stop.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jts.trading.audit import AuditResult, audit


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


BUSY_STRATEGY = """\
strategy "chaos_sma_cross"
universe all
timeframe 1m
let fast_ma = sma(close, 2)
let slow_ma = sma(close, 4)
when position == 0 and crosses_above(fast_ma, slow_ma): buy 10 shares at market
when position > 0 and crosses_below(fast_ma, slow_ma): sell all at market
"""
"""A crossover of 2- and 4-minute averages: it trades every few minutes per symbol, and warms
up within 4 bars of a restart, so that kills land among orders and fills."""


def _command(var: Path, symbols: int, speed: float, seed: int, duration: float) -> list[str]:
    strategy = var.parent / "chaos.jts"
    if not strategy.exists():
        strategy.write_text(BUSY_STRATEGY, encoding="utf-8")
    return [
        sys.executable, "-m", "jts", "run", "--port", str(_free_port()), "--var", str(var),
        "--symbols", str(symbols), "--speed", str(speed), "--seed", str(seed),
        "--duration", str(duration), "--strategy", str(strategy),
    ]  # fmt: skip


def chaos(
    var: Path,
    kills: int,
    *,
    symbols: int = 30,
    speed: float = 60,
    seed: int = 0,
    window: tuple[float, float] = (2.0, 5.0),
) -> AuditResult:
    """Kill `kills` runs each at a random moment of `window` wall seconds after its start
    (start-up included), finish with a clean run, audit `var`."""
    rng = random.Random(seed)
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTS_")}
    for _ in range(kills):
        proc = subprocess.Popen(
            _command(var, symbols, speed, seed, duration=60), env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(*window))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    subprocess.run(
        _command(var, symbols, speed, seed, duration=2), env=env, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip
    return audit(var)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--symbols", type=int, default=30)
    parser.add_argument("--speed", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--var", type=Path, help="state directory (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jts-chaos-") as tmp:
        var = args.var or Path(tmp) / "var"
        result = chaos(var, args.kills, symbols=args.symbols, speed=args.speed, seed=args.seed)
    print(
        f"broker_fills={result.broker_fills} journal_fills={result.journal_fills} "
        f"orders={result.journal_orders}"
    )
    print(
        f"kills={args.kills} lost_fills={result.lost_fills} "
        f"duplicate_orders={result.duplicate_orders} "
        f"position_mismatches={result.position_mismatches}"
    )
    return 0 if result.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
