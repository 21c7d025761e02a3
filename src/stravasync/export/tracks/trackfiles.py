"""An activity's track file (GPX or TCX): read its inputs, pick the source, write the bytes.

The one reader of streams for files: :func:`read_streams` is the store's stand-in until the
compact stream storage lands (then this import is the one line to swap).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from stravasync.export.tracks.gpxfile import gpx_bytes
from stravasync.export.tracks.tcxfile import tcx_bytes
from stravasync.export.tracks.track import Source, Track, build_track
from stravasync.export.tracks.trackmeta import MEDIA_TYPES, Format, TrackInfo, file_name
from stravasync.store import read_streams
from stravasync.store.mirror.track_reads import get_track_row, iter_track_rows


@dataclass(frozen=True, slots=True)
class TrackFile:
    """One activity's track as a file."""

    activity_id: int
    athlete_id: int
    name: str  # stable: <start date>_<activity id>.<gpx|tcx>
    media_type: str
    source: Source  # streams | polyline
    points: int
    data: bytes


def streams_of(conn: Connection, activity_id: int) -> dict[str, list[Any]] | None:
    """The activity's streams by Strava key, or None (the one read of streams for files)."""
    return read_streams(conn, activity_id)


def track_of(conn: Connection, info: TrackInfo) -> Track | None:
    """The activity's track (streams first, else its polyline), or None."""
    return build_track(streams_of(conn, info.id), info.polyline, info.start_date)


def render(info: TrackInfo, track: Track, fmt: Format) -> TrackFile | None:
    data = gpx_bytes(info, track) if fmt == "gpx" else tcx_bytes(info, track)
    if data is None:
        return None
    return TrackFile(
        activity_id=info.id,
        athlete_id=info.athlete_id,
        name=file_name(info, fmt),
        media_type=MEDIA_TYPES[fmt],
        source=track.source,
        points=len(track.points),
        data=data,
    )


def track_file(conn: Connection, activity_id: int, fmt: Format) -> TrackFile | None:
    """A live activity's track file, or None (unknown, deleted, or no track)."""
    info = get_track_row(conn, activity_id)
    if info is None:
        return None
    track = track_of(conn, info)
    return render(info, track, fmt) if track is not None else None


def iter_track_files(
    conn: Connection,
    fmt: Format,
    *,
    athlete_id: int | None = None,
    include_hidden: bool = False,
) -> Iterator[TrackFile]:
    """Every live activity's track file (those with a track), by activity id, one at a time."""
    for info in iter_track_rows(conn, athlete_id=athlete_id, include_hidden=include_hidden):
        track = track_of(conn, info)
        if track is not None:
            made = render(info, track, fmt)
            if made is not None:
                yield made
