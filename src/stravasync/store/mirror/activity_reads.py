"""Reads and annotation writes behind the data API (the owning app's view of the mirror)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from stravasync.store.schema import activities, activity_annotations, activity_details
from stravasync.store.upsert import upsert_rows


def list_activities(
    conn: Connection,
    athlete_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    sport: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Live (not deleted) activities, newest first; page with ``after_id`` (keyset on id desc
    within start_date desc is awkward, so pages are ordered by id descending)."""
    stmt = select(activities).where(
        activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)
    )
    if since is not None:
        stmt = stmt.where(activities.c.start_date >= since)
    if until is not None:
        stmt = stmt.where(activities.c.start_date < until)
    if sport is not None:
        stmt = stmt.where(activities.c.sport_type == sport)
    if after_id is not None:
        stmt = stmt.where(activities.c.id < after_id)
    stmt = stmt.order_by(activities.c.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def get_activity(conn: Connection, activity_id: int) -> dict[str, Any] | None:
    """A live activity row, or None (unknown or deleted)."""
    row = (
        conn.execute(
            select(activities).where(
                activities.c.id == activity_id, activities.c.deleted_at.is_(None)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def get_detail(conn: Connection, activity_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(select(activity_details).where(activity_details.c.activity_id == activity_id))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def get_annotations(conn: Connection, activity_id: int) -> dict[str, str]:
    stmt = select(activity_annotations.c.key, activity_annotations.c.value).where(
        activity_annotations.c.activity_id == activity_id
    )
    return {str(k): str(v) for k, v in conn.execute(stmt)}


def replace_annotations(
    conn: Connection, activity_id: int, values: dict[str, str], *, now: datetime
) -> None:
    """Make the activity's annotations exactly ``values``."""
    conn.execute(
        activity_annotations.delete().where(activity_annotations.c.activity_id == activity_id)
    )
    rows = [
        {"activity_id": activity_id, "key": k, "value": v, "updated_at": now}
        for k, v in values.items()
    ]
    if rows:
        upsert_rows(conn, activity_annotations, rows, key=["activity_id", "key"])
