"""JSON of activities (SummaryActivity, resource_state 2) and athletes, as Strava writes them.

Every documented field is always present; a value the activity lacks is ``null`` (Strava omits
some of them instead: clients must cope with both).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from stravasync.simulator.content.geometry import summary_polyline
from stravasync.simulator.content.model import Activity, AthleteProfile, Gear
from stravasync.simulator.content.rng import stable_hex


def iso(epoch: int) -> str:
    """``2026-01-05T08:00:00Z``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def upload_id(act: Activity) -> int | None:
    if act.initial("manual"):
        return None
    return act.id // 100_000 * 7 + act.athlete_index % 7 + 1_000_000_000_000


def external_id(act: Activity) -> str | None:
    if act.initial("manual"):
        return None
    if act.initial("device_name") == "Zwift":
        return f"zwift-activity-{act.seed % 10**12}.fit"
    if act.initial("device_name") == "Strava App":
        return f"{stable_hex(16, act.seed, 'ext')}-activity.gpx"
    return f"garmin_ping_{act.seed % 10**11}"


def summary(act: Activity, now: int) -> dict[str, Any]:
    """The SummaryActivity dict at ``now``."""
    return build_summary(act, act.fields_at(now), act.kudos_count(now))


def summary_bytes(act: Activity, now: int) -> bytes:
    """The SummaryActivity as compact JSON bytes, cached per edit state and kudos count."""
    key = (act.edits_applied(now), act.kudos_count(now))
    cached = act.summary_cache
    if cached is not None and cached[0] == key:
        return cached[1]
    data = build_summary(act, act.fields_at(now), key[1])
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    act.summary_cache = (key, raw)
    return raw


def build_summary(act: Activity, f: dict[str, Any], kudos: int) -> dict[str, Any]:
    up = upload_id(act)
    return {
        "resource_state": 2,
        "athlete": {"id": act.athlete_id, "resource_state": 1},
        "name": f["name"],
        "distance": f["distance"],
        "moving_time": f["moving_time"],
        "elapsed_time": f["elapsed_time"],
        "total_elevation_gain": f["total_elevation_gain"],
        "type": f["type"],
        "sport_type": f["sport_type"],
        "workout_type": f["workout_type"],
        "id": act.id,
        "start_date": iso(act.start),
        "start_date_local": iso(act.start + act.utc_offset),
        "timezone": act.tz_label,
        "utc_offset": float(act.utc_offset),
        "location_city": None,
        "location_state": None,
        "location_country": f["location_country"],
        "achievement_count": f["achievement_count"],
        "kudos_count": kudos,
        "comment_count": f["comment_count"],
        "athlete_count": f["athlete_count"],
        "photo_count": f["photo_count"],
        "map": {
            "id": f"a{act.id}",
            "summary_polyline": summary_polyline(act, f["distance"]),
            "resource_state": 2,
        },
        "trainer": f["trainer"],
        "commute": f["commute"],
        "manual": f["manual"],
        "private": f["private"],
        "visibility": f["visibility"],
        "flagged": f["flagged"],
        "gear_id": f["gear_id"],
        "start_latlng": f["start_latlng"],
        "end_latlng": f["end_latlng"],
        "average_speed": f["average_speed"],
        "max_speed": f["max_speed"],
        "average_cadence": f["average_cadence"],
        "average_watts": f["average_watts"],
        "weighted_average_watts": f["weighted_average_watts"],
        "kilojoules": f["kilojoules"],
        "device_watts": f["device_watts"],
        "has_heartrate": f["has_heartrate"],
        "heartrate_opt_out": False,
        "display_hide_heartrate_option": f["has_heartrate"],
        "average_heartrate": f["average_heartrate"],
        "max_heartrate": f["max_heartrate"],
        "elev_high": f["elev_high"],
        "elev_low": f["elev_low"],
        "upload_id": up,
        "upload_id_str": None if up is None else str(up),
        "external_id": external_id(act),
        "from_accepted_tag": False,
        "pr_count": f["pr_count"],
        "total_photo_count": f["total_photo_count"],
        "has_kudoed": False,
        "hide_from_home": f["hide_from_home"],
        "device_name": f["device_name"],
        "suffer_score": suffer_score(f),  # in Strava's examples of the listing and the detail
    }


def suffer_score(f: dict[str, Any]) -> float | None:
    """Relative effort: from heart rate, so null without it (as in Strava's example)."""
    if not f["has_heartrate"] or not f["average_heartrate"]:
        return None
    return float(round(f["moving_time"] / 60 * max(0.0, f["average_heartrate"] - 100) / 25))


def athlete_json(
    p: AthleteProfile, now: int, *, detailed: bool, gear_distance: dict[str, float] | None = None
) -> dict[str, Any]:
    """SummaryAthlete (resource_state 2) or DetailedAthlete (3, with profile:read_all).

    ``bio`` and ``weight`` only in the detailed form: Strava's SummaryAthlete has neither."""
    data: dict[str, Any] = {
        "id": p.id,
        "username": p.username,
        "resource_state": 3 if detailed else 2,
        "firstname": p.firstname,
        "lastname": p.lastname,
        "city": p.city,
        "state": p.state,
        "country": p.country,
        "sex": p.sex,
        "premium": p.premium,
        "summit": p.premium,
        "created_at": iso(p.created_at),
        "updated_at": iso(max(p.created_at, now - 86400 * (p.index % 30 + 1))),
        "badge_type_id": 1 if p.premium else 0,
        "profile_medium": f"https://dgalywyr863hv.cloudfront.net/pictures/athletes/{p.id}/medium.jpg",
        "profile": f"https://dgalywyr863hv.cloudfront.net/pictures/athletes/{p.id}/large.jpg",
        "friend": None,
        "follower": None,
    }
    if detailed:
        dist = gear_distance or {}
        data.update(
            {
                "bio": "",
                "weight": p.weight,
                "blocked": False,
                "can_follow": True,
                "follower_count": p.follower_count,
                "friend_count": p.friend_count,
                "mutual_friend_count": 0,
                "athlete_type": 1 if "Run" in p.mix else 0,
                "date_preference": "%m/%d/%Y",
                "measurement_preference": "feet" if p.country == "United States" else "meters",
                "clubs": [],
                "postable_clubs_count": 0,
                "ftp": p.ftp,
                "bikes": [
                    gear_summary(g.id, g.name, g.primary, dist.get(g.id, 0.0))
                    for g in p.bikes
                    if not g.retired
                ],
                "shoes": [
                    gear_summary(g.id, g.name, g.primary, dist.get(g.id, 0.0))
                    for g in p.shoes
                    if not g.retired
                ],
            }
        )
    return data


def gear_summary(
    gear_id: str, name: str, primary: bool, distance: float, retired: bool = False
) -> dict[str, Any]:
    """SummaryGear as GET /athlete lists it (with the fields Strava sends beyond its swagger)."""
    return {
        "id": gear_id,
        "primary": primary,
        "name": name,
        "nickname": name,
        "resource_state": 2,
        "retired": retired,
        "distance": round(distance, 1),
        "converted_distance": round(distance / 1000, 1),
    }


def gear_detailed(g: Gear, distance: float) -> dict[str, Any]:
    """DetailedGear, as GET /gear/{id} answers: the summary with brand, model, description
    and, for bikes only, ``frame_type`` (3: road)."""
    data = {
        **gear_summary(g.id, g.name, g.primary, distance, g.retired),
        "resource_state": 3,
        "brand_name": g.brand,
        "model_name": g.model,
        "description": g.description,
    }
    if g.is_bike:
        data["frame_type"] = 3
    return data
