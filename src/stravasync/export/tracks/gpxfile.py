"""GPX 1.1 from a :class:`~stravasync.export.tracks.track.Track`.

One ``<trk>`` of one ``<trkseg>``; each point has its position and, from streams, ``<ele>``,
``<time>`` and Garmin's TrackPointExtension v1 (``atemp``, ``hr``, ``cad``) and
PowerExtension v1 (``PowerInWatts``), the extensions Strava's own GPX files and most readers
use. ``<metadata><desc>`` says where the track came from (streams or polyline). The bytes
depend only on the activity, so an unchanged activity gives an identical file.

Written from templates rather than through gpxpy's writer: gpxpy took ~16 µs a point (50 ms
for a 3,000-point ride), too slow for a 10,000-activity download; gpxpy reads these files in
the tests. Only numbers go into the templates unescaped; text is escaped.
"""

from __future__ import annotations

from stravasync.export.tracks.track import Track, TrackPoint
from stravasync.export.tracks.trackmeta import TrackInfo, describe
from stravasync.export.tracks.xmltext import decimal, stamp, text

TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
PWR = "http://www.garmin.com/xmlschemas/PowerExtension/v1"
GPX = "http://www.topografix.com/GPX/1/1"
CREATOR = "stravasync"

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<gpx xmlns="{GPX}" xmlns:gpxtpx="{TPX}" xmlns:gpxpx="{PWR}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{GPX} http://www.topografix.com/GPX/1/1/gpx.xsd" '
    f'version="1.1" creator="{CREATOR}">\n'
)


_RANGES = {"hr": (1, 255), "cad": (0, 254)}  # TrackPointExtension v1's bounds


def _in_range(name: str, value: float) -> bool:
    low, high = _RANGES.get(name, (-1e9, 1e9))
    return low <= value <= high


def _point(p: TrackPoint) -> str:
    parts = [f'      <trkpt lat="{decimal(p.lat, 7)}" lon="{decimal(p.lon, 7)}">']
    if p.elevation is not None:
        parts.append(f"<ele>{decimal(p.elevation, 3)}</ele>")
    if p.time is not None:
        parts.append(f"<time>{stamp(p.time)}</time>")
    tpx = [
        f"<gpxtpx:{name}>{decimal(value, 2)}</gpxtpx:{name}>"
        for name, value in (("atemp", p.temp), ("hr", p.heartrate), ("cad", p.cadence))
        if value is not None and _in_range(name, value)
    ]  # the schema's order: atemp, hr, cad
    if tpx or p.watts is not None:
        parts.append("<extensions>")
        if tpx:
            parts.append(
                "<gpxtpx:TrackPointExtension>" + "".join(tpx) + "</gpxtpx:TrackPointExtension>"
            )
        if p.watts is not None:
            parts.append(f"<gpxpx:PowerInWatts>{max(0, p.watts)}</gpxpx:PowerInWatts>")
        parts.append("</extensions>")
    parts.append("</trkpt>\n")
    return "".join(parts)


def gpx_text(info: TrackInfo, track: Track) -> str:
    """The GPX 1.1 document of one activity's track."""
    name = f"    <name>{text(info.name)}</name>\n" if info.name else ""
    kind = f"    <type>{text(info.sport_type)}</type>\n" if info.sport_type else ""
    meta = (
        "  <metadata>\n"
        + name
        + f"    <desc>{text(describe(info, track))}</desc>\n"
        + (f"    <time>{stamp(info.start_date)}</time>\n" if info.start_date else "")
        + "  </metadata>\n"
    )
    body = "".join(_point(p) for p in track.points)
    return (
        f"{_HEAD}{meta}  <trk>\n{name}{kind}    <trkseg>\n{body}    </trkseg>\n  </trk>\n</gpx>\n"
    )


def gpx_bytes(info: TrackInfo, track: Track) -> bytes:
    return gpx_text(info, track).encode("utf-8")
