"""The facts the refresh cadence is fitted to (:mod:`stravasync.sync.planning.refresh_cadence`): how
many athletes synced automatically were active how recently, and whether a history is owed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, func, select

from stravasync.store.pending.syncstate import athlete_active, backfill_owed
from stravasync.store.schema import activities, sync_state

HISTORY_DAYS = 14  # an athlete connected this recently with details owed is fetching a history
CANDIDATES = 50  # recently connected athletes with details pending looked at, newest first


def heat_counts(
    conn: Connection, now: datetime, *, hot_hours: float, active_days: float
) -> tuple[int, int, int]:
    """(hot, warm, cold): athletes synced automatically whose newest activity started within
    ``hot_hours``, within ``active_days``, or earlier (or never)."""
    last = sync_state.c.last_activity_at
    hot_since = now - timedelta(hours=hot_hours)
    warm_since = now - timedelta(days=active_days)
    stmt = select(
        func.sum(case((last >= hot_since, 1), else_=0)),
        func.sum(case((and_(last < hot_since, last >= warm_since), 1), else_=0)),
        func.count(),
    ).where(sync_state.c.dead.is_(False), athlete_active(auto=True))
    hot, warm, total = conn.execute(stmt).one()
    hot, warm, total = int(hot or 0), int(warm or 0), int(total or 0)
    return hot, warm, max(0, total - hot - warm)


def history_owed(
    conn: Connection, now: datetime, *, slice_size: int, window: timedelta | None = None
) -> bool:
    """A summary history is owed, or a recently connected athlete still lacks more details
    (of activities started within ``window``, None: all) than one enrich pass fetches.

    Only the details never fetched count: an athlete with a long history whose details are all
    in, and a few recent ones pending (a new upload, a settle re-fetch), owes no history."""
    if backfill_owed(conn):
        return True
    stmt = (
        select(sync_state.c.athlete_id)
        .where(
            sync_state.c.enrich_pending.is_(True),
            sync_state.c.dead.is_(False),
            sync_state.c.first_synced_at >= now - timedelta(days=HISTORY_DAYS),
            sync_state.c.activity_count > slice_size,
            athlete_active(auto=True),
        )
        .order_by(sync_state.c.first_synced_at.desc())
        .limit(CANDIDATES)
    )
    return any(
        _details_missing(conn, athlete_id, now, window, more_than=slice_size)
        for athlete_id in conn.execute(stmt).scalars()
    )


def _details_missing(
    conn: Connection, athlete_id: int, now: datetime, window: timedelta | None, *, more_than: int
) -> bool:
    cond = [
        activities.c.athlete_id == athlete_id,
        activities.c.deleted_at.is_(None),
        activities.c.detail_fetched_at.is_(None),
    ]
    if window is not None:
        cond.append(activities.c.start_date >= now - window)
    missing = select(activities.c.id).where(*cond).limit(more_than + 1).subquery()
    return int(conn.execute(select(func.count()).select_from(missing)).scalar_one()) > more_than
