"""The facts the refresh cadence is fitted to: athletes by heat, a history owed (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from stravasync.store import Database, heat
from stravasync.store import athletes as athletes_q
from stravasync.store.schema import athletes, sync_state

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def _athlete(db: Database, athlete_id: int, **state: object) -> None:
    with db.transaction() as conn:
        athletes_q.upsert_athlete(
            conn, athlete_id=athlete_id, profile={}, scopes="read,activity:read_all", now=NOW
        )
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == athlete_id)
            .values(**{"backfill_done": True, **state})
        )


def test_athletes_by_heat_and_the_history_owed(db: Database) -> None:
    _athlete(db, 1, last_activity_at=NOW - timedelta(hours=3))
    _athlete(db, 2, last_activity_at=NOW - timedelta(days=3))
    _athlete(db, 3, last_activity_at=NOW - timedelta(days=40))
    _athlete(db, 4)  # never active
    _athlete(db, 5, last_activity_at=NOW - timedelta(hours=1))
    with db.transaction() as conn:  # opted out: not the scheduler's to refresh
        conn.execute(update(athletes).where(athletes.c.id == 5).values(auto_sync=False))
    with db.engine.connect() as conn:
        assert heat.heat_counts(conn, NOW, hot_hours=48, active_days=7) == (1, 1, 2)
        assert not heat.history_owed(conn, NOW, slice_size=50)
    # a recent connect with more details owed than one pass fetches: a history
    _athlete(db, 6, enrich_pending=True, activity_count=3000, first_synced_at=NOW)
    with db.engine.connect() as conn:
        assert heat.history_owed(conn, NOW, slice_size=50)
        assert not heat.history_owed(conn, NOW + timedelta(days=15), slice_size=50)
    # a summary history owed
    _athlete(db, 7, backfill_done=False)
    with db.engine.connect() as conn:
        assert heat.history_owed(conn, NOW + timedelta(days=15), slice_size=50)
