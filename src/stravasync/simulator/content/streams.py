"""Streams (GET /activities/{id}/streams) and kudoers (GET /activities/{id}/kudos)."""

from __future__ import annotations

import math
from typing import Any

from stravasync.simulator.content.geometry import altitude, route
from stravasync.simulator.content.model import Activity
from stravasync.simulator.content.people import FIRST, LAST
from stravasync.simulator.content.rng import stable_rng

ALL_TYPES = [
    "time",
    "distance",
    "latlng",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
]
RESOLUTIONS = {"low": 100, "medium": 1000, "high": 10000}


def available(f: dict[str, Any]) -> set[str]:
    """Stream types this activity has."""
    have = {"time", "moving"}
    if f["distance"] > 0:
        have |= {"distance", "velocity_smooth"}
    if f["start_latlng"]:
        have |= {"latlng", "altitude", "grade_smooth"}
    if f["has_heartrate"]:
        have.add("heartrate")
    if f["average_cadence"] is not None:
        have.add("cadence")
    if f["device_watts"]:
        have.add("watts")
    if f["start_latlng"] and f["device_name"] not in (None, "Strava App", "Zwift"):
        have.add("temp")
    return have


def streams(
    act: Activity, f: dict[str, Any], keys: list[str], resolution: str | None
) -> dict[str, dict[str, Any]]:
    """Requested streams keyed by type (``distance`` always comes along when it exists)."""
    have = available(f)
    wanted = [k for k in ALL_TYPES if (k in keys or k == "distance") and k in have]
    original = max(2, f["elapsed_time"] // 3)  # one point every ~3 s ("smart recording")
    n = min(original, RESOLUTIONS[resolution]) if resolution in RESOLUTIONS else original
    res_name = resolution if resolution in RESOLUTIONS else "high"
    series = "distance" if "distance" in have else "time"
    rng = stable_rng(act.seed, "streams")
    step = f["elapsed_time"] / (n - 1)
    phase = rng.uniform(0, 6.28)
    ts = [int(i * step) for i in range(n)]
    ratio = f["moving_time"] / max(1, f["elapsed_time"])
    dist = [round(f["distance"] * i / (n - 1), 1) for i in range(n)]
    out: dict[str, dict[str, Any]] = {}
    for key in wanted:
        data: list[Any]
        if key == "time":
            data = ts
        elif key == "distance":
            data = dist
        elif key == "latlng":
            data = [list(p) for p in route(act, f["distance"], n)]
        elif key == "altitude":
            lo, hi = f["elev_low"] or 0.0, f["elev_high"] or 0.0
            data = [round(altitude(lo, hi, i / (n - 1)), 1) for i in range(n)]
        elif key == "velocity_smooth":
            v = f["average_speed"] / max(ratio, 0.1)
            data = [round(v * (1 + 0.1 * math.sin(i / 17 + phase)), 2) for i in range(n)]
        elif key == "heartrate":
            hr = f["average_heartrate"] or 130.0
            data = [int(hr + 8 * math.sin(i / 40 + phase)) for i in range(n)]
        elif key == "cadence":
            cad = f["average_cadence"] or 80.0
            data = [int(cad + 4 * math.sin(i / 9 + phase)) for i in range(n)]
        elif key == "watts":
            w = f["average_watts"] or 150.0
            data = [int(max(0.0, w * (1 + 0.25 * math.sin(i / 11 + phase)))) for i in range(n)]
        elif key == "temp":
            data = [int(12 + 3 * math.sin(i / 200 + phase)) for i in range(n)]
        elif key == "moving":
            data = [(i * 7919) % 100 < ratio * 100 for i in range(n)]
        else:  # grade_smooth
            data = [round(4 * math.sin(2 * math.pi * i / (n - 1)), 1) for i in range(n)]
        out[key] = {
            "data": data,
            "series_type": series,
            "original_size": original,
            "resolution": res_name,
        }
    return out


def kudoers(act: Activity, count: int, page: int, per_page: int) -> list[dict[str, Any]]:
    """The athletes who gave the first ``count`` kudos, paged."""
    rng = stable_rng(act.seed, "kudoers")
    names = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(count)]
    chunk = names[(page - 1) * per_page : page * per_page]
    return [{"resource_state": 2, "firstname": a, "lastname": f"{b[0]}."} for a, b in chunk]
