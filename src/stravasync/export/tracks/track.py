"""An activity's track as points: from its streams, else from its encoded polyline (pure).

Streams give the recorded track: a time for each point (``start + time[i]`` seconds) and, where
present, altitude, distance, heart rate, cadence, power and temperature. Without streams the
polyline (the detail's full ``map.polyline``, else the summary's) gives positions only: no
times, no sensors. :class:`Track` says which it came from (``source``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

Source = Literal["streams", "polyline"]

MAX_POINTS = 200_000  # a day-long 1 s recording is 86,400: anything past this is refused input


@dataclass(frozen=True, slots=True)
class TrackPoint:
    lat: float
    lon: float
    time: datetime | None = None
    elevation: float | None = None
    distance: float | None = None  # metres from the start
    heartrate: int | None = None
    cadence: int | None = None
    watts: int | None = None
    temp: float | None = None


@dataclass(frozen=True, slots=True)
class Track:
    source: Source
    points: list[TrackPoint]


def decode_polyline(text: str, precision: int = 5) -> list[tuple[float, float]]:
    """Google's encoded polyline algorithm: ``[(lat, lon), ...]``; a malformed tail is
    dropped (what decodes before it is kept)."""
    factor = 10**precision
    points: list[tuple[float, float]] = []
    index, lat, lon, n = 0, 0, 0, len(text)
    while index < n:
        deltas: list[int] = []
        for _ in range(2):
            shift, result = 0, 0
            while True:
                if index >= n:
                    return points
                byte = ord(text[index]) - 63
                index += 1
                if byte < 0 or shift > 60:
                    return points
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        points.append((lat / factor, lon / factor))
    return points


def _valid(lat: Any, lon: Any) -> bool:
    return (
        isinstance(lat, (int, float))
        and isinstance(lon, (int, float))
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon < 180.0
    )


def _at(series: Sequence[Any] | None, i: int) -> Any:
    if series is None or i >= len(series):
        return None
    value = series[i]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _int(value: Any) -> int | None:
    return None if value is None else round(value)


def from_streams(streams: dict[str, list[Any]], start: datetime | None) -> list[TrackPoint]:
    """The points of a stream set that have a valid ``latlng`` (others are left out)."""
    latlng = streams.get("latlng") or []
    times = streams.get("time")
    points: list[TrackPoint] = []
    for i, pair in enumerate(latlng[:MAX_POINTS]):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not _valid(*pair):
            continue
        offset = _at(times, i)
        when = (
            start + timedelta(seconds=offset) if start is not None and offset is not None else None
        )
        points.append(
            TrackPoint(
                lat=float(pair[0]),
                lon=float(pair[1]),
                time=when,
                elevation=_at(streams.get("altitude"), i),
                distance=_at(streams.get("distance"), i),
                heartrate=_int(_at(streams.get("heartrate"), i)),
                cadence=_int(_at(streams.get("cadence"), i)),
                watts=_int(_at(streams.get("watts"), i)),
                temp=_at(streams.get("temp"), i),
            )
        )
    return points


def from_polyline(text: str) -> list[TrackPoint]:
    return [TrackPoint(lat=a, lon=b) for a, b in decode_polyline(text)[:MAX_POINTS] if _valid(a, b)]


def build_track(
    streams: dict[str, list[Any]] | None, polyline: str | None, start: datetime | None
) -> Track | None:
    """The activity's track: its streams when they hold positions, else its polyline; None
    when neither gives a point (no track: an indoor activity, a manual entry)."""
    if streams:
        points = from_streams(streams, start)
        if points:
            return Track("streams", points)
    if polyline:
        points = from_polyline(polyline)
        if points:
            return Track("polyline", points)
    return None
