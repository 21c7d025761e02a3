"""Reads behind the track files (GPX/TCX): an activity's track inputs, one or a keyset page.

A *track row* is what a file needs besides the streams: the activity's id, athlete, name,
sport, start, times and distance, the encoded polylines (the detail's full ``map.polyline``
and the summary's ``map.summary_polyline``) and the change marks an incremental export
compares (``updated_at``, ``detail_fetched_at``). Streams are read apart, one activity at a
time (they are the large part).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select

from stravasync.store.schema import activities, activity_details, athletes

PAGE_ROWS = 500  # a row carries two encoded polylines (a few KB at most)


@dataclass(frozen=True, slots=True)
class TrackRow:
    """One live activity's inputs to a track file (no streams)."""

    id: int
    athlete_id: int
    name: str
    sport_type: str
    start_date: datetime | None
    elapsed_time: int | None
    moving_time: int | None
    distance: float | None
    calories: float | None
    polyline: str | None  # the detail's full polyline, else the summary's
    updated_at: datetime
    detail_fetched_at: datetime | None

    @property
    def changed_mark(self) -> str:
        """What an incremental export compares: a new summary or a new detail changes it."""
        detail = self.detail_fetched_at.isoformat() if self.detail_fetched_at else "-"
        return f"{self.updated_at.isoformat()}|{detail}"


def _row(m: Any) -> TrackRow:
    return TrackRow(
        id=int(m["id"]),
        athlete_id=int(m["athlete_id"]),
        name=str(m["name"] or ""),
        sport_type=str(m["sport_type"] or m["type"] or ""),
        start_date=m["start_date"],
        elapsed_time=m["elapsed_time"],
        moving_time=m["moving_time"],
        distance=m["distance"],
        calories=m["calories"],
        polyline=m["detail_polyline"] or m["summary_polyline"] or None,
        updated_at=m["updated_at"],
        detail_fetched_at=m["detail_fetched_at"],
    )


_BASE = select(
    activities.c.id,
    activities.c.athlete_id,
    activities.c.name,
    activities.c.sport_type,
    activities.c.type,
    activities.c.start_date,
    activities.c.elapsed_time,
    activities.c.moving_time,
    activities.c.distance,
    activities.c.updated_at,
    activities.c.detail_fetched_at,
    activity_details.c.calories,
    # the polylines only, extracted in SQL (the JSON documents stay in the database)
    activity_details.c.detail_json["map"]["polyline"].as_string().label("detail_polyline"),
    activities.c.summary_json["map"]["summary_polyline"].as_string().label("summary_polyline"),
).select_from(
    activities.outerjoin(activity_details, activity_details.c.activity_id == activities.c.id)
)


def get_track_row(conn: Connection, activity_id: int) -> TrackRow | None:
    """A live activity's track row, or None (unknown or deleted)."""
    stmt = _BASE.where(activities.c.id == activity_id, activities.c.deleted_at.is_(None))
    found = conn.execute(stmt).mappings().first()
    return _row(found) if found is not None else None


def iter_track_rows(
    conn: Connection,
    *,
    athlete_id: int | None = None,
    include_hidden: bool = False,
    page_rows: int = PAGE_ROWS,
) -> Iterator[TrackRow]:
    """Live activities (of one athlete, or all) by id, in keyset pages (memory stays flat)."""
    cond: list[ColumnElement[bool]] = [activities.c.deleted_at.is_(None)]
    if athlete_id is not None:
        cond.append(activities.c.athlete_id == athlete_id)
    if not include_hidden:
        cond.append(
            activities.c.athlete_id.not_in(select(athletes.c.id).where(athletes.c.hidden.is_(True)))
        )
    last: int | None = None
    while True:
        page = cond if last is None else [*cond, activities.c.id > last]
        stmt = _BASE.where(and_(*page)).order_by(activities.c.id).limit(page_rows)
        rows = [_row(m) for m in conn.execute(stmt).mappings()]
        if not rows:
            return
        yield from rows
        last = rows[-1].id
