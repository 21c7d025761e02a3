"""GET /athletes/{id}/stats: recent (28 days), year-to-date and all-time totals.

Like Strava, only activities visible to everyone or followers count (not "only me").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stravasync.simulator.content.model import Activity
from stravasync.simulator.content.sports import family

FAMILIES = {"ride": "ride", "run": "run", "swim": "swim"}


def _totals() -> dict[str, float]:
    # achievement_count is kept for every total but written only into recent_* (as Strava does)
    return {
        "count": 0,
        "distance": 0.0,
        "moving_time": 0,
        "elapsed_time": 0,
        "elevation_gain": 0.0,
        "achievement_count": 0,
    }


def athlete_stats(activities: list[Activity], now: int) -> dict[str, Any]:
    year_start = int(datetime(datetime.fromtimestamp(now, UTC).year, 1, 1, tzinfo=UTC).timestamp())
    recent_start = now - 28 * 86400
    buckets: dict[str, dict[str, float]] = {
        f"{period}_{fam}_totals": _totals()
        for period in ("recent", "ytd", "all")
        for fam in FAMILIES
    }
    biggest_ride = 0.0
    biggest_climb = 0.0
    for act in activities:
        f = act.fields_at(now)
        if f["visibility"] == "only_me":
            continue
        fam = family(f["sport_type"])
        if fam not in FAMILIES:
            continue
        if fam == "ride":
            biggest_ride = max(biggest_ride, f["distance"])
            biggest_climb = max(biggest_climb, f["total_elevation_gain"])
        periods = ["all"]
        if act.start >= year_start:
            periods.append("ytd")
        if act.start >= recent_start:
            periods.append("recent")
        for period in periods:
            t = buckets[f"{period}_{fam}_totals"]
            t["count"] += 1
            t["distance"] += f["distance"]
            t["moving_time"] += f["moving_time"]
            t["elapsed_time"] += f["elapsed_time"]
            t["elevation_gain"] += f["total_elevation_gain"]
            t["achievement_count"] += f["achievement_count"]
    out: dict[str, Any] = {
        "biggest_ride_distance": round(biggest_ride, 1),
        "biggest_climb_elevation_gain": round(biggest_climb, 1),
    }
    for name, t in buckets.items():
        out[name] = {
            "count": int(t["count"]),
            "distance": round(t["distance"], 1),
            "moving_time": int(t["moving_time"]),
            "elapsed_time": int(t["elapsed_time"]),
            "elevation_gain": round(t["elevation_gain"], 1),
        }
        if name.startswith("recent_"):
            out[name]["achievement_count"] = int(t["achievement_count"])
    return out


def gear_distances(activities: list[Activity], now: int) -> dict[str, float]:
    """Metres covered with each gear id by the given activities at ``now``."""
    out: dict[str, float] = {}
    for act in activities:
        f = act.fields_at(now)
        if f["gear_id"]:
            out[f["gear_id"]] = out.get(f["gear_id"], 0.0) + f["distance"]
    return out
