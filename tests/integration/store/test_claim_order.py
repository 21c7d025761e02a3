"""The order in which due athletes are leased (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import sync_state

NOW = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)


def _athlete(db: Database, athlete_id: int, **state: object) -> None:
    with db.transaction() as conn:
        athletes_q.upsert_athlete(
            conn, athlete_id=athlete_id, profile={}, scopes="read,activity:read_all", now=NOW
        )
        conn.execute(
            update(sync_state).where(sync_state.c.athlete_id == athlete_id).values(**state)
        )


def _claim_all(db: Database) -> list[int]:
    order: list[int] = []
    while True:
        with db.transaction() as conn:
            row = syncstate.claim_due_athlete(
                conn, owner="w", now=NOW, lease_seconds=60, automatic=True
            )
        if row is None:
            return order
        order.append(int(row["athlete_id"]))


def test_first_pages_then_overdue_then_the_smallest_backfill(db: Database) -> None:
    released = NOW - timedelta(minutes=1)  # a budget reopening released these together
    started = {"backfill_before": 1_700_000_000, "due_at": released}
    _athlete(db, 1, activity_count=200, **started)  # a full newest page: more to come
    _athlete(db, 2, activity_count=37, **started)  # a short newest page: one call left
    _athlete(db, 3, activity_count=150, **started)
    _athlete(db, 4, due_at=NOW)  # still waiting for its newest page
    _athlete(db, 5, activity_count=900, **{**started, "due_at": NOW - timedelta(hours=1)})
    _athlete(db, 6, activity_count=5, backfill_done=True, due_at=released)  # not a backfill
    order = _claim_all(db)
    assert order[0] == 4  # breadth first: newest pages before anyone's older pages
    assert order[1] == 5  # then the longest overdue
    # equally due: other work first (it sorts as empty), then the smallest backfill first
    assert order[2:] == [6, 2, 3, 1]
