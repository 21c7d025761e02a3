"""TCX (Garmin Training Center Database v2) from a :class:`~stravasync.export.tracks.track.Track`.

No TCX writer library is well kept, and the format is small: one ``Activity`` of one ``Lap``
whose ``Track`` holds the points, written from templates (numbers unescaped, text escaped).
TCX requires a time on every point: from streams the recorded ones; from a polyline (no
times) each point's time is the start plus the moving time shared out by distance along the
route, which ``<Notes>`` says. Power goes in Garmin's ActivityExtension v2 (``TPX/Watts``);
TCX has no temperature field.
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

from stravasync.export.tracks.track import Track, TrackPoint
from stravasync.export.tracks.trackmeta import TrackInfo, describe
from stravasync.export.tracks.xmltext import num, stamp, text

TCD = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<TrainingCenterDatabase xmlns="{TCD}" xmlns:ns3="{AX}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{TCD} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd">\n'
)
RUNNING = {"Run", "TrailRun", "VirtualRun"}
BIKING = {
    "Ride",
    "MountainBikeRide",
    "GravelRide",
    "EBikeRide",
    "EMountainBikeRide",
    "VirtualRide",
    "Velomobile",
    "Handcycle",
}
EARTH_RADIUS_M = 6_371_008.8
POLYLINE_NOTE = " Point times are the moving time shared out by distance along the route."


def tcx_sport(sport_type: str) -> str:
    """TCX knows three sports: Running, Biking and Other."""
    if sport_type in RUNNING:
        return "Running"
    if sport_type in BIKING:
        return "Biking"
    return "Other"


def _metres(a: TrackPoint, b: TrackPoint) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def spread_times(points: list[TrackPoint], start: datetime, seconds: float) -> list[datetime]:
    """Times for untimed points: ``start`` plus ``seconds`` shared out by distance covered
    (evenly by point when the route has no length)."""
    along = [0.0]
    for a, b in itertools.pairwise(points):
        along.append(along[-1] + _metres(a, b))
    total = along[-1]
    n = max(1, len(points) - 1)
    return [
        start + timedelta(seconds=round(seconds * (d / total if total > 0 else i / n)))
        for i, d in enumerate(along)
    ]


def _point(p: TrackPoint, when: datetime) -> str:
    parts = [
        f"          <Trackpoint><Time>{stamp(when)}</Time>"
        f"<Position><LatitudeDegrees>{num(p.lat)}</LatitudeDegrees>"
        f"<LongitudeDegrees>{num(p.lon)}</LongitudeDegrees></Position>"
    ]
    if p.elevation is not None:
        parts.append(f"<AltitudeMeters>{num(p.elevation)}</AltitudeMeters>")
    if p.distance is not None:
        parts.append(f"<DistanceMeters>{num(p.distance)}</DistanceMeters>")
    if p.heartrate is not None and 1 <= p.heartrate <= 255:
        parts.append(f"<HeartRateBpm><Value>{p.heartrate}</Value></HeartRateBpm>")
    if p.cadence is not None and 0 <= p.cadence <= 254:
        parts.append(f"<Cadence>{p.cadence}</Cadence>")
    if p.watts is not None:
        watts = max(0, min(65535, p.watts))
        parts.append(f"<Extensions><ns3:TPX><ns3:Watts>{watts}</ns3:Watts></ns3:TPX></Extensions>")
    parts.append("</Trackpoint>\n")
    return "".join(parts)


def tcx_text(info: TrackInfo, track: Track) -> str | None:
    """The TCX document of one activity's track; None without a start time (TCX needs one)."""
    if info.start_date is None or not track.points:
        return None
    start = info.start_date
    notes = describe(info, track)
    times: list[datetime]
    if track.source == "streams" and all(p.time is not None for p in track.points):
        times = [p.time or start for p in track.points]
    else:
        seconds = float(info.moving_time or info.elapsed_time or 0)
        times = spread_times(track.points, start, seconds)
        notes += POLYLINE_NOTE
    elapsed = info.elapsed_time
    total = float(elapsed) if elapsed is not None else (times[-1] - start).total_seconds()
    calories = max(0, min(65535, round(info.calories or 0)))
    body = "".join(_point(p, t) for p, t in zip(track.points, times, strict=True))
    return (
        f"{_HEAD}  <Activities>\n"
        f'    <Activity Sport="{tcx_sport(info.sport_type)}">\n'
        f"      <Id>{stamp(start)}</Id>\n"
        f'      <Lap StartTime="{stamp(start)}">\n'
        f"        <TotalTimeSeconds>{num(total)}</TotalTimeSeconds>\n"
        f"        <DistanceMeters>{num(float(info.distance or 0.0))}</DistanceMeters>\n"
        f"        <Calories>{calories}</Calories>\n"
        "        <Intensity>Active</Intensity>\n"
        "        <TriggerMethod>Manual</TriggerMethod>\n"
        f"        <Track>\n{body}        </Track>\n"
        "      </Lap>\n"
        f"      <Notes>{text(notes)}</Notes>\n"
        "    </Activity>\n"
        "  </Activities>\n"
        "</TrainingCenterDatabase>\n"
    )


def tcx_bytes(info: TrackInfo, track: Track) -> bytes | None:
    doc = tcx_text(info, track)
    return doc.encode("utf-8") if doc is not None else None
