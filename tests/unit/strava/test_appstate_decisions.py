"""The app-level state's pure decisions: which errors are app-level, the probe backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stravasync.strava import errors as e
from stravasync.strava.appstate import condition_of, probe_delay, reason_of


@pytest.mark.parametrize(
    ("error", "condition"),
    [
        (e.ApplicationInactive("Forbidden"), "application_inactive"),
        (e.InvalidClient(), "invalid_client"),
        (e.Unauthorized(7), None),  # one athlete's token: not the app
        (e.TokenRevoked(7), None),
        (e.AthleteCapacityExceeded("full"), None),
        (e.RequestRejected(403, "Forbidden"), None),
        (e.Transient(503, "down"), None),
    ],
)
def test_only_the_two_app_conditions_are_app_level(
    error: e.StravaError, condition: str | None
) -> None:
    assert condition_of(error) == condition


def test_reasons_say_what_to_do_and_carry_no_secret() -> None:
    inactive = reason_of("application_inactive", e.ApplicationInactive("Forbidden"))
    assert "strava.com/settings/api" in inactive and "Forbidden" in inactive
    secret = reason_of("invalid_client", e.InvalidClient())
    assert "STRAVASYNC_CLIENT_SECRET" in secret


def test_probe_backoff_doubles_from_one_minute_to_fifteen() -> None:
    delays = [probe_delay(n) for n in range(7)]
    assert delays[:5] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15)]
    assert delays[5:] == [timedelta(minutes=15)] * 2
    assert probe_delay(10_000) == timedelta(minutes=15)  # no overflow on a long outage
    assert 86400 / probe_delay(99).total_seconds() == 96  # at most 96 probes a day
