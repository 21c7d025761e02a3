"""Stored details against newer summaries, and which details an enrich pass fetches.

The decisions are :mod:`stravasync.store.mirror.detail_freshness`'s; this module only reads and
writes: counters copied into the stored detail, ``detail_stale_at`` set on a stale one, and
the selection of the activities whose detail is due, newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, select, update

from stravasync.store.mirror.detail_freshness import DetailState, compare, detail_need
from stravasync.store.schema import activities, activity_details

_CHUNK = 500


def check_details(
    conn: Connection, summaries: Mapping[int, Mapping[str, Any]], now: datetime
) -> list[int]:
    """Compare newer summaries with the stored details of the same activities.

    Counters are copied into the detail; a detail-relevant difference marks it stale (the
    first time: ``detail_stale_at`` keeps when it went stale). Returns the ids newly stale.
    """
    ids = list(summaries)
    newly: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        stmt = (
            select(
                activity_details.c.activity_id,
                activity_details.c.detail_json,
                activities.c.detail_stale_at,
            )
            .join(activities, activities.c.id == activity_details.c.activity_id)
            .where(activity_details.c.activity_id.in_(chunk))
        )
        for row in conn.execute(stmt).all():
            detail = row.detail_json
            if not isinstance(detail, Mapping):
                continue
            check = compare(summaries[row.activity_id], detail)
            if check.align:
                conn.execute(
                    update(activity_details)
                    .where(activity_details.c.activity_id == row.activity_id)
                    .values(detail_json={**detail, **check.align})
                )
            if check.stale and row.detail_stale_at is None:
                conn.execute(
                    update(activities)
                    .where(activities.c.id == row.activity_id)
                    .values(detail_stale_at=now)
                )
                newly.append(row.activity_id)
    return newly


def detail_is_stale(conn: Connection, activity_id: int) -> bool:
    value = conn.execute(
        select(activities.c.detail_stale_at).where(activities.c.id == activity_id)
    ).scalar()
    return value is not None


def details_due(
    conn: Connection,
    athlete_id: int,
    now: datetime,
    *,
    limit: int,
    settle: timedelta,
    since: datetime | None = None,
    until: datetime | None = None,
    activity_ids: list[int] | None = None,
    forced_since: datetime | None = None,
) -> list[int]:
    """Live activities (started in ``[since, until)``, or among ``activity_ids``) whose
    detail is missing, stale, unsettled or, with ``forced_since``, not fetched since then;
    newest first, at most ``limit``."""
    cond = [activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)]
    if since is not None:
        cond.append(activities.c.start_date >= since)
    if until is not None:
        cond.append(activities.c.start_date < until)
    if activity_ids is not None:
        cond.append(activities.c.id.in_(activity_ids))
    stmt = (
        select(
            activities.c.id,
            activities.c.start_date,
            activities.c.elapsed_time,
            activities.c.detail_fetched_at,
            activities.c.detail_stale_at,
        )
        .where(and_(*cond))
        .order_by(activities.c.start_date.desc(), activities.c.id.desc())
    )
    out: list[int] = []
    for row in conn.execute(stmt):
        state = DetailState(
            row.start_date, row.elapsed_time, row.detail_fetched_at, row.detail_stale_at
        )
        if detail_need(state, now, settle=settle, forced_since=forced_since) is not None:
            out.append(row.id)
            if len(out) >= limit:
                break
    return out
