from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import RunJts


def test_config_show_masks_secrets(run_jts: RunJts, tmp_path: Path) -> None:
    (tmp_path / "jts.toml").write_text('[kis]\napp_key = "PSsecretkey"\naccount = "12345678-01"\n')
    result = run_jts("config", "show")
    assert result.returncode == 0, result.stderr
    assert "[kis]" in result.stdout
    assert 'app_key = "********"' in result.stdout
    assert "PSsecretkey" not in result.stdout
    assert '"12345678-01"' in result.stdout


def test_config_show_json_reflects_environment(run_jts: RunJts) -> None:
    result = run_jts(
        "config",
        "show",
        "--json",
        extra_env={"JTS_SERVER__PORT": "9100", "JTS_KIS__APP_SECRET": "x"},
    )
    data = json.loads(result.stdout)
    assert data["server"]["port"] == 9100
    assert data["kis"]["app_secret"] == "********"


def test_invalid_config_exits_2_naming_the_key_without_traceback(
    run_jts: RunJts, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nport = -1\n")
    result = run_jts("--config", str(bad), "config", "show")
    assert result.returncode == 2
    assert "server.port" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unknown_key_in_environment_config_file(run_jts: RunJts, tmp_path: Path) -> None:
    bad = tmp_path / "typo.toml"
    bad.write_text("[serverr]\nport = 1\n")
    result = run_jts("config", "show", extra_env={"JTS_CONFIG": str(bad)})
    assert result.returncode == 2
    assert "serverr: unknown setting" in result.stderr


def test_log_json_flag_shows_in_effective_config(run_jts: RunJts) -> None:
    result = run_jts("--log-json", "config", "show", "--json")
    assert json.loads(result.stdout)["log"]["json"] is True
