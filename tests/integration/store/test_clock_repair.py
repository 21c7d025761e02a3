"""What a process whose clock ran an hour ahead wrote is undone (issue 25), SQLite and PostgreSQL:
its due times and leases in ``sync_state``, its rate windows, and the deferrals they caused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import sync_state
from stravasync.strava.errors import BudgetExhausted
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.setup import repair_skewed_times

NOW = datetime(2026, 3, 10, 12, 7, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
LIMITS = Limits(overall_15min=40, overall_daily=1000, read_15min=30, read_daily=1000)


def _athlete(db: Database, athlete_id: int, **state: object) -> None:
    with db.transaction() as conn:
        athletes_q.upsert_athlete(
            conn, athlete_id=athlete_id, profile={}, scopes="read,activity:read_all", now=NOW
        )
        conn.execute(
            update(sync_state).where(sync_state.c.athlete_id == athlete_id).values(**state)
        )


def _state(db: Database, athlete_id: int) -> dict[str, object]:
    with db.engine.connect() as conn:
        row = syncstate.get_state(conn, athlete_id)
    assert row is not None
    return row


def test_due_times_and_leases_a_clock_ahead_wrote_move_back_by_its_lead(db: Database) -> None:
    ahead = NOW + HOUR
    _athlete(  # written by the fast process: next pass in 2 h of its time, lease held 20 s
        db,
        1,
        updated_at=ahead,
        due_at=ahead + 2 * HOUR,
        lease_owner="fast",
        lease_expires_at=ahead + timedelta(seconds=20),
        last_incremental_at=ahead,
    )
    _athlete(db, 2, updated_at=NOW - timedelta(minutes=1), due_at=NOW + 3 * HOUR)  # ours
    with db.transaction() as conn:
        assert syncstate.repair_future(conn, NOW, 5.0) == [1]
    fixed = _state(db, 1)
    assert fixed["due_at"] == NOW + 2 * HOUR
    assert fixed["lease_expires_at"] == NOW + timedelta(seconds=20)
    assert fixed["last_incremental_at"] == NOW and fixed["updated_at"] == NOW
    assert _state(db, 2)["due_at"] == NOW + 3 * HOUR  # a legitimate future due time stays
    with db.transaction() as conn:
        assert syncstate.repair_future(conn, NOW, 5.0) == []  # idempotent


def test_the_budget_repairs_a_future_window_and_the_deferrals_it_caused(db: Database) -> None:
    fast = SharedBudget(db, LIMITS, Policy())  # today's process with its clock 1 h ahead
    for _ in range(5):
        fast.reserve(Priority.INTERACTIVE, now=NOW + HOUR)
    # an athlete our own engine deferred to that window's reset after a refusal
    _athlete(db, 3, updated_at=NOW, due_at=NOW + HOUR + timedelta(minutes=5), next_mode="refresh")
    _athlete(db, 4, updated_at=NOW, due_at=NOW + 5 * HOUR)  # scheduled well past it: stays
    ours = SharedBudget(db, LIMITS, Policy(), skew_tolerance=5.0)
    ours.reserve(Priority.BACKFILL, now=NOW)  # paced classes would wait for the future window
    snap = {c.name: (c.window_start, c.used) for c in ours.snapshot(NOW)}
    quarter = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert snap["read:15min"] == (quarter, 1)  # ours: Strava's headers give the true count
    assert snap["read:daily"] == (datetime(2026, 3, 10, tzinfo=UTC), 6)  # the day keeps its 5
    assert _state(db, 3)["due_at"] == NOW
    assert _state(db, 4)["due_at"] == NOW + 5 * HOUR


def test_a_full_future_window_no_longer_holds_requests_for_an_hour(db: Database) -> None:
    fast = SharedBudget(db, LIMITS, Policy())
    for _ in range(30):
        fast.reserve(Priority.INTERACTIVE, now=NOW + HOUR + timedelta(minutes=7))
    with pytest.raises(BudgetExhausted) as refused:  # what today's code does with it
        SharedBudget(db, LIMITS, Policy()).reserve(Priority.INTERACTIVE, now=NOW)
    assert refused.value.retry_at > NOW + HOUR
    SharedBudget(db, LIMITS, Policy(), skew_tolerance=5.0).reserve(Priority.INTERACTIVE, now=NOW)


def test_reset_stuck_repairs_windows_and_due_times(db: Database, db_url: str) -> None:
    SharedBudget(db, LIMITS, Policy()).reserve(Priority.INTERACTIVE, now=NOW + HOUR)
    _athlete(db, 5, updated_at=NOW + HOUR, due_at=NOW + HOUR + timedelta(minutes=30))
    cfg = load_settings(database_url=db_url)
    repaired = repair_skewed_times(cfg, db, NOW)
    assert repaired["athletes"] == [5]
    assert sorted(repaired["rate_windows"]) == ["overall:15min", "read:15min"]
    assert _state(db, 5)["due_at"] == NOW + timedelta(minutes=30)
    assert repair_skewed_times(cfg, db, NOW) == {"athletes": [], "rate_windows": []}
