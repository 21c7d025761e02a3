"""Activity streams: write what Strava answered, read it back as Strava's arrays.

Strava answers ``GET /activities/{id}/streams?key_by_type=true`` with one object per stream
type (``{"time": {"data": [...], "series_type": "distance", "original_size": 4321,
"resolution": "high"}, ...}``; without ``key_by_type`` a list of such objects with a ``type``).
Only Strava's eleven stream types are kept (``STREAM_KEYS``), each packed in its own column
(:mod:`stravasync.store.mirror.streampack`); anything else in the answer is dropped. A stream longer
than ``streampack.MAX_SAMPLES`` is refused (named in :class:`StoredStreams`), the others kept.

Rows go with the activity: deleted when it is tombstoned or removed, and with the athlete on
purge (``store/mirror/activities.py``, ``store/people/purge.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, select

from stravasync.store.mirror.streampack import StreamTooLong, pack, unpack
from stravasync.store.schema import activities, activity_streams
from stravasync.store.tables.streams import STREAM_KEYS
from stravasync.store.upsert import upsert_rows

CHUNK = 900
_META_LEN = 16  # resolution and series_type columns


@dataclass(frozen=True, slots=True)
class StoredStreams:
    """What :func:`store_streams` kept: stream types, samples of the longest, and the types
    refused as too long (type -> samples)."""

    kept: tuple[str, ...]
    samples: int
    refused: dict[str, int] = field(default_factory=dict)


def by_type(raw: Any) -> dict[str, Mapping[str, Any]]:
    """Strava's answer as ``{type: stream object}`` for the known types whose data is a list."""
    if isinstance(raw, list):
        raw = {s.get("type"): s for s in raw if isinstance(s, Mapping)}
    if not isinstance(raw, Mapping):
        return {}
    out: dict[str, Mapping[str, Any]] = {}
    for key in STREAM_KEYS:
        stream = raw.get(key)
        if isinstance(stream, Mapping) and isinstance(stream.get("data"), list):
            out[key] = stream
    return out


def _text(value: Any) -> str | None:
    return value[:_META_LEN] if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31
    return int(value) if ok else None


def packed_row(
    activity_id: int, athlete_id: int, raw: Any, now: datetime
) -> tuple[dict[str, Any], StoredStreams]:
    """The ``activity_streams`` row of Strava's answer (pure; the migration uses it too)."""
    streams = by_type(raw)
    row: dict[str, Any] = {key: None for key in STREAM_KEYS}
    refused: dict[str, int] = {}
    for key, stream in streams.items():
        try:
            row[key] = pack(key, stream["data"])
        except StreamTooLong as exc:
            refused[key] = exc.samples
    kept = tuple(k for k in STREAM_KEYS if row[k] is not None)
    first = next((streams[k] for k in kept), {})
    samples = max((len(streams[k]["data"]) for k in kept), default=0)
    row.update(
        activity_id=activity_id,
        athlete_id=athlete_id,
        samples=samples,
        resolution=_text(first.get("resolution")),
        series_type=_text(first.get("series_type")),
        original_size=_count(first.get("original_size")),
        fetched_at=now,
    )
    return row, StoredStreams(kept, samples, refused)


def unpacked(row: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The stream arrays of a stored row, by Strava's type names (types absent: left out)."""
    return {key: unpack(row[key]) for key in STREAM_KEYS if row.get(key) is not None}


def store_streams(
    conn: Connection, activity_id: int, athlete_id: int, raw: Any, now: datetime
) -> StoredStreams:
    """Keep Strava's streams answer for an activity (replacing any earlier one)."""
    row, stored = packed_row(activity_id, athlete_id, raw, now)
    upsert_rows(conn, activity_streams, [row], key=["activity_id"])
    return stored


def read_streams(conn: Connection, activity_id: int) -> dict[str, list[Any]] | None:
    """The activity's streams as Strava's arrays (``{"time": [0, 1, ...], "latlng": [[lat,
    lng], ...], ...}``, only the types it has), or None when none are stored."""
    row = (
        conn.execute(select(activity_streams).where(activity_streams.c.activity_id == activity_id))
        .mappings()
        .first()
    )
    return unpacked(dict(row)) if row is not None else None


def fetched_at(conn: Connection, activity_id: int) -> datetime | None:
    """When the activity's stored streams were fetched (None: none stored)."""
    stmt = select(activity_streams.c.fetched_at).where(
        activity_streams.c.activity_id == activity_id
    )
    value: datetime | None = conn.execute(stmt).scalar()
    return value


def delete_streams(conn: Connection, activity_ids: Iterable[int]) -> int:
    """Delete the streams of these activities; rows removed."""
    ids, n = list(activity_ids), 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        n += int(
            conn.execute(
                delete(activity_streams).where(activity_streams.c.activity_id.in_(chunk))
            ).rowcount
        )
    return n


def streams_missing(
    conn: Connection,
    athlete_id: int,
    *,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
    activity_ids: list[int] | None = None,
) -> list[int]:
    """Live activities (started in ``[since, until)``, or among ``activity_ids``) whose detail
    is stored but whose streams are not; newest first, at most ``limit``."""
    cond = [
        activities.c.athlete_id == athlete_id,
        activities.c.deleted_at.is_(None),
        activities.c.detail_fetched_at.is_not(None),
        activity_streams.c.activity_id.is_(None),
    ]
    if since is not None:
        cond.append(activities.c.start_date >= since)
    if until is not None:
        cond.append(activities.c.start_date < until)
    if activity_ids is not None:
        cond.append(activities.c.id.in_(activity_ids))
    stmt = (
        select(activities.c.id)
        .select_from(
            activities.outerjoin(
                activity_streams, activity_streams.c.activity_id == activities.c.id
            )
        )
        .where(and_(*cond))
        .order_by(activities.c.start_date.desc(), activities.c.id.desc())
        .limit(limit)
    )
    return [int(i) for i in conn.execute(stmt).scalars()]
