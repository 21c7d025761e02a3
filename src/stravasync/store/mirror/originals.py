"""Original activity files kept from an account export: store, read, list, delete.

One row per activity (keyed by activity and athlete), holding the bytes exactly as the export
had them (a ``.fit.gz`` stays gzipped) with their name, media type, compression, size and
SHA-256. Rows go with the activity: deleted when it is tombstoned or removed, and with the
athlete on purge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select

from stravasync.store.schema import activity_originals
from stravasync.store.upsert import upsert_rows

CHUNK = 900
MEDIA_TYPES = {
    "fit": "application/vnd.ant.fit",
    "gpx": "application/gpx+xml",
    "tcx": "application/vnd.garmin.tcx+xml",
}


@dataclass(frozen=True, slots=True)
class OriginalInfo:
    """An original file's description (no bytes)."""

    activity_id: int
    athlete_id: int
    name: str
    media_type: str
    compression: str | None
    size: int
    sha256: str
    stored_at: datetime

    @property
    def kind(self) -> str:
        return next((k for k, v in MEDIA_TYPES.items() if v == self.media_type), "bin")

    @property
    def file_name(self) -> str:
        """A stable name: ``<activity id>.<fit|gpx|tcx>`` plus ``.gz`` when kept gzipped."""
        return f"{self.activity_id}.{self.kind}" + (".gz" if self.compression == "gzip" else "")

    @property
    def served_type(self) -> str:
        """The media type of the bytes as stored (gzip when compressed)."""
        return "application/gzip" if self.compression == "gzip" else self.media_type


@dataclass(frozen=True, slots=True)
class Original:
    info: OriginalInfo
    data: bytes


def describe(
    activity_id: int, athlete_id: int, name: str, kind: str, data: bytes, now: datetime
) -> Original:
    """An :class:`Original` for bytes as the export held them (``kind``: fit, gpx or tcx)."""
    return Original(
        OriginalInfo(
            activity_id=activity_id,
            athlete_id=athlete_id,
            name=name,
            media_type=MEDIA_TYPES[kind],
            compression="gzip" if name.lower().endswith(".gz") else None,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            stored_at=now,
        ),
        data,
    )


def put_originals(conn: Connection, originals: Iterable[Original]) -> int:
    """Insert or replace each activity's original; rows written."""
    rows = [
        {
            "activity_id": o.info.activity_id,
            "athlete_id": o.info.athlete_id,
            "name": o.info.name,
            "media_type": o.info.media_type,
            "compression": o.info.compression,
            "size": o.info.size,
            "sha256": o.info.sha256,
            "data": o.data,
            "stored_at": o.info.stored_at,
        }
        for o in originals
    ]
    return upsert_rows(conn, activity_originals, rows, key=("activity_id", "athlete_id"))


_INFO = (
    activity_originals.c.activity_id,
    activity_originals.c.athlete_id,
    activity_originals.c.name,
    activity_originals.c.media_type,
    activity_originals.c.compression,
    activity_originals.c.size,
    activity_originals.c.sha256,
    activity_originals.c.stored_at,
)


def _info(row: object) -> OriginalInfo:
    m = row._mapping  # type: ignore[attr-defined]
    return OriginalInfo(
        activity_id=int(m["activity_id"]),
        athlete_id=int(m["athlete_id"]),
        name=str(m["name"]),
        media_type=str(m["media_type"]),
        compression=m["compression"],
        size=int(m["size"]),
        sha256=str(m["sha256"]),
        stored_at=m["stored_at"],
    )


def get_original(conn: Connection, activity_id: int) -> Original | None:
    row = conn.execute(
        select(*_INFO, activity_originals.c.data).where(
            activity_originals.c.activity_id == activity_id
        )
    ).first()
    return Original(_info(row), bytes(row.data)) if row is not None else None


def list_originals(conn: Connection, athlete_id: int | None = None) -> list[OriginalInfo]:
    """Descriptions of the kept originals (one athlete's, or all), by athlete then activity."""
    stmt = select(*_INFO).order_by(
        activity_originals.c.athlete_id, activity_originals.c.activity_id
    )
    if athlete_id is not None:
        stmt = stmt.where(activity_originals.c.athlete_id == athlete_id)
    return [_info(row) for row in conn.execute(stmt)]


def iter_data(conn: Connection, infos: list[OriginalInfo]) -> Iterator[Original]:
    """The bytes of the given originals, a chunk of rows at a time."""
    for start in range(0, len(infos), 50):
        chunk = {i.activity_id: i for i in infos[start : start + 50]}
        stmt = select(activity_originals.c.activity_id, activity_originals.c.data).where(
            activity_originals.c.activity_id.in_(list(chunk))
        )
        for row in conn.execute(stmt):
            yield Original(chunk[int(row.activity_id)], bytes(row.data))


def delete_originals(conn: Connection, activity_ids: Iterable[int]) -> int:
    ids = list(activity_ids)
    removed = 0
    for start in range(0, len(ids), CHUNK):
        removed += conn.execute(
            delete(activity_originals).where(
                activity_originals.c.activity_id.in_(ids[start : start + CHUNK])
            )
        ).rowcount
    return removed


def purge_originals(conn: Connection, athlete_id: int) -> int:
    return conn.execute(
        delete(activity_originals).where(activity_originals.c.athlete_id == athlete_id)
    ).rowcount
