"""The polling cadence (seed 002's thresholds) comes from settings, validated at start-up."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stravasync.config import load_settings
from stravasync.errors import ConfigError
from stravasync.sync.planning.plan import AthleteView, Cadence, Mode, pick_mode
from stravasync.sync.settings import engine_config

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("STRAVASYNC_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def _view(*, synced_ago: timedelta, active_ago: timedelta | None) -> AthleteView:
    return AthleteView(
        athlete_id=1,
        backfill_done=True,
        has_first_page=True,
        requested_mode=None,
        enrich_pending=False,
        last_incremental_at=NOW - synced_ago,
        last_refresh_at=NOW - synced_ago,
        last_reconcile_at=NOW - timedelta(hours=1),
        last_activity_at=None if active_ago is None else NOW - active_ago,
        first_synced_at=NOW - timedelta(days=30),
    )


def _cadence() -> Cadence:
    return engine_config(load_settings(), webhooks=False).cadence


def test_defaults_are_the_seed_thresholds() -> None:
    cad = _cadence()
    assert (cad.skip_recent, cad.active_every, cad.inactive_every, cad.always_every) == (
        3600,
        2 * 3600,
        4 * 3600,
        6 * 3600,
    )
    assert cad.active_days == 7


def test_settings_change_the_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    active = _view(synced_ago=timedelta(minutes=50), active_ago=timedelta(days=1))
    assert pick_mode(active, NOW, _cadence()) is None  # default: skip < 1 h, active every 2 h
    monkeypatch.setenv("STRAVASYNC_SYNC_SKIP_HOURS", "0.5")
    monkeypatch.setenv("STRAVASYNC_SYNC_ACTIVE_HOURS", "0.75")
    assert pick_mode(active, NOW, _cadence()) is Mode.INCREMENTAL


def test_active_window_setting_decides_who_is_active(monkeypatch: pytest.MonkeyPatch) -> None:
    # last activity 10 days ago, synced 2.5 h ago: dormant by default (due at 4 h) ...
    athlete = _view(synced_ago=timedelta(hours=2, minutes=30), active_ago=timedelta(days=10))
    assert pick_mode(athlete, NOW, _cadence()) is None
    # ... active with a 14-day window (due at 2 h)
    monkeypatch.setenv("STRAVASYNC_SYNC_ACTIVE_DAYS", "14")
    assert pick_mode(athlete, NOW, _cadence()) is Mode.INCREMENTAL


def test_everyone_ceiling_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRAVASYNC_SYNC_DORMANT_HOURS", "24")
    monkeypatch.setenv("STRAVASYNC_SYNC_EVERYONE_HOURS", "48")
    never_active = _view(synced_ago=timedelta(hours=7), active_ago=None)
    assert pick_mode(never_active, NOW, _cadence()) is None
    assert _cadence().always_every == 48 * 3600


@pytest.mark.parametrize(
    "env",
    [
        {"STRAVASYNC_SYNC_SKIP_HOURS": "2"},  # skip == active
        {"STRAVASYNC_SYNC_ACTIVE_HOURS": "5"},  # active > dormant
        {"STRAVASYNC_SYNC_DORMANT_HOURS": "8"},  # dormant > everyone
        {"STRAVASYNC_SYNC_EVERYONE_HOURS": "3"},  # everyone < dormant
    ],
)
def test_out_of_order_cadence_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("STRAVASYNC_SYNC_{SKIP,ACTIVE,DORMANT,EVERYONE}_HOURS: ")
    assert "skip < active <= dormant <= everyone" in text


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("STRAVASYNC_SYNC_SKIP_HOURS", "-1"),
        ("STRAVASYNC_SYNC_ACTIVE_HOURS", "0"),
        ("STRAVASYNC_SYNC_ACTIVE_DAYS", "0"),
        ("STRAVASYNC_SYNC_EVERYONE_HOURS", "often"),
    ],
)
def test_bad_single_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.variable == var
