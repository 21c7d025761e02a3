"""What a track file says about itself: its stable name, its media type, where it came from."""

from __future__ import annotations

from typing import Literal

from stravasync.export.tracks.track import Track
from stravasync.store.mirror.track_reads import TrackRow as TrackInfo

Format = Literal["gpx", "tcx"]
FORMATS: tuple[Format, ...] = ("gpx", "tcx")
MEDIA_TYPES: dict[Format, str] = {
    "gpx": "application/gpx+xml",
    "tcx": "application/vnd.garmin.tcx+xml",
}

__all__ = ["FORMATS", "MEDIA_TYPES", "Format", "TrackInfo", "describe", "file_name"]


def file_name(info: TrackInfo, fmt: Format) -> str:
    """``<start date, UTC>_<activity id>.<fmt>``: stable while the activity's start is."""
    day = info.start_date.strftime("%Y-%m-%d") if info.start_date is not None else "undated"
    return f"{day}_{info.id}.{fmt}"


def describe(info: TrackInfo, track: Track) -> str:
    """The file's description: which activity, and which source its points came from."""
    what = f"Strava activity {info.id}" + (f" ({info.sport_type})" if info.sport_type else "")
    n = len(track.points)
    if track.source == "streams":
        return f"{what}. Track source: streams ({n} recorded points)."
    return (
        f"{what}. Track source: polyline ({n} points decoded from the encoded route; "
        "no recorded times or sensor data)."
    )
