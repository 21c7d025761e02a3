"""The facts the refresh cadence is fitted to: athletes by heat, a history owed (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from stravasync.store import Database
from stravasync.store.mirror import activities as activities_q
from stravasync.store.pending import heat
from stravasync.store.people import athletes as athletes_q
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


def _history(db: Database, athlete_id: int, count: int, *, details: int) -> None:
    """``count`` activities, one a day back from NOW, the newest ``details`` with a detail."""
    raws = [
        {
            "id": athlete_id * 100_000 + n,
            "athlete": {"id": athlete_id},
            "name": f"act {n}",
            "sport_type": "Run",
            "start_date": (NOW - timedelta(days=n + 1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "elapsed_time": 1800,
        }
        for n in range(count)
    ]
    with db.transaction() as conn:
        activities_q.apply_summaries(conn, athlete_id, raws, NOW)
        for raw in raws[:details]:
            activities_q.store_detail(conn, int(raw["id"]), raw, NOW)


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
    _athlete(db, 6, enrich_pending=True, activity_count=120, first_synced_at=NOW)
    _history(db, 6, 120, details=69)
    with db.engine.connect() as conn:
        assert heat.history_owed(conn, NOW, slice_size=50)  # 51 details never fetched
        assert not heat.history_owed(conn, NOW + timedelta(days=15), slice_size=50)
        # only the details within the enrich window are owed: 50 of them
        assert not heat.history_owed(conn, NOW, slice_size=50, window=timedelta(days=119))
    _history(db, 6, 120, details=70)  # one detail more: 50 owed, one pass fetches them
    with db.engine.connect() as conn:
        assert not heat.history_owed(conn, NOW, slice_size=50)
    # a summary history owed
    _athlete(db, 7, backfill_done=False)
    with db.engine.connect() as conn:
        assert heat.history_owed(conn, NOW + timedelta(days=15), slice_size=50)
