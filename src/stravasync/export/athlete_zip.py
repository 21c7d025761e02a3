"""An athlete's "Download my data": every row the mirror keeps of them, as one streamed zip.

``iter_athlete_zip(db, athlete_id, now=...)`` yields the archive chunk by chunk while it reads
the store in keyset pages (one read snapshot for the whole archive), so a history of any size
streams in flat memory. Only that athlete's rows are read: every query takes the athlete id.

The archive::

    README.txt                  what each file is
    athlete.json                the athlete's profile row (no tokens, no scopes)
    activities.jsonl            one live activity per line: the raw SummaryActivity as last seen
    activities.csv              the same activities, typed columns (as ``export --format csv``)
    details.jsonl               one stored DetailedActivity per line (laps, splits, efforts)
    gear.json                   the athlete's bikes and shoes
    streams/<date>_<id>.json    an activity's streams, where fetched
    gpx/<date>_<id>.gpx         an activity's track as GPX 1.1, where it has one
    originals/<id>.<fit|gpx|tcx>[.gz]   the device file an imported account export held
    manifest.json               counts of each, the athlete id and when the archive was made

Hidden athletes are included: hiding keeps an athlete out of the operator's exports, not out
of their own data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from stravasync.export.tables import ACTIVITIES, activity_row, names
from stravasync.export.textformats import jsonl_object
from stravasync.export.tracks.track import build_track
from stravasync.export.tracks.trackfiles import render, streams_of
from stravasync.export.tracks.trackmeta import file_name
from stravasync.export.zipstream import CHUNK, Entry, zip_chunks
from stravasync.store import Database
from stravasync.store.mirror.exports import (
    athlete_rows,
    iter_activities,
    iter_detail_docs,
)
from stravasync.store.mirror.gear import for_athlete as gear_of
from stravasync.store.mirror.originals import iter_data, list_originals
from stravasync.store.mirror.track_reads import iter_track_rows

PAGE = 500  # activities a page: the summaries ride along as JSON

README = """\
Your data as kept by this stravasync mirror (athlete {athlete_id}), made {made}.

activities.jsonl   one activity per line: every field Strava sent for it, as last seen
activities.csv     the same activities as a table (one typed column per field)
details.jsonl      the full activity documents (laps, splits, segment and best efforts)
gear.json          your bikes and shoes (name, brand, model, distance, retired or not)
streams/           per activity, the recorded streams (time, position, heart rate, ...)
gpx/               per activity with a track, a GPX 1.1 file (from its streams, else from
                   its route line: the file's description says which)
originals/         the device files (FIT, GPX, TCX) of an imported Strava account export
manifest.json      how many of each this archive holds
"""


def _json(value: Any) -> str:
    def default(obj: Any) -> Any:
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        if isinstance(obj, bytes):
            return None
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)


class _Archive:
    """The entries of one athlete's archive, counted as they are written."""

    def __init__(self, conn: Connection, athlete_id: int, now: datetime) -> None:
        self.conn = conn
        self.athlete_id = athlete_id
        self.now = now
        self.counts: dict[str, int] = {}

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def activities_jsonl(self) -> Iterator[bytes]:
        for row in iter_activities(
            self.conn, athlete_id=self.athlete_id, include_hidden=True, page_rows=PAGE
        ):
            self._count("activities")
            yield (_json(jsonl_object(row)) + "\n").encode("utf-8")

    def activities_csv(self) -> Iterator[bytes]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(names(ACTIVITIES))
        for row in iter_activities(
            self.conn, athlete_id=self.athlete_id, include_hidden=True, page_rows=PAGE
        ):
            writer.writerow(
                [
                    "" if v is None else v.isoformat() if isinstance(v, datetime) else v
                    for v in activity_row(row).values()
                ]
            )
            if buf.tell() >= CHUNK:
                yield buf.getvalue().encode("utf-8")
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue().encode("utf-8")

    def details_jsonl(self) -> Iterator[bytes]:
        for doc in iter_detail_docs(self.conn, athlete_id=self.athlete_id):
            self._count("details")
            yield (_json(doc) + "\n").encode("utf-8")

    def tracks(self) -> Iterator[Entry]:
        """Per activity: its streams (where fetched) and its GPX (where it has a track); the
        streams are read once for both."""
        rows = iter_track_rows(self.conn, athlete_id=self.athlete_id, include_hidden=True)
        for info in rows:
            streams = streams_of(self.conn, info.id)
            if streams:
                self._count("streams")
                stem = file_name(info, "gpx").removesuffix(".gpx")
                body = _json({"activity_id": info.id, "streams": streams}).encode("utf-8")
                yield Entry(f"streams/{stem}.json", [body])
            track = build_track(streams, info.polyline, info.start_date)
            made = render(info, track, "gpx") if track is not None else None
            if made is not None:
                self._count(f"gpx_from_{made.source}")
                yield Entry(f"gpx/{made.name}", [made.data])

    def originals(self) -> Iterator[Entry]:
        infos = list_originals(self.conn, self.athlete_id)
        for original in iter_data(self.conn, infos):
            self._count("originals")
            gz = original.info.compression == "gzip"
            yield Entry(f"originals/{original.info.file_name}", [original.data], compress=not gz)

    def entries(self) -> Iterator[Entry]:
        profile = athlete_rows(self.conn, self.athlete_id, include_hidden=True)
        made = self.now.isoformat()
        yield Entry("README.txt", [README.format(athlete_id=self.athlete_id, made=made).encode()])
        yield Entry("athlete.json", [_json(profile[0] if profile else {}).encode("utf-8")])
        yield Entry("activities.jsonl", self.activities_jsonl(), large=True)
        yield Entry("activities.csv", self.activities_csv(), large=True)
        yield Entry("details.jsonl", self.details_jsonl(), large=True)
        bikes_and_shoes = gear_of(self.conn, self.athlete_id)
        self.counts["gear"] = len(bikes_and_shoes)
        yield Entry("gear.json", [_json(bikes_and_shoes).encode("utf-8")])
        yield from self.tracks()
        yield from self.originals()
        manifest = {"athlete_id": self.athlete_id, "made_at": made, "counts": self.counts}
        yield Entry("manifest.json", [_json(manifest).encode("utf-8")])


def iter_athlete_zip(
    db: Database, athlete_id: int, *, now: datetime, chunk: int = CHUNK
) -> Iterator[bytes]:
    """One athlete's data as a zip, in chunks of about ``chunk`` bytes (see the module doc).

    The store is read in one snapshot while the chunks are taken: a caller that stops early
    (a client gone) closes the generator and with it the connection."""
    with db.snapshot() as conn:
        yield from zip_chunks(_Archive(conn, athlete_id, now).entries(), now, chunk)


def athlete_zip_name(athlete_id: int, now: datetime) -> str:
    """A download's file name: ``stravasync-<athlete id>-<YYYY-MM-DD>.zip``."""
    return f"stravasync-{athlete_id}-{now.strftime('%Y-%m-%d')}.zip"
