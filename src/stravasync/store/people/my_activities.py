"""The athlete's own activities as their signed-in pages read them: a filtered keyset page, one
activity with its detail, and every route's polyline for the heatmap.

Every query is bound to the ``athlete_id`` the caller took from the session: an activity of
someone else reads as missing (None), exactly like an unknown id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from stravasync.store.tables.activities import activities, activity_details


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    sport: str | None = None
    since: datetime | None = None  # start_date >= since (UTC)
    until: datetime | None = None  # start_date < until (UTC)
    search: str | None = None  # a substring of the name, case-insensitive


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: tuple[datetime, int] | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def page(
    conn: Connection,
    athlete_id: int,
    filters: ActivityFilter,
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> Page:
    """Live activities newest first (start, then id), ``limit`` of them after the cursor
    ``before`` = (start_date, id) of the last row of the previous page."""
    cols = [
        activities.c.id,
        activities.c.name,
        activities.c.sport_type,
        activities.c.start_date,
        activities.c.start_date_local,
        activities.c.distance,
        activities.c.moving_time,
        activities.c.total_elevation_gain,
        activities.c.average_heartrate,
    ]
    stmt = select(*cols).where(
        activities.c.athlete_id == athlete_id,
        activities.c.deleted_at.is_(None),
        activities.c.start_date.is_not(None),
    )
    if filters.sport:
        stmt = stmt.where(activities.c.sport_type == filters.sport)
    if filters.since is not None:
        stmt = stmt.where(activities.c.start_date >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(activities.c.start_date < filters.until)
    if filters.search:
        pattern = f"%{_escape_like(filters.search.lower())}%"
        stmt = stmt.where(func.lower(activities.c.name).like(pattern, escape="\\"))
    if before is not None:
        start, act_id = before
        stmt = stmt.where(
            or_(
                activities.c.start_date < start,
                and_(activities.c.start_date == start, activities.c.id < act_id),
            )
        )
    stmt = stmt.order_by(activities.c.start_date.desc(), activities.c.id.desc()).limit(limit + 1)
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = (rows[-1]["start_date"], int(rows[-1]["id"])) if more and rows else None
    return Page(items=rows, next_cursor=cursor)


def sports(conn: Connection, athlete_id: int) -> list[str]:
    """The sport types the athlete has live activities in (for the filter's choices)."""
    stmt = (
        select(activities.c.sport_type)
        .where(
            activities.c.athlete_id == athlete_id,
            activities.c.deleted_at.is_(None),
            activities.c.sport_type.is_not(None),
        )
        .group_by(activities.c.sport_type)
        .order_by(activities.c.sport_type)
    )
    return [str(s) for s in conn.execute(stmt).scalars()]


def one(conn: Connection, athlete_id: int, activity_id: int) -> dict[str, Any] | None:
    """The athlete's live activity with its detail columns (``detail_*`` None when not
    fetched), or None when unknown, deleted or someone else's."""
    stmt = (
        select(
            activities,
            activity_details.c.detail_json,
            activity_details.c.laps_json,
            activity_details.c.splits_metric_json,
            activity_details.c.splits_standard_json,
            activity_details.c.best_efforts_json,
            activity_details.c.description,
            activity_details.c.calories,
        )
        .select_from(
            activities.outerjoin(
                activity_details, activity_details.c.activity_id == activities.c.id
            )
        )
        .where(
            activities.c.id == activity_id,
            activities.c.athlete_id == athlete_id,
            activities.c.deleted_at.is_(None),
        )
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def polylines(conn: Connection, athlete_id: int, *, limit: int) -> list[str]:
    """The summary polylines of the newest ``limit`` live activities that have one."""
    stmt = (
        select(activities.c.summary_json)
        .where(activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None))
        .order_by(activities.c.start_date.desc(), activities.c.id.desc())
    )
    out: list[str] = []
    for raw in conn.execute(stmt.execution_options(yield_per=500)).scalars():
        line = ((raw or {}).get("map") or {}).get("summary_polyline")
        if isinstance(line, str) and line:
            out.append(line)
            if len(out) >= limit:
                break
    return out
