from __future__ import annotations

from pathlib import Path

import pytest

from stravasync.config import LogFormat, load_settings
from stravasync.errors import ConfigError
from stravasync.strava.setup import oauth_origin


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("STRAVASYNC_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_work_out_of_the_box() -> None:
    cfg = load_settings()
    assert cfg.database_url == "sqlite:///./data/stravasync.db"
    assert cfg.strava_base_url is None  # Strava's origins, chosen in strava/ by the date
    assert oauth_origin(cfg) == "https://www.strava.com"
    assert cfg.log_format is LogFormat.HUMAN
    assert cfg.client_secret is None


def test_env_vars_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRAVASYNC_LOG_FORMAT", "json")
    monkeypatch.setenv("STRAVASYNC_STRAVA_BASE_URL", "http://127.0.0.1:8765/")
    cfg = load_settings()
    assert cfg.log_format is LogFormat.JSON
    assert cfg.strava_base_url == "http://127.0.0.1:8765"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("STRAVASYNC_LOG_LEVEL=debug\n")
    assert load_settings().log_level == "DEBUG"


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("STRAVASYNC_LOG_FORMAT", "yaml", "STRAVASYNC_LOG_FORMAT"),
        ("STRAVASYNC_DATABASE_URL", "mysql://x", "STRAVASYNC_DATABASE_URL"),
        ("STRAVASYNC_HTTP_TIMEOUT", "-3", "STRAVASYNC_HTTP_TIMEOUT"),
        ("STRAVASYNC_RATE_TIER", "gold", "STRAVASYNC_RATE_TIER"),
        ("STRAVASYNC_SCHEDULER", "maybe", "STRAVASYNC_SCHEDULER"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.variable == expected
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(expected + ": ")


def test_secrets_are_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRAVASYNC_CLIENT_SECRET", "s3cr3t-value-123456")
    cfg = load_settings()
    assert "s3cr3t-value-123456" not in repr(cfg)
    assert cfg.client_secret is not None
    assert cfg.client_secret.get_secret_value() == "s3cr3t-value-123456"
