"""Strava's 2026/27 platform: which origin on which date, the fall-back, the plain words (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from stravasync.strava import platform as p
from stravasync.strava.doctor import athlete_findings, origin_findings

BEFORE = date(2026, 12, 7)  # today: the new origin does not exist yet
BETWEEN = date(2027, 3, 1)
AFTER = date(2027, 7, 1)


@pytest.mark.parametrize(
    ("today", "api", "fallback"),
    [
        (BEFORE, "https://www.strava.com/api/v3", None),
        (date(2027, 1, 3), "https://www.strava.com/api/v3", None),
        (date(2027, 1, 4), "https://api-v3.strava.com", "https://www.strava.com/api/v3"),
        (BETWEEN, "https://api-v3.strava.com", "https://www.strava.com/api/v3"),
        (date(2027, 5, 31), "https://api-v3.strava.com", "https://www.strava.com/api/v3"),
        (date(2027, 6, 1), "https://api-v3.strava.com", None),
        (AFTER, "https://api-v3.strava.com", None),
    ],
)
def test_an_operator_who_sets_nothing_follows_the_dates(
    today: date, api: str, fallback: str | None
) -> None:
    origins = p.choose_origins(today)
    assert (origins.api, origins.fallback, origins.oauth) == (api, fallback, p.STRAVA_WWW)
    assert origins.source == "date"


def test_a_simulator_base_url_is_one_origin_without_fall_back() -> None:
    for today in (BEFORE, BETWEEN, AFTER):
        origins = p.choose_origins(today, base_url="http://127.0.0.1:8765/")
        assert origins.api == "http://127.0.0.1:8765/api/v3"
        assert origins.oauth == "http://127.0.0.1:8765"
        assert origins.fallback is None  # never send a simulator's tokens to Strava


def test_explicit_api_and_oauth_urls_win() -> None:
    origins = p.choose_origins(
        AFTER,
        base_url="http://127.0.0.1:1",
        api_url="http://127.0.0.1:2/",
        oauth_url="http://127.0.0.1:3",
    )
    assert (origins.api, origins.oauth, origins.fallback) == (
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
        None,
    )
    assert origins.source == "STRAVASYNC_STRAVA_API_URL"


@pytest.mark.parametrize(
    ("today", "fallback"),
    [(BEFORE, p.OLD_API), (BETWEEN, p.OLD_API), (AFTER, p.NEW_API)],
)
def test_a_mistyped_strava_host_falls_back_to_the_origin_known_to_answer(
    today: date, fallback: str
) -> None:
    origins = p.choose_origins(today, api_url="https://www.api-v3.strava.com")
    assert origins.api == "https://www.api-v3.strava.com"
    assert origins.fallback == fallback


def test_the_new_origin_set_early_falls_back_to_the_old_one_until_june() -> None:
    assert p.choose_origins(BEFORE, api_url=p.NEW_API).fallback == p.OLD_API
    assert p.choose_origins(AFTER, api_url=p.NEW_API).fallback is None


def test_the_fall_back_is_used_only_while_remembered() -> None:
    origins = p.choose_origins(BETWEEN)
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    assert p.api_origin(origins, None, now) == p.NEW_API
    until = now + p.FALLBACK_MEMORY
    assert p.api_origin(origins, until, now) == p.OLD_API
    assert p.api_origin(origins, until, until - timedelta(seconds=1)) == p.OLD_API
    assert p.api_origin(origins, until, until) == p.NEW_API
    alone = p.choose_origins(AFTER)  # nothing to fall back to
    assert p.api_origin(alone, until, now) == p.NEW_API


def test_doctor_names_the_origin_that_answered_and_what_to_set() -> None:
    default = p.choose_origins(BEFORE)
    [ok] = origin_findings(default, p.OLD_API, BEFORE)
    assert ok.ok and "2027-01-04" in ok.message and "nothing to set" in ok.message
    typo = p.choose_origins(BETWEEN, api_url="https://www.api-v3.strava.com")
    [bad] = origin_findings(typo, p.OLD_API, BETWEEN)
    assert not bad.ok
    assert "www.api-v3.strava.com" in bad.message and "STRAVASYNC_STRAVA_API_URL" in bad.message
    blocked = p.choose_origins(BETWEEN)
    [firewall] = origin_findings(blocked, p.OLD_API, BETWEEN)
    assert not firewall.ok and "required from 2027-06-01" in firewall.message
    [gone] = origin_findings(blocked, None, BETWEEN)
    assert not gone.ok and p.NEW_API in gone.message and p.OLD_API in gone.message


def test_athletes_against_the_standard_tier_or_the_capacity() -> None:
    assert p.athletes_against_tier(3, 10) == "3 connected / 10 capacity"
    assert p.athletes_against_tier(3, None).startswith("3 connected / 10 (the Standard tier")
    assert "Extended Access" in p.athletes_against_tier(10, None)
    [within] = athlete_findings(4, None)
    assert within.ok and "STRAVASYNC_ATHLETE_CAPACITY" in within.message
    [over] = athlete_findings(12, 10)
    assert not over.ok


def test_an_inactive_app_is_explained_in_plain_words() -> None:
    text = p.INACTIVE_HELP
    assert "subscription" in text and "status" in text and "strava.com/settings/api" in text
