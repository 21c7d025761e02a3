"""Reading Strava's activity JSON: the summary part of a response and its typed columns. Pure.

The store keeps the raw SummaryActivity as last seen (``summary_json``) and derives typed
columns from it; a value of an unexpected JSON type becomes NULL in its column and stays, as
received, in the raw JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
_TYPED = (
    "name",
    "sport_type",
    "type",
    "workout_type",
    "timezone",
    "utc_offset",
    "distance",
    "moving_time",
    "elapsed_time",
    "total_elevation_gain",
    "average_speed",
    "max_speed",
    "average_heartrate",
    "max_heartrate",
    "average_watts",
    "kilojoules",
    "trainer",
    "commute",
    "manual",
    "private",
    "visibility",
    "gear_id",
    "kudos_count",
    "comment_count",
    "achievement_count",
    "pr_count",
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


def start_epoch(raw: Mapping[str, Any]) -> int | None:
    start = _parse_time(raw.get("start_date"))
    return int(start.timestamp()) if start else None


_INT_FIELDS = frozenset(
    {
        "workout_type",
        "moving_time",
        "elapsed_time",
        "kudos_count",
        "comment_count",
        "achievement_count",
        "pr_count",
    }
)
_BOOL_FIELDS = frozenset({"trainer", "commute", "manual", "private"})
_STR_FIELDS = frozenset({"name", "sport_type", "type", "timezone", "visibility", "gear_id"})


def _typed_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _BOOL_FIELDS:
        return value if value is True or value is False else None
    if value is True or value is False:
        return None
    if name in _STR_FIELDS:
        return value if isinstance(value, str) else None
    if not isinstance(value, (int, float)):
        return None
    return int(value) if name in _INT_FIELDS else value


def _typed(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The typed columns of a summary; values of the wrong JSON type become NULL."""
    row = {name: _typed_value(name, raw.get(name)) for name in _TYPED}
    start = _parse_time(raw.get("start_date"))
    local = _parse_time(raw.get("start_date_local"))
    row["start_date"] = as_utc(start) if start else None
    row["start_date_local"] = local.replace(tzinfo=None) if local else None
    return row
