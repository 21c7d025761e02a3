"""Clock schedules: next runs in the user's zone, DST transitions, settings validation."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stravasync.config import load_settings
from stravasync.errors import ConfigError
from stravasync.schedule import BadSchedule, check_expression, next_run, zone

LONDON = ZoneInfo("Europe/London")


def runs_between(expr: str, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    out: list[datetime] = []
    now = start
    while True:
        now = next_run(expr, tz, now)
        if now >= end:
            return out
        out.append(now)


def local_days(runs: list[datetime], tz: ZoneInfo) -> list[date]:
    return [r.astimezone(tz).date() for r in runs]


def test_five_in_the_morning_in_london_is_utc_four_in_summer_five_in_winter() -> None:
    summer = next_run("0 5 * * *", LONDON, datetime(2026, 7, 1, 12, tzinfo=UTC))
    winter = next_run("0 5 * * *", LONDON, datetime(2026, 12, 1, 12, tzinfo=UTC))
    assert summer == datetime(2026, 7, 2, 4, 0, tzinfo=UTC)
    assert winter == datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    assert next_run("0 5 * * *", zone("UTC"), datetime(2026, 7, 1, 12, tzinfo=UTC)) == datetime(
        2026, 7, 2, 5, 0, tzinfo=UTC
    )


def test_next_run_is_strictly_after_now() -> None:
    at = datetime(2026, 7, 2, 4, 0, tzinfo=UTC)  # exactly 05:00 BST
    assert next_run("0 5 * * *", LONDON, at) == at + timedelta(days=1)
    assert next_run("0 5 * * *", LONDON, at - timedelta(seconds=1)) == at


def test_spring_forward_a_skipped_0130_runs_once_at_the_transition() -> None:
    # 2026-03-29: London's clocks go from 01:00 GMT to 02:00 BST; 01:30 does not exist
    start = datetime(2026, 3, 27, 12, tzinfo=UTC)
    runs = runs_between("30 1 * * *", LONDON, start, start + timedelta(days=3))
    assert local_days(runs, LONDON) == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert runs[0] == datetime(2026, 3, 28, 1, 30, tzinfo=UTC)  # GMT
    assert runs[1] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 BST, the transition
    assert runs[2] == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # 01:30 BST


def test_fall_back_a_repeated_0130_runs_once_at_its_first_occurrence() -> None:
    # 2026-10-25: London's clocks go from 02:00 BST back to 01:00 GMT; 01:30 happens twice
    start = datetime(2026, 10, 23, 12, tzinfo=UTC)
    runs = runs_between("30 1 * * *", LONDON, start, start + timedelta(days=4))
    assert local_days(runs, LONDON) == [
        date(2026, 10, 24),
        date(2026, 10, 25),
        date(2026, 10, 26),
        date(2026, 10, 27),
    ]
    assert runs[1] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, not 01:30 GMT
    assert runs[2] == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_hourly_job_across_fall_back_runs_every_real_hour() -> None:
    start = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    runs = runs_between("0 * * * *", LONDON, start, start + timedelta(hours=4))
    gaps = {b - a for a, b in itertools.pairwise(runs)}
    assert gaps == {timedelta(hours=1)}


def test_weekly_report_on_mondays() -> None:
    monday = next_run("0 6 * * 1", LONDON, datetime(2026, 12, 2, 12, tzinfo=UTC))  # a Wednesday
    assert monday.astimezone(LONDON).isoweekday() == 1
    assert monday == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run("0 5 * * *", LONDON, datetime(2026, 1, 1))


@pytest.mark.parametrize("expr", ["61 5 * * *", "0 5 * *", "every morning", "0 5 * * 8", "x" * 200])
def test_bad_expressions_are_refused(expr: str) -> None:
    with pytest.raises(BadSchedule):
        check_expression(expr)


def test_expressions_are_normalized() -> None:
    assert check_expression("  0   5 * *  * ") == "0 5 * * *"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("STRAVASYNC_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("clean_env")
def test_schedule_settings_defaults_and_off() -> None:
    cfg = load_settings()
    assert cfg.schedule_tz == "UTC"
    assert cfg.schedule_daily_flow == ""
    assert cfg.schedule_warehouse_refresh == ""
    assert cfg.schedule_stale_report == "0 6 * * 1"
    assert load_settings(schedule_stale_report="  ").schedule_stale_report == ""


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("var", "value", "says"),
    [
        ("STRAVASYNC_SCHEDULE_TZ", "Europe/Londn", "IANA time zone"),
        ("STRAVASYNC_SCHEDULE_TZ", "../../etc/passwd", "IANA time zone"),
        ("STRAVASYNC_SCHEDULE_DAILY_FLOW", "0 25 * * *", "not a cron expression"),
        ("STRAVASYNC_SCHEDULE_WAREHOUSE_REFRESH", "daily", "not a cron expression"),
    ],
)
def test_bad_schedule_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, says: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.variable == var
    assert says in str(info.value)
    assert "\n" not in str(info.value)
