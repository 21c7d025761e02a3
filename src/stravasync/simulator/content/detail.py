"""DetailedActivity (resource_state 3) and its parts: laps, splits, segment and best efforts."""

from __future__ import annotations

from typing import Any

from stravasync.simulator.content.geometry import full_polyline, route
from stravasync.simulator.content.model import Activity, AthleteProfile
from stravasync.simulator.content.render import build_summary, gear_summary, iso
from stravasync.simulator.content.rng import stable_hex, stable_int, stable_rng

BEST_EFFORTS = [
    ("400m", 400.0),
    ("1/2 mile", 804.67),
    ("1k", 1000.0),
    ("1 mile", 1609.34),
    ("2 mile", 3218.69),
    ("5k", 5000.0),
    ("10k", 10000.0),
    ("15k", 15000.0),
    ("10 mile", 16093.4),
    ("20k", 20000.0),
    ("Half-Marathon", 21097.5),
    ("30k", 30000.0),
    ("Marathon", 42195.0),
]


def _ref(act: Activity, f: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The activity and athlete a lap or an effort points to (the activity with its visibility,
    as recorded responses carry it)."""
    return (
        {"id": act.id, "visibility": f["visibility"], "resource_state": 1},
        {"id": act.athlete_id, "resource_state": 1},
    )


def _pieces(total: float, size: float) -> list[float]:
    if total <= 0:
        return []
    full = int(total // size)
    parts = [size] * full
    rest = round(total - full * size, 1)
    if rest >= 1:
        parts.append(rest)
    return parts


def _paced(act: Activity, f: dict[str, Any], parts: list[float], tag: str) -> list[float]:
    """Moving seconds per piece, varying around the average and summing to moving_time."""
    rng = stable_rng(act.seed, tag)
    weights = [d * rng.uniform(0.9, 1.12) for d in parts]
    total = sum(weights) or 1.0
    return [f["moving_time"] * w / total for w in weights]


def laps(act: Activity, f: dict[str, Any]) -> list[dict[str, Any]]:
    """Auto-laps: every 1 km for runs, 10 km for rides, one lap otherwise."""
    fam_size = 1000.0 if f["type"] in ("Run", "VirtualRun") else 10000.0
    parts = _pieces(f["distance"], fam_size) if f["distance"] > 0 else []
    if not parts or len(parts) > 60:
        parts = [f["distance"]]
    times = _paced(act, f, parts, "laps")
    activity_ref, athlete_ref = _ref(act, f)
    ratio = f["elapsed_time"] / max(1, f["moving_time"])
    out, clock, index = [], act.start, 0
    n_points = max(2, f["elapsed_time"] // 3)
    for i, (dist, secs) in enumerate(zip(parts, times, strict=True)):
        elapsed = int(secs * ratio)
        end_index = min(
            n_points - 1, index + max(1, int(n_points * secs / max(1, f["moving_time"])))
        )
        out.append(
            {
                "id": stable_int(act.id, "lap", i) % 10**13,
                "resource_state": 2,
                "name": f"Lap {i + 1}",
                "activity": activity_ref,
                "athlete": athlete_ref,
                "elapsed_time": elapsed,
                "moving_time": int(secs),
                "start_date": iso(clock),
                "start_date_local": iso(clock + act.utc_offset),
                "distance": round(dist, 1),
                "start_index": index,
                "end_index": end_index,
                "total_elevation_gain": round(
                    f["total_elevation_gain"] * dist / max(1.0, f["distance"]), 1
                ),
                "average_speed": round(dist / secs, 3) if secs and dist else 0.0,
                "max_speed": f["max_speed"],
                "average_cadence": f["average_cadence"],
                "device_watts": f["device_watts"],
                "average_heartrate": f["average_heartrate"],
                "max_heartrate": f["max_heartrate"],
                "lap_index": i + 1,
                "split": i + 1,
                "pace_zone": None,
            }
        )
        if f["device_watts"]:  # real laps carry power only when a power meter measured it
            out[-1]["average_watts"] = f["average_watts"]
        clock += elapsed
        index = end_index
    return out


def splits(act: Activity, f: dict[str, Any], size: float, tag: str) -> list[dict[str, Any]]:
    parts = _pieces(f["distance"], size) if f["distance"] > 0 and f["moving_time"] else []
    if len(parts) > 500:
        parts = []
    times = _paced(act, f, parts, tag)
    rng = stable_rng(act.seed, tag, "elev")
    out = []
    for i, (dist, secs) in enumerate(zip(parts, times, strict=True)):
        speed = dist / secs if secs else 0.0
        out.append(
            {
                "distance": round(dist, 1),
                "elapsed_time": int(secs * 1.05),
                "elevation_difference": round(
                    rng.uniform(-1, 1) * f["total_elevation_gain"] / max(1, len(parts)), 1
                ),
                "moving_time": int(secs),
                "split": i + 1,
                "average_speed": round(speed, 2),
                "average_grade_adjusted_speed": round(speed * rng.uniform(0.98, 1.04), 2),
                "average_heartrate": f["average_heartrate"],
                "pace_zone": rng.randint(1, 5) if f["type"] == "Run" else 0,
            }
        )
    return out


def segment_efforts(act: Activity, f: dict[str, Any], include_all: bool) -> list[dict[str, Any]]:
    if not f["start_latlng"] or f["distance"] <= 0 or f["type"] not in ("Ride", "Run"):
        return []
    rng = stable_rng(act.seed, "efforts")
    count = min(30, int(f["distance"] // 4000))
    path = route(act, f["distance"], max(2, count * 2 + 2))
    activity_ref, athlete_ref = _ref(act, f)
    n_points = max(2, f["elapsed_time"] // 3)
    speed = f["average_speed"] or 1.0
    out = []
    for k in range(count):
        hidden = rng.random() < 0.3
        seg_dist = round(rng.uniform(400, 3500), 1)
        grade = round(rng.uniform(-2, 8), 1)
        elapsed = int(seg_dist / (speed * rng.uniform(0.85, 1.15)))
        frac = k / max(1, count)
        seg_id = stable_int("segment", act.athlete_index, k % 12) % 10**8
        low = (f["elev_low"] or 0.0) + rng.uniform(0, 50)
        effort = {
            "id": stable_int(act.id, "effort", k) % 10**15,
            "resource_state": 2,
            "name": f"Segment {seg_id % 1000}",
            "activity": activity_ref,
            "athlete": athlete_ref,
            "elapsed_time": elapsed,
            "moving_time": elapsed,
            "start_date": iso(act.start + int(frac * f["elapsed_time"])),
            "start_date_local": iso(act.start + act.utc_offset + int(frac * f["elapsed_time"])),
            "distance": seg_dist,
            "start_index": int(frac * (n_points - 1)),
            "end_index": min(n_points - 1, int(frac * (n_points - 1)) + max(1, elapsed // 3)),
            "average_cadence": f["average_cadence"],
            "device_watts": f["device_watts"],
            "average_watts": f["average_watts"],
            "average_heartrate": f["average_heartrate"],
            "max_heartrate": f["max_heartrate"],
            "segment": {
                "id": seg_id,
                "resource_state": 2,
                "name": f"Segment {seg_id % 1000}",
                "activity_type": f["type"],
                "distance": seg_dist,
                "average_grade": grade,
                "maximum_grade": round(grade * 1.8 + 1, 1),
                "elevation_high": round(low + max(0.0, grade) * seg_dist / 100, 1),
                "elevation_low": round(low, 1),
                "start_latlng": list(path[2 * k]),
                "end_latlng": list(path[2 * k + 1]),
                "climb_category": 0 if grade < 3 else 1,
                "elevation_profile": f"https://sim.strava.invalid/segments/{seg_id}/profile.png",
                "city": None,
                "state": None,
                "country": f["location_country"],
                "private": False,
                "hazardous": False,
                "starred": False,
            },
            "pr_rank": rng.choice([None, None, None, 1, 2, 3]),
            "achievements": [],
            "kom_rank": None,
            "hidden": hidden,
        }
        if include_all or not hidden:
            out.append(effort)
    return out


def best_efforts(act: Activity, f: dict[str, Any]) -> list[dict[str, Any]]:
    if f["type"] != "Run" or f["distance"] <= 0 or not f["moving_time"]:
        return []
    rng = stable_rng(act.seed, "best")
    activity_ref, athlete_ref = _ref(act, f)
    speed = f["distance"] / f["moving_time"]
    out = []
    for i, (name, dist) in enumerate(BEST_EFFORTS):
        if dist > f["distance"]:
            break
        secs = int(dist / (speed * rng.uniform(1.0, 1.08)))
        out.append(
            {
                "id": stable_int(act.id, "best", i) % 10**13,
                "resource_state": 2,
                "name": name,
                "activity": activity_ref,
                "athlete": athlete_ref,
                "elapsed_time": secs,
                "moving_time": secs,
                "start_date": iso(act.start),
                "start_date_local": iso(act.start + act.utc_offset),
                "distance": dist,
                "start_index": 0,
                "end_index": max(1, secs // 3),
                "pr_rank": rng.choice([None, None, None, None, 1, 2, 3]),
                "achievements": [],
            }
        )
    return out


def detailed(
    act: Activity,
    f: dict[str, Any],
    kudos: int,
    profile: AthleteProfile,
    include_all: bool,
    gear_distance: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The DetailedActivity at the state ``f`` (``fields_at(now)``)."""
    data = build_summary(act, f, kudos)
    data["resource_state"] = 3
    data["map"] = dict(data["map"], resource_state=3, polyline=full_polyline(act, f["distance"]))
    gear = None
    for g in (*profile.bikes, *profile.shoes):
        if g.id == f["gear_id"]:
            distance = (gear_distance or {}).get(g.id, 0.0)
            gear = gear_summary(g.id, g.name, g.primary, distance, g.retired)
    data.update(
        {
            "description": f["description"],
            "calories": f["calories"],
            "perceived_exertion": None,
            "prefer_perceived_exertion": False,
            "gear": gear,
            "laps": laps(act, f),
            "splits_metric": splits(act, f, 1000.0, "metric"),
            "splits_standard": splits(act, f, 1609.34, "standard"),
            "segment_efforts": segment_efforts(act, f, include_all),
            "best_efforts": best_efforts(act, f),
            "photos": {"primary": None, "use_primary_photo": False, "count": 0},
            "stats_visibility": [{"type": "heart_rate", "visibility": "everyone"}],
            "embed_token": stable_hex(20, act.seed, "embed"),
            "available_zones": ["heartrate"] if f["has_heartrate"] else [],
        }
    )
    return data
