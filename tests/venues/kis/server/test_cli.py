"""`jts sim kis` starts, prints its account and URLs, answers over REST, and stops on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

_TIMEOUT_S = 60


def _post(url: str, body: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.load(response))


def test_cli_starts_answers_and_stops_on_ctrl_c() -> None:
    command = [
        sys.executable, "-m", "jts", "sim", "kis", "--rest-port", "0", "--ws-port", "0",
        "--symbols", "4", "--codes", "005930", "--appkey", "KEY", "--appsecret", "SECRET",
        "--account", "12345678-01", "--date", "2026-11-27",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("Ctrl-C") for line in lines):
            line = process.stdout.readline()
            assert line, f"exited early: {process.stderr.read() if process.stderr else ''}"
            lines.append(line)
        rest = next(line.split()[1] for line in lines if line.startswith("REST"))
        assert any(line.startswith("WS   ws://127.0.0.1:") for line in lines)
        assert any("12345678-01" in line for line in lines)
        token = _post(
            rest + "/oauth2/tokenP",
            {"grant_type": "client_credentials", "appkey": "KEY", "appsecret": "SECRET"},
        )
        assert token["expires_in"] == 86400
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=_TIMEOUT_S)
        assert "stopped" in out
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
