"""`jts oms` on a real paper session: audit, reconcile, statement, and the kill switch of a
running `jts run`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("JTS_")} | {"COLUMNS": "200"}


def _jts(*args: str, cwd: Path, var: str | None = None) -> subprocess.CompletedProcess[str]:
    env = _env() | ({"JTS_VAR_DIR": var} if var else {})
    return subprocess.run([sys.executable, "-m", "jts", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_session_audits_clean_reconciles_and_states_its_positions(tmp_path: Path) -> None:
    run = _jts("run", "--port", str(_free_port()), "--symbols", "20", "--speed", "900",
               "--duration", "6", "--var", "state", cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[-1])["fills"] > 0
    audit = _jts("oms", "audit", "--var", "state", cwd=tmp_path)
    assert audit.returncode == 0, audit.stdout
    assert "lost_fills=0 duplicate_orders=0 position_mismatches=0" in audit.stdout
    reconcile = _jts("oms", "reconcile", "--var", "state", cwd=tmp_path)
    assert reconcile.returncode == 0
    assert "0 discrepancies" in reconcile.stdout
    statement = _jts("oms", "statement", "--var", "state", cwd=tmp_path)
    assert statement.returncode == 0
    assert json.loads(statement.stdout)["account"] == "paper"


def test_oms_commands_refuse_a_directory_without_a_session(tmp_path: Path) -> None:
    done = _jts("oms", "audit", "--var", "missing", cwd=tmp_path)
    assert done.returncode == 2
    assert "holds no paper session" in done.stderr
    assert "Traceback" not in done.stderr


def test_strategies_are_paused_and_the_kill_switch_halts_a_running_session(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jts", "run", "--port", str(port), "--symbols", "20",
         "--speed", "120", "--duration", "60", "--var", "state"],
        cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        # the commands sign in with the key `jts run` left in its state directory
        running = _jts("strategy", "running", "--port", str(port), cwd=tmp_path, var="state")
        assert json.loads(running.stdout)[0]["name"] == "demo_sma_cross"
        paused = _jts("strategy", "pause", "demo_sma_cross", "--port", str(port), cwd=tmp_path,
                      var="state")  # fmt: skip
        assert json.loads(paused.stdout)["state"] == "paused"
        unknown = _jts("strategy", "pause", "nope", "--port", str(port), cwd=tmp_path, var="state")
        assert unknown.returncode == 2
        assert "no running strategy 'nope'" in unknown.stderr
        keyless = _jts("strategy", "running", "--port", str(port), cwd=tmp_path)
        assert keyless.returncode == 2
        assert "no API key" in keyless.stderr
        killed = _jts("oms", "kill", "--port", str(port), "--reason", "test", cwd=tmp_path,
                      var="state")  # fmt: skip
        assert killed.returncode == 0, killed.stderr
        assert json.loads(killed.stdout)["halted"] is True
        health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).json()
        paper = next(s for s in health["services"] if s["name"] == "paper")
        assert paper["details"]["trading_state"] == "halted"
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
