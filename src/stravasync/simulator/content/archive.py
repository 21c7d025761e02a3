"""A Strava account-export zip for a simulated athlete: same ids and values as the API.

``write_archive(world, athlete_id, now, out)`` writes ``activities.csv`` (the real header, with
its repeated display/precise columns) and ``activities/<id>.<ext>`` files for every activity
visible at ``now``: FIT (gzipped for Garmin-like devices, plain for Zwift; needs the ``fit-tool``
package, else GPX is written instead), GPX for phone recordings, TCX for every fifth Garmin
activity; manual activities have no file. ``corrupt`` names activity ids whose file is damaged
on purpose, ``extra_columns`` adds unknown columns, to exercise the importer's error paths.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from stravasync.clock import to_epoch
from stravasync.simulator.content.geometry import altitude, route
from stravasync.simulator.content.model import Activity
from stravasync.simulator.content.render import summary
from stravasync.simulator.content.world import World

HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Max Cadence", "Average Cadence", "Max Heart Rate", "Average Heart Rate", "Max Watts",
    "Average Watts", "Calories",
]  # fmt: skip
POINTS = 60
FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z


@dataclass(slots=True)
class ArchiveManifest:
    """What was written: activity ids, and file name per id (None for manual activities)."""

    activity_ids: list[int] = field(default_factory=list)
    files: dict[int, str | None] = field(default_factory=dict)


def display_type(sport_type: str) -> str:
    """``VirtualRide`` -> ``Virtual Ride`` (how the export names activity types)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", sport_type)


def export_date(epoch: int) -> str:
    """``Jul 1, 2025, 6:30:00 AM`` (UTC), as in real exports."""
    d = datetime.fromtimestamp(epoch, UTC)
    return (
        f"{d:%b} {d.day}, {d.year}, {d.hour % 12 or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"
    )


def _num(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def csv_row(s: Mapping[str, Any], filename: str | None) -> list[str]:
    dist = s["distance"] or 0.0
    return [
        str(s["id"]), export_date(to_epoch(datetime.fromisoformat(s["start_date"]))),
        s["name"], display_type(s["sport_type"]), "", str(s["elapsed_time"]),
        f"{dist / 1000:.2f}", _num(s["max_heartrate"]), "",
        "true" if s["commute"] else "false", "", "", filename or "", "", "",
        _num(float(s["elapsed_time"])), _num(float(s["moving_time"])), _num(float(dist)),
        _num(s["max_speed"]), _num(s["average_speed"]), _num(s["total_elevation_gain"]), "",
        _num(s["elev_low"]), _num(s["elev_high"]), "", "", "", _num(s["average_cadence"]),
        _num(s["max_heartrate"]), _num(s["average_heartrate"]), "", _num(s["average_watts"]), "",
    ]  # fmt: skip


def _track(
    act: Activity, s: Mapping[str, Any]
) -> list[tuple[int, tuple[float, float] | None, float | None, float]]:
    """(epoch, latlng, elevation, distance) samples across the activity."""
    start = to_epoch(datetime.fromisoformat(s["start_date"]))
    pts = route(act, s["distance"] or 0.0, POINTS)
    low, high = s["elev_low"], s["elev_high"]
    out = []
    for i in range(POINTS):
        t = i / (POINTS - 1)
        ele = altitude(low, high, t) if low is not None and high is not None else None
        out.append((start + round(s["elapsed_time"] * t), pts[i] if pts else None, ele,
                    (s["distance"] or 0.0) * t))  # fmt: skip
    return out


def gpx_bytes(act: Activity, s: Mapping[str, Any]) -> bytes:
    rows = []
    for epoch, ll, ele, _ in _track(act, s):
        if ll is None:
            continue
        when = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        ele_xml = f"<ele>{ele:.1f}</ele>" if ele is not None else ""
        rows.append(f'<trkpt lat="{ll[0]}" lon="{ll[1]}">{ele_xml}<time>{when}</time></trkpt>')
    name = str(s["name"]).replace("&", "&amp;").replace("<", "&lt;")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="stravasync-sim" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>' + name + "</name><trkseg>"
        + "".join(rows) + "</trkseg></trk></gpx>"
    ).encode()  # fmt: skip


