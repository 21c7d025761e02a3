"""What the settings are made of: the prefix, the enumerations, the URL check."""

from __future__ import annotations

from enum import StrEnum

ENV_PREFIX = "STRAVASYNC_"


class LogFormat(StrEnum):
    HUMAN = "human"
    JSON = "json"


class StravaCount(StrEnum):
    """When a long backfill reads Strava's count of the athlete's activities (one read)."""

    WATCHED = "watched"  # only when someone watches the run's progress (a terminal)
    ALWAYS = "always"
    NEVER = "never"


def http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")
