"""Settings: the only module that reads the environment.

Every setting is an env var ``STRAVASYNC_<NAME>`` (or a line in an optional ``.env`` file).
Defaults work out of the box: a SQLite database under ``./data`` in WAL mode, Strava's real base
URL, the default rate-limit tier. Durations are in seconds unless the name says otherwise. The
settings are declared by area, one module each (``*_settings.py``); :class:`Settings` joins them.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from stravasync.config.app_settings import AppArea
from stravasync.config.budget_settings import BudgetArea
from stravasync.config.kinds import ENV_PREFIX
from stravasync.config.ops_settings import OpsArea
from stravasync.config.service_settings import ServiceArea
from stravasync.config.sync_settings import SyncArea
from stravasync.errors import ConfigError


class Settings(AppArea, ServiceArea, BudgetArea, SyncArea, OpsArea, BaseSettings):
    """All of stravasync's configuration. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )


# A check across several fields (a model validator) has no field location: name the group.
_CROSS_FIELD = "SYNC_{SKIP,ACTIVE,DORMANT,EVERYONE}_HOURS"


def _variable_name(loc: tuple[Any, ...]) -> str:
    field = str(loc[0]) if loc else _CROSS_FIELD
    return ENV_PREFIX + field.upper()


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and ``.env``); raise :class:`ConfigError` if invalid.

    The error names the first bad variable and what it allows, in one line.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(_variable_name(tuple(first.get("loc", ()))), message) from None
