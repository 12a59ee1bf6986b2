"""`jts run` end to end: a real process, a real socket, a real signal."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(tmp_path: Path, port: int, *flags: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTS_")}
    return subprocess.Popen(
        [sys.executable, "-m", "jts", *flags, "run", "--port", str(port), "--symbols", "20"],
        cwd=tmp_path,
        env=env | {"COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_health(port: int, proc: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("jts run did not answer health within 30 s")


def test_run_serves_health_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    port = _free_port()
    proc = _start(tmp_path, port, "--log-json")
    try:
        response = _wait_health(port, proc)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert {s["name"] for s in body["services"]} == {
            "bus", "paper", "views", "jobs", "push", "realtime", "feeds", "shown-symbols",
            "gateway",
        }  # fmt: skip
        assert "phase" in body["market"]
        paper = next(s for s in body["services"] if s["name"] == "paper")
        assert paper["details"]["symbols"] == 20
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "JTS stopped." in out
    assert "KRX" in out  # today's schedule, or that the market is closed today
    assert "Traceback" not in err
    events = [json.loads(line)["event"] for line in err.splitlines()]
    assert "jts.started" in events
    assert "service.stopped" in events


def test_run_on_a_busy_port_fails_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])
        proc = _start(tmp_path, port)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_run_for_a_duration_trades_the_demo_and_prints_one_json_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTS_")}
    done = subprocess.run(
        [sys.executable, "-m", "jts", "run", "--port", str(_free_port()), "--symbols", "20",
         "--speed", "900", "--duration", "8", "--var", str(tmp_path / "state")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"orders", "fills", "rejects", "positions", "equity"} <= summary.keys()
    assert summary["symbols"] == 20
    assert summary["orders"] > 0
    assert summary["fills"] > 0
    assert summary["errors"] == 0
    assert (tmp_path / "state").is_dir()


def test_run_refuses_a_strategy_that_is_not_a_jts_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTS_")}
    done = subprocess.run(
        [sys.executable, "-m", "jts", "run", "--strategy", "notes.txt", "--duration", "1"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "not a .jts strategy file" in done.stderr
    assert "Traceback" not in done.stderr
