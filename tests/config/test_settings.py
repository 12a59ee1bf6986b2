from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jts.config import load_settings, masked_dict
from jts.core import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray JTS_* variable or ./jts.toml may leak into these tests."""
    for name in list(__import__("os").environ):
        if name.startswith("JTS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file() -> None:
    settings = load_settings()
    assert settings.server.port == 8000
    assert settings.data_dir == Path("var/data")
    assert settings.krx.commission_rate == Decimal("0.000140527")


def test_file_values_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, 'data_dir = "/srv/jts"\n[server]\nport = 9000\n[log]\njson = true\n')
    settings = load_settings(path)
    assert settings.data_dir == Path("/srv/jts")
    assert settings.server.port == 9000
    assert settings.log.json_format is True


def test_jts_toml_in_the_working_directory_is_found(tmp_path: Path) -> None:
    _write(tmp_path, "[server]\nport = 9100\n")
    assert load_settings().server.port == 9100


def test_jts_config_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[server]\nport = 9200\n")
    monkeypatch.setenv("JTS_CONFIG", str(other))
    assert load_settings().server.port == 9200


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "[server]\nport = 9000\n")
    monkeypatch.setenv("JTS_SERVER__PORT", "9300")
    monkeypatch.setenv("JTS_DATA_DIR", "/data")
    settings = load_settings(path)
    assert settings.server.port == 9300
    assert settings.data_dir == Path("/data")


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, '[kis]\napp_kye = "x"\n')
    with pytest.raises(ConfigError, match=r"kis\.app_kye: unknown setting") as info:
        load_settings(path)
    assert info.value.key == "kis.app_kye"


def test_wrong_type_names_key_value_and_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[server]\nport = "eighty"\n')
    with pytest.raises(ConfigError, match=r"server\.port: .*'eighty'.*jts\.toml"):
        load_settings(path)


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JTS_SERVER__PORT", "70000")
    with pytest.raises(ConfigError, match="JTS_SERVER__PORT"):
        load_settings()


def test_malformed_toml_is_a_config_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "[server\nport = 1\n")
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 1"):
        load_settings(path)


def test_missing_explicit_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_kis_account_format_is_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, '[kis]\naccount = "1234-5"\n')
    with pytest.raises(ConfigError, match=r"kis\.account: must look like 12345678-01"):
        load_settings(path)


def test_secrets_are_masked(tmp_path: Path) -> None:
    path = _write(tmp_path, '[kis]\napp_key = "PSabc"\napp_secret = "s3cret"\n')
    shown = masked_dict(load_settings(path))
    assert shown["kis"]["app_key"] == "********"
    assert shown["kis"]["app_secret"] == "********"
    assert shown["database"]["url"] == "********"
    assert "s3cret" not in repr(shown)
    assert load_settings(path).kis.app_secret is not None


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(Exception, match="frozen"):
        settings.server.port = 1  # type: ignore[misc]
