"""`KisConfig`: defaults by mode, settings and secret file, validation, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from jts.config.settings import KisSettings, load_settings
from jts.core.errors import ConfigError
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.protocol.trs import HOSTS, Env

APP_KEY, APP_SECRET = "PSkey-" + "a" * 30, "secret-" + "b" * 173


def settings(**overrides: object) -> KisSettings:
    values: dict[str, object] = {
        "app_key": SecretStr(APP_KEY),
        "app_secret": SecretStr(APP_SECRET),
        "account": "12345678-01",
    }
    values.update(overrides)
    return KisSettings.model_validate(values)


def write_private(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o600)


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "kis.toml"
    secret.write_text('app_key = "PSx"\napp_secret = "s"\n')
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        KisConfig.from_settings(settings(secret_file=secret))


def test_paper_defaults_to_the_paper_hosts_and_two_requests_a_second() -> None:
    config = KisConfig.from_settings(settings())
    assert config.mode is Env.PAPER
    assert config.paper
    assert (config.rest_url, config.ws_url) == (HOSTS[Env.PAPER].rest, HOSTS[Env.PAPER].ws)
    assert config.requests_per_second == 2
    assert (config.cano, config.product_code) == ("12345678", "01")
    assert config.exchange == "KRX"
    assert config.custtype == "P"


def test_real_defaults_to_the_real_hosts_and_twenty_requests_a_second() -> None:
    config = KisConfig.from_settings(settings(mode="real", exchange="SOR"))
    assert config.rest_url == "https://openapi.koreainvestment.com:9443"
    assert config.ws_url == "ws://ops.koreainvestment.com:21000"
    assert (config.requests_per_second, config.exchange) == (20, "SOR")


def test_urls_and_rate_can_point_at_the_simulator() -> None:
    config = KisConfig.from_settings(
        settings(
            rest_url="http://127.0.0.1:8123/", ws_url="ws://127.0.0.1:8124", requests_per_second=5
        )
    )
    assert (config.rest_url, config.ws_url) == ("http://127.0.0.1:8123", "ws://127.0.0.1:8124")
    assert config.requests_per_second == 5


def test_repr_shows_no_secret() -> None:
    config = KisConfig.from_settings(settings(redis_url=SecretStr("redis://:pw@host/0")))
    text = repr(config) + str(config) + repr(config.app_keys)
    assert APP_KEY not in text
    assert APP_SECRET not in text
    assert "pw@" not in text
    assert config.primary_key.key_id in text


def test_the_secret_file_adds_keys_each_with_its_own_id(tmp_path: Path) -> None:
    secret = tmp_path / "kis.toml"
    write_private(
        secret,
        'hts_id = "trader1"\n'
        '[[app_keys]]\napp_key = "PSsecond"\napp_secret = "s2"\n'
        '[[app_keys]]\napp_key = "PSthird"\napp_secret = "s3"\n',
    )
    config = KisConfig.from_settings(settings(secret_file=secret))
    assert [k.app_key for k in config.app_keys] == [APP_KEY, "PSsecond", "PSthird"]
    assert len({k.key_id for k in config.app_keys}) == 3
    assert config.hts_id == "trader1"
    assert config.key_by_id(config.app_keys[2].key_id).app_secret == "s3"


def test_keys_may_come_from_the_secret_file_alone(tmp_path: Path) -> None:
    secret = tmp_path / "kis.toml"
    write_private(secret, 'app_key = "PSonly"\napp_secret = "s1"\naccount = "87654321-01"\n')
    config = KisConfig.from_settings(
        settings(app_key=None, app_secret=None, account=None, secret_file=secret)
    )
    assert [k.app_key for k in config.app_keys] == ["PSonly"]
    assert config.account == "87654321-01"


def test_a_broken_secret_file_is_named_without_its_content(tmp_path: Path) -> None:
    secret = tmp_path / "kis.toml"
    write_private(secret, 'app_key = "PSleak\n')
    with pytest.raises(ConfigError, match="not a TOML file") as info:
        KisConfig.from_settings(settings(secret_file=secret))
    assert "PSleak" not in str(info.value)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"app_key": None, "app_secret": None}, "kis.app_key"),
        ({"app_secret": None}, "kis.app_secret"),
        ({"account": None}, "kis.account"),
        ({"exchange": "NXT"}, "kis.exchange"),  # paper: KRX only
    ],
)
def test_invalid_configurations_name_the_setting(overrides: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        KisConfig.from_settings(settings(**overrides))
    assert info.value.key == key


def test_a_malformed_account_is_refused() -> None:
    with pytest.raises(ConfigError):
        KisConfig(app_keys=(AppKey("k", "s"),), account="1234567801")


def test_the_same_key_twice_is_refused() -> None:
    with pytest.raises(ConfigError):
        KisConfig(app_keys=(AppKey("k", "s"), AppKey("k", "t")), account="12345678-01")


def test_environment_variables_reach_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JTS_KIS__APP_KEY", APP_KEY)
    monkeypatch.setenv("JTS_KIS__APP_SECRET", APP_SECRET)
    monkeypatch.setenv("JTS_KIS__ACCOUNT", "12345678-01")
    monkeypatch.setenv("JTS_KIS__MODE", "real")
    monkeypatch.setenv("JTS_KIS__REQUESTS_PER_SECOND", "15")
    monkeypatch.setenv("JTS_KIS__HTS_ID", "trader1")
    config = KisConfig.from_settings(load_settings(Path("/dev/null")).kis)
    assert (config.mode, config.requests_per_second, config.hts_id) == (Env.REAL, 15, "trader1")
    assert config.primary_key.app_secret == APP_SECRET
