"""Streaming reads for exports: keyset pages by id, so memory stays flat at any size.

Each page is its own short query (``id > last ORDER BY id LIMIT n``): it works alike on SQLite
and PostgreSQL, holds no server cursor open, and never loads the whole table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from stravasync.store.mirror.streams import unpacked
from stravasync.store.schema import (
    activities,
    activity_details,
    activity_streams,
    athletes,
    gear,
)

PAGE_ROWS = 2000
DETAIL_PAGE_ROWS = 200  # detail rows carry laps/splits/efforts JSON: smaller pages
STREAM_PAGE_ROWS = 10  # a long ride's packed streams are ~150 KB, unpacked tens of MB of objects

_ACTIVITY_COLUMNS = [c for c in activities.c if c.name != "deleted_at"]


def _live(athlete_id: int | None, include_hidden: bool) -> list[ColumnElement[bool]]:
    """Live rows (of one athlete); an athlete an operator hid only with ``include_hidden``."""
    cond: list[ColumnElement[bool]] = [activities.c.deleted_at.is_(None)]
    if athlete_id is not None:
        cond.append(activities.c.athlete_id == athlete_id)
    if not include_hidden:
        hidden = select(athletes.c.id).where(athletes.c.hidden.is_(True))
        cond.append(activities.c.athlete_id.not_in(hidden))
    return cond


def hidden_ids(conn: Connection) -> list[int]:
    """Athletes left out of exports unless ``include_hidden`` (a warehouse rebuilds when the
    set it was built with changes)."""
    stmt = select(athletes.c.id).where(athletes.c.hidden.is_(True)).order_by(athletes.c.id)
    return [int(i) for i in conn.execute(stmt).scalars()]


def _changed(
    cond: list[ColumnElement[bool]], changed_since: datetime | None
) -> list[ColumnElement[bool]]:
    if changed_since is None:
        return cond
    changed = or_(
        activities.c.updated_at >= changed_since,
        activities.c.detail_fetched_at >= changed_since,
    )
    return [*cond, changed]


def count_activities(
    conn: Connection,
    *,
    athlete_id: int | None = None,
    changed_since: datetime | None = None,
    include_hidden: bool = False,
) -> int:
    """How many rows :func:`iter_activities` yields with the same arguments (one COUNT, in
    the caller's snapshot: an export's progress total)."""
    cond = _changed(_live(athlete_id, include_hidden), changed_since)
    stmt = select(func.count()).select_from(activities).where(and_(*cond))
    return int(conn.execute(stmt).scalar() or 0)


def iter_activities(
    conn: Connection,
    *,
    athlete_id: int | None = None,
    changed_since: datetime | None = None,
    page_rows: int = PAGE_ROWS,
    include_hidden: bool = False,
) -> Iterator[dict[str, Any]]:
    """Live activities by id (with description and calories from their details, if any).

    ``changed_since``: only rows updated, or whose details were fetched, at or after it.
    """
    cond = _changed(_live(athlete_id, include_hidden), changed_since)
    base = select(
        *_ACTIVITY_COLUMNS, activity_details.c.description, activity_details.c.calories
    ).select_from(
        activities.outerjoin(activity_details, activity_details.c.activity_id == activities.c.id)
    )
    last = None
    while True:
        page_cond = cond if last is None else [*cond, activities.c.id > last]
        stmt = base.where(and_(*page_cond)).order_by(activities.c.id).limit(page_rows)
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def iter_details(
    conn: Connection,
    *,
    athlete_id: int | None = None,
    fetched_since: datetime | None = None,
    page_rows: int = DETAIL_PAGE_ROWS,
    include_hidden: bool = False,
) -> Iterator[dict[str, Any]]:
    """Stored details of live activities (JSON columns + ``athlete_id``), by activity id."""
    cond = _live(athlete_id, include_hidden)
    if fetched_since is not None:
        cond.append(activity_details.c.fetched_at >= fetched_since)
    base = select(
        activity_details.c.activity_id,
        activities.c.athlete_id,
        activity_details.c.laps_json,
        activity_details.c.splits_metric_json,
        activity_details.c.splits_standard_json,
        activity_details.c.segment_efforts_json,
    ).select_from(
        activity_details.join(activities, activities.c.id == activity_details.c.activity_id)
    )
    last = None
    while True:
        # keyset on activities.id (same value): SQLite walks ix_activities_athlete_id in order
        page_cond = cond if last is None else [*cond, activities.c.id > last]
        stmt = base.where(and_(*page_cond)).order_by(activities.c.id)
        rows = [dict(r) for r in conn.execute(stmt.limit(page_rows)).mappings()]
        if not rows:
            return
        yield from rows
        last = rows[-1]["activity_id"]


@dataclass(frozen=True, slots=True)
class ActivityStreams:
    activity_id: int
    athlete_id: int
    streams: dict[str, list[Any]]  # read_streams's arrays


def iter_streams(
    conn: Connection,
    *,
    athlete_id: int | None = None,
    fetched_since: datetime | None = None,
    page_rows: int = STREAM_PAGE_ROWS,
    include_hidden: bool = False,
) -> Iterator[ActivityStreams]:
    """The stored streams of live activities by activity id, unpacked one activity at a time
    (pages of ``page_rows`` packed rows). ``fetched_since``: only streams fetched since."""
    cond = _live(athlete_id, include_hidden)
    if fetched_since is not None:
        cond.append(activity_streams.c.fetched_at >= fetched_since)
    base = select(activity_streams).select_from(
        activity_streams.join(activities, activities.c.id == activity_streams.c.activity_id)
    )
    last = None
    while True:
        page_cond = cond if last is None else [*cond, activities.c.id > last]
        stmt = base.where(and_(*page_cond)).order_by(activities.c.id).limit(page_rows)
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        if not rows:
            return
        for row in rows:
            yield ActivityStreams(int(row["activity_id"]), int(row["athlete_id"]), unpacked(row))
        last = rows[-1]["activity_id"]


def iter_live_ids(
    conn: Connection,
    *,
    athlete_id: int | None = None,
    page_rows: int = 20000,
    include_hidden: bool = False,
) -> Iterator[list[int]]:
    """Pages of live activity ids (for removing what the store no longer holds)."""
    cond = _live(athlete_id, include_hidden)
    last = None
    while True:
        page_cond = cond if last is None else [*cond, activities.c.id > last]
        stmt = select(activities.c.id).where(and_(*page_cond)).order_by(activities.c.id)
        ids = [int(i) for i in conn.execute(stmt.limit(page_rows)).scalars()]
        if not ids:
            return
        yield ids
        last = ids[-1]


def athletes_with_activities(
    conn: Connection, athlete_id: int | None = None, *, include_hidden: bool = False
) -> list[int]:
    stmt = select(activities.c.athlete_id).where(and_(*_live(athlete_id, include_hidden)))
    stmt = stmt.distinct()
    return sorted(int(a) for a in conn.execute(stmt).scalars())


def athlete_rows(
    conn: Connection, athlete_id: int | None = None, *, include_hidden: bool = False
) -> list[dict[str, Any]]:
    """Athletes without secrets (no tokens, scopes or raw profile)."""
    stmt = select(
        athletes.c.id,
        athletes.c.username,
        athletes.c.firstname,
        athletes.c.lastname,
        athletes.c.status,
        athletes.c.timezone,
        athletes.c.connected_at,
        athletes.c.deauthorized_at,
    ).order_by(athletes.c.id)
    if athlete_id is not None:
        stmt = stmt.where(athletes.c.id == athlete_id)
    if not include_hidden:
        stmt = stmt.where(athletes.c.hidden.is_(False))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def gear_rows(
    conn: Connection, athlete_id: int | None = None, *, include_hidden: bool = False
) -> list[dict[str, Any]]:
    """The athletes' bikes and shoes (no raw JSON), by athlete and gear id."""
    stmt = select(*(c for c in gear.c if c.name not in ("raw_json", "detailed"))).order_by(
        gear.c.athlete_id, gear.c.id
    )
    if athlete_id is not None:
        stmt = stmt.where(gear.c.athlete_id == athlete_id)
    if not include_hidden:
        hidden = select(athletes.c.id).where(athletes.c.hidden.is_(True))
        stmt = stmt.where(gear.c.athlete_id.not_in(hidden))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def newest_marks(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """``(max activities.updated_at, max activity_details.fetched_at)``: export watermarks."""
    a = conn.execute(select(func.max(activities.c.updated_at))).scalar()
    d = conn.execute(select(func.max(activity_details.c.fetched_at))).scalar()
    return a, d


def iter_detail_docs(
    conn: Connection, *, athlete_id: int, page_rows: int = 100
) -> Iterator[dict[str, Any]]:
    """One athlete's stored details (the raw DetailedActivity, with laps, splits and efforts)
    of live activities, by activity id: ``{activity_id, fetched_at, detail}``."""
    cond = [activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)]
    base = select(
        activities.c.id, activity_details.c.fetched_at, activity_details.c.detail_json
    ).select_from(
        activity_details.join(activities, activities.c.id == activity_details.c.activity_id)
    )
    last = None
    while True:
        page_cond = cond if last is None else [*cond, activities.c.id > last]
        stmt = base.where(and_(*page_cond)).order_by(activities.c.id).limit(page_rows)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        for row in rows:
            yield {"activity_id": row.id, "fetched_at": row.fetched_at, "detail": row.detail_json}
        last = rows[-1].id


def newest_streams_mark(conn: Connection) -> datetime | None:
    """``max activity_streams.fetched_at``: the streams' export watermark."""
    value: datetime | None = conn.execute(select(func.max(activity_streams.c.fetched_at))).scalar()
    return value