def tcx_bytes(act: Activity, s: Mapping[str, Any]) -> bytes:
    track = _track(act, s)
    start = datetime.fromtimestamp(track[0][0], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pts = []
    for epoch, ll, ele, dist in track:
        when = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        pos = (f"<Position><LatitudeDegrees>{ll[0]}</LatitudeDegrees><LongitudeDegrees>{ll[1]}"
               "</LongitudeDegrees></Position>") if ll else ""  # fmt: skip
        alt = f"<AltitudeMeters>{ele:.1f}</AltitudeMeters>" if ele is not None else ""
        pts.append(f"<Trackpoint><Time>{when}</Time>{pos}{alt}"
                   f"<DistanceMeters>{dist:.1f}</DistanceMeters></Trackpoint>")  # fmt: skip
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns='
        '"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
        f'<Activity Sport="Other"><Id>{start}</Id><Lap StartTime="{start}">'
        f"<TotalTimeSeconds>{float(s['elapsed_time'])}</TotalTimeSeconds>"
        f"<DistanceMeters>{float(s['distance'] or 0.0)}</DistanceMeters>"
        f"<Track>{''.join(pts)}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def fit_bytes(act: Activity, s: Mapping[str, Any]) -> bytes:
    """A FIT activity file (file_id, records, session, activity with local time)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer

    track = _track(act, s)
    t0 = track[0][0] * 1000
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.GARMIN.value
    fid.product = 0
    fid.serial_number = act.seed % 2**31
    fid.time_created = t0
    builder.add(fid)
    for epoch, ll, ele, dist in track:
        rec = RecordMessage()
        rec.timestamp = epoch * 1000
        if ll is not None:
            rec.position_lat, rec.position_long = ll
        if ele is not None:
            rec.altitude = ele
        rec.distance = dist
        builder.add(rec)
    ses = SessionMessage()
    ses.timestamp = track[-1][0] * 1000
    ses.start_time = t0
    ses.total_elapsed_time = float(s["elapsed_time"])
    ses.total_timer_time = float(s["moving_time"])
    ses.total_distance = float(s["distance"] or 0.0)
    builder.add(ses)
    end = track[-1][0]
    done = ActivityMessage()
    done.timestamp = end * 1000
    done.local_timestamp = end + int(s["utc_offset"] or 0) - FIT_EPOCH
    builder.add(done)
    data: bytes = builder.build().to_bytes()
    return data


def _fit_available() -> bool:
    try:
        import fit_tool  # noqa: F401
    except ImportError:
        return False
    return True


def file_for(act: Activity, s: Mapping[str, Any], fit_ok: bool) -> tuple[str, bytes] | None:
    """The archive member (name, bytes) of an activity, or None for a manual one."""
    if s["manual"]:
        return None
    device, gps = s["device_name"], bool(s["start_latlng"])
    if fit_ok and (device == "Zwift" or not gps):
        return f"activities/{act.id}.fit", fit_bytes(act, s)
    if not gps:
        return None
    if device == "Strava App" or not fit_ok:
        return f"activities/{act.id}.gpx", gpx_bytes(act, s)
    if act.id % 5 == 0:
        return f"activities/{act.id}.tcx.gz", gzip.compress(tcx_bytes(act, s), mtime=0)
    return f"activities/{act.id}.fit.gz", gzip.compress(fit_bytes(act, s), mtime=0)


def write_archive(
    world: World,
    athlete_id: int,
    now: datetime,
    out: Path | IO[bytes],
    *,
    corrupt: Iterable[int] = (),
    extra_columns: Mapping[str, str] | None = None,
    before: datetime | None = None,
) -> ArchiveManifest:
    """Write the export zip of ``athlete_id`` as Strava would produce it at ``now``.

    ``before``: only activities that started before it (an export requested some time ago).
    """
    epoch = to_epoch(now)
    cutoff = to_epoch(before) if before else None
    damaged, extra = set(corrupt), dict(extra_columns or {})
    manifest = ArchiveManifest()
    fit_ok = _fit_available()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([*HEADER, *extra])
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for act in world.visible(athlete_id, epoch, before=cutoff):
            s = summary(act, epoch)
            member = file_for(act, s, fit_ok)
            if member is not None:
                data = member[1]
                if act.id in damaged:
                    data = data[: len(data) // 2] + b"\x00garbage" * 4
                zf.writestr(member[0], data)
            writer.writerow([*csv_row(s, member[0] if member else None), *extra.values()])
            manifest.activity_ids.append(act.id)
            manifest.files[act.id] = member[0] if member else None
        zf.writestr("activities.csv", text.getvalue())
        zf.writestr("profile.csv", "Athlete ID\n" + str(athlete_id) + "\n")
    return manifest


def archive_start(now: datetime, days_ago: float) -> datetime:
    """Helper for scenarios: the moment an export was requested ``days_ago`` before ``now``."""
    return now - timedelta(days=days_ago)
