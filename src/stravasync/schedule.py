"""Clock schedules: cron expressions evaluated in the user's time zone. Pure.

A job on a clock (``STRAVASYNC_SCHEDULE_<JOB>="0 5 * * *"``) runs at the wall-clock times the
expression names in ``STRAVASYNC_SCHEDULE_TZ``. Daylight-saving transitions follow Debian
cron, as `cronsim` implements it: a time skipped by spring-forward (01:30 on the day London
goes from 01:00 to 02:00) runs once, at the transition; a time repeated by fall-back runs once,
at its first occurrence. Runs missed while the process was down are coalesced: the stored
next run is in the past, the job runs once at start, and its next run is computed from *now*,
so three missed mornings make one catch-up run, not three.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

# The jobs that make sense on a clock (names as in scheduler_jobs and the admin API).
CLOCK_JOBS = ("warehouse_refresh", "daily_flow", "stale_report")


class BadSchedule(ValueError):
    """A cron expression or time zone that cannot be used; the message says why."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadSchedule(f"{name!r} is not an IANA time zone (e.g. Europe/London)") from None


def check_expression(expr: str) -> str:
    """The expression normalized (spaces collapsed); :class:`BadSchedule` if cronsim refuses it."""
    normalized = " ".join(expr.split())
    if len(normalized) > 120:
        raise BadSchedule("a cron expression has at most 120 characters")
    try:
        CronSim(normalized, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise BadSchedule(f"{normalized!r} is not a cron expression: {exc}") from None
    return normalized


def next_run(expr: str, tz: ZoneInfo, now: datetime) -> datetime:
    """The first time strictly after ``now`` that ``expr`` names in ``tz``, in UTC."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(tz)
    following = next(iter(CronSim(expr, local)))
    return following.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ClockJob:
    """One job's schedule as configured: ``expr`` empty means the job is off."""

    name: str
    expr: str

    @property
    def enabled(self) -> bool:
        return bool(self.expr)
