"""An activity's route: a deterministic path, its encoded polylines and its elevation profile."""

from __future__ import annotations

import math

from stravasync.simulator.content.model import Activity
from stravasync.simulator.content.rng import stable_rng

M_PER_DEG = 111_320.0


def encode_polyline(points: list[tuple[float, float]]) -> str:
    """Google's encoded polyline algorithm (precision 1e-5)."""
    out: list[str] = []
    prev_lat = prev_lng = 0
    for lat, lng in points:
        ilat, ilng = round(lat * 1e5), round(lng * 1e5)
        for delta in (ilat - prev_lat, ilng - prev_lng):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        prev_lat, prev_lng = ilat, ilng
    return "".join(out)


def decode_polyline(text: str) -> list[tuple[float, float]]:
    """Inverse of :func:`encode_polyline` (used by tests and by clients' sanity checks)."""
    points: list[tuple[float, float]] = []
    index = lat = lng = 0
    while index < len(text):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(text[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lng += deltas[1]
        points.append((lat / 1e5, lng / 1e5))
    return points


def route(
    act: Activity, fields_distance: float, n: int, *, digits: int | None = 6
) -> list[tuple[float, float]]:
    """``n`` points along the activity's path ([] without GPS), rounded to ``digits``."""
    start_ll = act.initial("start_latlng")
    end_ll = act.initial("end_latlng")
    if not start_ll or n < 2:
        return []
    lat0, lng0 = start_ll
    lat1, lng1 = end_ll
    rng = stable_rng(act.seed, "route")
    phase, wobble, heading = rng.uniform(0, 6.28), rng.uniform(0.03, 0.12), rng.uniform(0, 6.28)
    cos_lat = max(0.2, math.cos(math.radians(lat0)))
    loop = abs(lat1 - lat0) < 1e-3 and abs(lng1 - lng0) < 1e-3
    radius = max(200.0, fields_distance / (2 * math.pi))
    r0 = radius * (1 + wobble * math.sin(7 * heading + phase))  # the radius at the start
    pts: list[tuple[float, float]] = []
    for i in range(n):
        t = i / (n - 1)
        if loop:  # around a centre placed so that the loop starts at start_latlng
            ang = heading + 2 * math.pi * t
            r = radius * (1 + wobble * math.sin(7 * ang + phase))
            dy = r * math.sin(ang) - r0 * math.sin(heading)
            dx = r * math.cos(ang) - r0 * math.cos(heading)
            # drift towards end_latlng, so the loop also ends where the activity did
            lat = lat0 + dy / M_PER_DEG + (lat1 - lat0) * t
            lng = lng0 + dx / (M_PER_DEG * cos_lat) + (lng1 - lng0) * t
        else:
            side = wobble * math.sin(5 * math.pi * t + phase) * 0.05 * math.sin(math.pi * t)
            lat = lat0 + (lat1 - lat0) * t + side * (lng1 - lng0)
            lng = lng0 + (lng1 - lng0) * t - side * (lat1 - lat0)
        pts.append((lat, lng) if digits is None else (round(lat, digits), round(lng, digits)))
    return pts


def summary_polyline(act: Activity, distance: float) -> str:
    cached = act.poly_cache
    if cached is None or cached[0] != distance:
        cached = (distance, encode_polyline(route(act, distance, 24, digits=None)))
        act.poly_cache = cached
    return cached[1]


def full_polyline(act: Activity, distance: float) -> str:
    return encode_polyline(route(act, distance, 240, digits=None))


def altitude(low: float, high: float, t: float) -> float:
    """Elevation at fraction ``t`` of the route: one climb and descent."""
    return low + (high - low) * (0.5 - 0.5 * math.cos(2 * math.pi * t))
