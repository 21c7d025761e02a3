"""A SummaryActivity-shaped dict from an activities.csv row and its file's facts (pure).

The CSV's values win (they are what Strava shows); the file fills what the CSV lacks (start
position, local-time offset, totals of rows with empty columns). The local start time comes
from the file's recorded offset, else from the time zone given by the caller (the athlete's
most recent known zone), else it is left out and stats fall back to UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from stravasync.archive import sports
from stravasync.archive.csvparse import CsvActivity
from stravasync.archive.files import FileFacts


def sport_type(display: str, language: str | None = None) -> str:
    """``Virtual Ride`` -> ``VirtualRide``, ``Football (Soccer)`` -> ``Soccer``; a name no table
    knows passes through without its spaces (never fails; the importer warns about it)."""
    return sports.sport_type(display, language) or display.replace(" ", "") or "Workout"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _first(*values: float | None) -> float | None:
    for value in values:
        if value is not None:
            return value
    return None


def _int(value: float | None) -> int | None:
    return round(value) if value is not None else None


def local_offset(
    start: datetime, facts: FileFacts | None, zone: ZoneInfo | None
) -> tuple[int | None, str | None]:
    """(utc_offset seconds, Strava-style timezone label) for a start time, if knowable."""
    if facts is not None and facts.utc_offset is not None:
        return facts.utc_offset, None
    if zone is None:
        return None, None
    delta = start.astimezone(zone).utcoffset() or timedelta(0)
    seconds = int(delta.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    label = f"(GMT{sign}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}) {zone.key}"
    return seconds, label


def build_summary(
    athlete_id: int,
    row: CsvActivity,
    facts: FileFacts | None,
    zone: ZoneInfo | None,
    language: str | None = None,
) -> dict[str, Any]:
    """The archive's version of the activity, in the API's field names."""
    f = facts or FileFacts(kind="none")
    start = row.start
    offset, label = local_offset(start, facts, zone)
    sport = sport_type(row.activity_type, language)
    distance = _first(row.distance_m, f.distance_m)
    out: dict[str, Any] = {
        "id": row.id,
        "athlete": {"id": athlete_id},
        "name": row.name,
        "sport_type": sport,
        "type": sport,
        "start_date": _iso(start),
        "distance": distance,
        "moving_time": _int(_first(row.moving_time, f.moving_time, row.elapsed_time)),
        "elapsed_time": _int(_first(row.elapsed_time, f.elapsed_time)),
        "total_elevation_gain": _first(row.elevation_gain, f.elevation_gain),
        "max_speed": row.max_speed,
        "average_speed": row.average_speed,
        "average_heartrate": row.average_heartrate,
        "max_heartrate": row.max_heartrate,
        "has_heartrate": row.average_heartrate is not None or f.has_heartrate,
        "average_watts": row.average_watts,
        "average_cadence": row.average_cadence,
        "commute": row.commute,
        "manual": not row.filename,
        "start_latlng": list(f.start_latlng) if f.start_latlng else [],
        "end_latlng": list(f.end_latlng) if f.end_latlng else [],
    }
    if offset is not None:
        out["start_date_local"] = _iso(start + timedelta(seconds=offset))
        out["utc_offset"] = float(offset)
    if label is not None:
        out["timezone"] = label
    return out
