"""Reading Strava's activity JSON: the summary part of a response and its typed columns. Pure.

The store keeps the raw SummaryActivity as last seen (``summary_json``) and derives typed
columns from it; a value of an unexpected JSON type becomes NULL in its column and stays, as
received, in the raw JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeGuard

from stravasync.clock import as_utc

# Fields only a DetailedActivity carries; stripped to get the summary part of a detail response.
DETAIL_ONLY_FIELDS = frozenset(
    {
        "description",
        "calories",
        "gear",
        "laps",
        "splits_metric",
        "splits_standard",
        "segment_efforts",
        "best_efforts",
        "photos",
        "embed_token",
        "similar_activities",
        "available_zones",
        "perceived_exertion",
        "prefer_perceived_exertion",
        "segment_leaderboard_opt_out",
        "leaderboard_opt_out",
        "partner_brand_tag",
        "private_note",
        "stats_visibility",
    }
)
# Summary fields that change without any edit (social counters): updates that touch only these
# are stored but do not notify the owning app.
SOCIAL_FIELDS = frozenset(
    {
        "kudos_count",
        "comment_count",
        "achievement_count",
        "photo_count",
        "total_photo_count",
        "athlete_count",
        "pr_count",
        "has_kudoed",
    }
)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)  # Python 3.11 reads the trailing "Z"
    except ValueError:
        return None


def summary_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The SummaryActivity part of a Summary- or DetailedActivity response."""
    if raw.get("resource_state") != 3:
        return dict(raw)  # already a summary: nothing to strip
    out = {k: v for k, v in raw.items() if k not in DETAIL_ONLY_FIELDS}
    if isinstance(out.get("map"), dict):
        out["map"] = {k: v for k, v in out["map"].items() if k != "polyline"}
        if out["map"].get("resource_state") == 3:
            out["map"]["resource_state"] = 2
    out["resource_state"] = 2
    return out


def is_detail(raw: Mapping[str, Any]) -> bool:
    """A DetailedActivity (resource_state 3): :func:`summary_of` takes its summary part."""
    return raw.get("resource_state") == 3


def changed_fields(
    before: Mapping[str, Any] | None, after: Mapping[str, Any], *, from_detail: bool
) -> set[str] | None:
    """The top-level fields ``after`` changed from the stored ``before``; None when equal.

    Compared on the fields a listing carries: a detail's summary part has keys a listing of the
    same activity lacks (real pairs: ``hide_from_home``, ``device_name``), and a listing lacks
    them again, so keys present on one side only are no edit when a detail is involved. For a
    listing (``from_detail`` False) that is its own keys; for a detail, the keys both carry. An
    empty set means the two differ only in such keys: stored or not, nothing was edited.
    """
    if before == after:
        return None
    if before is None:
        return set(after)
    carried = after.keys() & before.keys() if from_detail else after.keys()
    return {k for k in carried if after.get(k) != before.get(k)}


def start_epoch(raw: Mapping[str, Any]) -> int | None:
    start = _parse_time(raw.get("start_date"))
    return int(start.timestamp()) if start else None


# The typed columns by JSON type, each tuple in table order. Checking a whole group in one
# comprehension keeps typed extraction cheap: it runs for every summary of every listing.
_STR_COLUMNS = ("name", "sport_type", "type", "timezone", "visibility", "gear_id")
_INT_COLUMNS = (
    "workout_type",
    "moving_time",
    "elapsed_time",
    "kudos_count",
    "comment_count",
    "achievement_count",
    "pr_count",
)
_FLOAT_COLUMNS = (
    "utc_offset",
    "distance",
    "total_elevation_gain",
    "average_speed",
    "max_speed",
    "average_heartrate",
    "max_heartrate",
    "average_watts",
    "kilojoules",
)
_BOOL_COLUMNS = ("trainer", "commute", "manual", "private")
# The order of :func:`typed_values`.
TYPED_COLUMNS = (*_STR_COLUMNS, *_INT_COLUMNS, *_FLOAT_COLUMNS, *_BOOL_COLUMNS)


def typed_values(raw: Mapping[str, Any]) -> list[Any]:
    """The typed columns of a summary but its start times, in ``TYPED_COLUMNS`` order.

    A value of the wrong JSON type becomes None; JSON booleans are not numbers. Numbers are
    made ``int`` or ``float`` as their column is, so every backend stores the same value. (The
    tests for None and the exact type first are only shortcuts for the common cases.)
    """
    get = raw.get
    out: list[Any] = [v if isinstance(v, str) else None for v in map(get, _STR_COLUMNS)]
    out += [
        v if v is None or type(v) is int else int(v) if _is_number(v) else None
        for v in map(get, _INT_COLUMNS)
    ]
    out += [
        v if v is None or type(v) is float else float(v) if _is_number(v) else None
        for v in map(get, _FLOAT_COLUMNS)
    ]
    out += [v if v is True or v is False else None for v in map(get, _BOOL_COLUMNS)]
    return out


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and value is not True and value is not False


def utc_time(value: Any) -> datetime | None:
    """A JSON time as an aware UTC datetime (no offset: taken as UTC); None if unreadable."""
    parsed = _parse_time(value)
    if parsed is None or parsed.tzinfo is UTC:  # Strava's "...Z" already reads as UTC
        return parsed
    return as_utc(parsed)


def wall_time(value: Any) -> datetime | None:
    """A JSON time as a naive wall-clock datetime: any offset is dropped, not applied."""
    parsed = _parse_time(value)
    if parsed is None or parsed.tzinfo is None:
        return parsed
    return parsed.replace(tzinfo=None)


def start_times(raw: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """``start_date`` as aware UTC, ``start_date_local`` as naive wall time; None if unreadable.

    Strava writes the athlete's local time with a "Z" it does not mean, hence the wall time.
    """
    return utc_time(raw.get("start_date")), wall_time(raw.get("start_date_local"))


def _typed(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The typed columns of a summary, by column name; values of the wrong JSON type are None."""
    row = dict(zip(TYPED_COLUMNS, typed_values(raw), strict=True))
    row["start_date"], row["start_date_local"] = start_times(raw)
    return row
