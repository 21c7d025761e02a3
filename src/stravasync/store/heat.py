"""The facts the refresh cadence is fitted to (:mod:`stravasync.sync.refresh_cadence`): how
many athletes synced automatically were active how recently, and whether a history is owed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, func, select

from stravasync.store.schema import sync_state
from stravasync.store.syncstate import athlete_active, backfill_owed

HISTORY_DAYS = 14  # an athlete connected this recently with details owed is fetching a history


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


def history_owed(conn: Connection, now: datetime, *, slice_size: int) -> bool:
    """A summary history is owed, or a recently connected athlete with more activities than
    one enrich pass fetches still waits for details (their history's details)."""
    if backfill_owed(conn):
        return True
    stmt = select(sync_state.c.athlete_id).where(
        sync_state.c.enrich_pending.is_(True),
        sync_state.c.dead.is_(False),
        sync_state.c.first_synced_at >= now - timedelta(days=HISTORY_DAYS),
        sync_state.c.activity_count > slice_size,
        athlete_active(auto=True),
    )
    return conn.execute(stmt.limit(1)).first() is not None
