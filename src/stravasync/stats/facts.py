"""The few facts about one activity that stats need, and how its local day is decided.

Days are the athlete's local calendar days: an activity starting at 23:30 local time belongs to
that local day even when it is already the next day in UTC. Strava gives the local wall time as
``start_date_local``; when a row lacks it (e.g. imported from an archive), the UTC start plus the
activity's ``utc_offset``, or else the athlete's time zone, gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RIDE_SPORTS = frozenset(
    {
        "Ride",
        "VirtualRide",
        "GravelRide",
        "MountainBikeRide",
        "EBikeRide",
        "EMountainBikeRide",
        "Velomobile",
        "Handcycle",
    }
)
RUN_SPORTS = frozenset({"Run", "TrailRun", "VirtualRun"})
RACE_WORKOUT_TYPES = frozenset({1, 11})  # run race, ride race
GROUPS = ("overall", "ride", "run")


def sport_group(sport: str) -> str | None:
    """``ride``, ``run`` or None (other sports count only towards ``overall``)."""
    if sport in RIDE_SPORTS:
        return "ride"
    if sport in RUN_SPORTS:
        return "run"
    return None


def in_group(sport: str, group: str) -> bool:
    return group == "overall" or sport_group(sport) == group


@dataclass(frozen=True, slots=True)
class ActivityFacts:
    """One live activity as stats see it. Distances in metres, times in seconds."""

    id: int
    name: str
    sport: str
    workout_type: int | None
    start_local: datetime  # naive local wall time
    distance_m: float
    moving_time_s: int
    elapsed_time_s: int
    elevation_m: float

    @property
    def day(self) -> date:
        return self.start_local.date()

    @property
    def is_race(self) -> bool:
        return self.workout_type in RACE_WORKOUT_TYPES


def zone_of(name: str | None) -> ZoneInfo | None:
    """A zone from a Strava timezone like ``(GMT+01:00) Europe/Paris`` or ``Europe/Paris``."""
    if not name:
        return None
    key = name.rsplit(") ", 1)[-1].strip()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_start(
    *,
    start_date_local: datetime | None,
    start_date: datetime | None,
    utc_offset: float | None,
    timezone: str | None = None,
    athlete_timezone: str | None = None,
) -> datetime | None:
    """The activity's naive local start time, from the best source available (see module doc)."""
    if start_date_local is not None:
        return start_date_local.replace(tzinfo=None)
    if start_date is None:
        return None
    start_utc = start_date.replace(tzinfo=UTC) if start_date.tzinfo is None else start_date
    if utc_offset is not None:
        return (start_utc + timedelta(seconds=utc_offset)).replace(tzinfo=None)
    zone = zone_of(timezone) or zone_of(athlete_timezone)
    if zone is not None:
        return start_utc.astimezone(zone).replace(tzinfo=None)
    return start_utc.astimezone(UTC).replace(tzinfo=None)
