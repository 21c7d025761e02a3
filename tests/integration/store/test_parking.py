"""Parking (store.parking): athletes not synced automatically leave the claim's indexes and come
back, due, when they can be synced again; every transition on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Connection, and_, func, select, update

from stravasync.store import Database
from stravasync.store.migrate import alembic_config, head_revision, upgrade
from stravasync.store.pending import parking, syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.people.purge import purge_athlete
from stravasync.store.schema import athletes, sync_state
from stravasync.sync.passes import first_page_waiting

NOW = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


def _connect(conn: Connection, athlete_id: int, now: datetime = NOW) -> None:
    athletes_q.upsert_athlete(
        conn, athlete_id=athlete_id, profile={}, scopes="read,activity:read_all", now=now
    )


def _state(db: Database, athlete_id: int) -> dict[str, object]:
    with db.engine.connect() as conn:
        state = syncstate.get_state(conn, athlete_id)
    assert state is not None
    return state


def _claim(db: Database, now: datetime = NOW, *, automatic: bool = True) -> int | None:
    with db.transaction() as conn:
        row = syncstate.claim_due_athlete(
            conn, owner="t", now=now, lease_seconds=60, automatic=automatic
        )
    return None if row is None else int(row["athlete_id"])


def _finish(db: Database, athlete_id: int, due: datetime) -> None:
    """The athlete's pass ended: released, history complete, next due at ``due``."""
    with db.transaction() as conn:
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == athlete_id)
            .values(
                due_at=due,
                lease_owner=None,
                lease_expires_at=None,
                backfill_done=True,
                backfill_before=1,
            )
        )


def _true_count(conn: Connection) -> int:
    cond = and_(athletes.c.status == "active", athletes.c.auto_sync.is_(True))
    return int(conn.execute(select(func.count()).where(cond)).scalar_one())


PARK: dict[str, Callable[[Connection, int], object]] = {
    "reconnect_needed": lambda c, a: athletes_q.set_status(
        c, a, "reconnect_needed", reason="token refused", now=NOW
    ),
    "deauthorized": lambda c, a: athletes_q.set_status(
        c, a, "deauthorized", reason="revoked", now=NOW
    ),
    "blocked": lambda c, a: athletes_q.set_status(c, a, "blocked", reason="operator", now=NOW),
    "opted_out": lambda c, a: athletes_q.set_flags(c, a, now=NOW, auto_sync=False),
}
UNPARK: dict[str, Callable[[Connection, int], object]] = {
    "reconnect_needed": lambda c, a: _connect(c, a, LATER),
    "deauthorized": lambda c, a: _connect(c, a, LATER),
    "blocked": lambda c, a: athletes_q.set_status(c, a, "active", reason=None, now=LATER),
    "opted_out": lambda c, a: athletes_q.set_flags(c, a, now=LATER, auto_sync=True),
}


def test_a_new_athlete_is_unparked_and_due_now(db: Database) -> None:
    with db.transaction() as conn:
        _connect(conn, 1)
        assert syncstate.active_count(conn) == 1
    state = _state(db, 1)
    assert state["parked"] is False and state["due_at"] == NOW
    assert _claim(db) == 1


@pytest.mark.parametrize("how", sorted(PARK))
def test_parked_athletes_are_never_claimed_and_come_back_due(db: Database, how: str) -> None:
    with db.transaction() as conn:
        _connect(conn, 1)
        _connect(conn, 2)
    assert _claim(db) == 1
    _finish(db, 1, NOW - timedelta(hours=1))  # overdue: first in line, were it claimable
    assert _claim(db) == 2
    _finish(db, 2, LATER + timedelta(days=1))  # due after the unpark
    with db.transaction() as conn:
        PARK[how](conn, 1)
        PARK[how](conn, 2)
        assert syncstate.active_count(conn) == 0 == _true_count(conn)
    assert _state(db, 1)["parked"] is True
    for now in (NOW, LATER, LATER + timedelta(days=30)):
        assert _claim(db, now) is None
    with db.engine.connect() as conn:
        assert syncstate.next_due_at(conn, automatic=True) is None
    with db.transaction() as conn:
        UNPARK[how](conn, 1)
        UNPARK[how](conn, 2)
        assert syncstate.active_count(conn) == 2 == _true_count(conn)
    one, two = _state(db, 1), _state(db, 2)
    assert one["parked"] is False and one["due_at"] == NOW - timedelta(hours=1)  # kept: earlier
    assert two["parked"] is False and two["due_at"] == LATER  # due again, now
    assert _claim(db, LATER) == 1
    assert _claim(db, LATER) == 2


def test_blocked_stays_parked_when_opting_in_and_opted_out_when_unblocked(db: Database) -> None:
    with db.transaction() as conn:
        _connect(conn, 1)
        athletes_q.set_status(conn, 1, "blocked", reason="operator", now=NOW)
        athletes_q.set_flags(conn, 1, now=NOW, auto_sync=False)
        athletes_q.set_flags(conn, 1, now=NOW, auto_sync=True)
        assert parking.repark(conn, 1, NOW) is True
        athletes_q.set_flags(conn, 1, now=NOW, auto_sync=False)
        athletes_q.set_status(conn, 1, "active", reason=None, now=NOW)
        assert _state_in(conn, 1) is True  # still opted out
        athletes_q.set_flags(conn, 1, now=NOW, hidden=True)  # hiding is no transition
        assert _state_in(conn, 1) is True
        athletes_q.set_flags(conn, 1, now=NOW, auto_sync=True)
        assert _state_in(conn, 1) is False
        assert syncstate.active_count(conn) == 1


def _state_in(conn: Connection, athlete_id: int) -> bool:
    state = syncstate.get_state(conn, athlete_id)
    assert state is not None
    return bool(state["parked"])


def test_requested_work_of_an_opted_out_athlete_is_still_claimed(db: Database) -> None:
    with db.transaction() as conn:
        _connect(conn, 1)
        athletes_q.set_flags(conn, 1, now=NOW, auto_sync=False)
    assert _claim(db) is None
    with db.transaction() as conn:
        assert syncstate.request_mode(conn, 1, "incremental", NOW)
        assert first_page_waiting(conn, exclude=0)  # asked for: it will be claimed
    assert _claim(db, automatic=False) == 1
    with db.transaction() as conn:  # a blocked athlete is not claimed even when asked
        _connect(conn, 2)
        athletes_q.set_status(conn, 2, "blocked", reason="operator", now=NOW)
        assert syncstate.request_mode(conn, 2, "incremental", NOW)
    assert _claim(db) is None


def test_planning_questions_ignore_parked_athletes(db: Database) -> None:
    with db.transaction() as conn:
        _connect(conn, 1)  # waits for its newest page, history owed
        assert syncstate.backfill_owed(conn)
        assert first_page_waiting(conn, exclude=0)
        assert not first_page_waiting(conn, exclude=1)
        assert syncstate.next_due_at(conn, automatic=True) == NOW
        athletes_q.set_flags(conn, 1, now=NOW, auto_sync=False)
        assert not syncstate.backfill_owed(conn)
        assert not first_page_waiting(conn, exclude=0)
        assert syncstate.next_due_at(conn, automatic=True) is None
        athletes_q.set_flags(conn, 1, now=LATER, auto_sync=True)
        assert syncstate.backfill_owed(conn)
        assert first_page_waiting(conn, exclude=0)
        assert syncstate.next_due_at(conn, automatic=True) == NOW  # its earlier due time


def test_purge_and_random_transitions_keep_the_tally_right(db: Database) -> None:
    rng = random.Random(5)
    ids = list(range(1, 41))
    with db.transaction() as conn:
        for a in ids:
            _connect(conn, a)
    actions = [*PARK.values(), *UNPARK.values()]
    for _ in range(200):
        with db.transaction() as conn:
            rng.choice(actions)(conn, rng.choice(ids))
    with db.transaction() as conn:
        purge_athlete(conn, ids[0])
        athletes_q.set_status(conn, ids[1], "deauthorized", reason="revoked", now=NOW)
        purge_athlete(conn, ids[1])
        assert syncstate.active_count(conn) == _true_count(conn)
        parked = select(sync_state.c.athlete_id).where(sync_state.c.parked.is_(True))
        inactive = select(athletes.c.id).where(
            (athletes.c.status != "active") | athletes.c.auto_sync.is_(False)
        )
        assert set(conn.execute(parked).scalars()) == set(conn.execute(inactive).scalars())
        assert parking.recount(conn) == _true_count(conn)


def test_the_migration_parks_existing_athletes_and_counts_the_rest(empty_db_url: str) -> None:
    db = Database.open(empty_db_url, upgrade=False)
    try:
        upgrade(db.engine, "0009")
        with db.transaction() as conn:
            rows = ((1, "active", True), (2, "blocked", True), (3, "active", False))
            for a, status, auto in rows:
                conn.execute(
                    athletes.insert().values(
                        id=a, status=status, auto_sync=auto, scopes="read",
                        created_at=NOW, updated_at=NOW,
                    )
                )  # fmt: skip
                conn.exec_driver_sql(  # as 0009 had it: no parked column
                    f"INSERT INTO sync_state (athlete_id, updated_at) VALUES ({a}, '2026-03-02')"
                )
        upgrade(db.engine, "0015")
        with db.engine.connect() as conn:
            parked = select(sync_state.c.athlete_id).where(sync_state.c.parked.is_(True))
            assert set(conn.execute(parked).scalars()) == {2, 3}
            assert syncstate.active_count(conn) == 1
        cfg = alembic_config()
        with db.engine.begin() as conn:  # reversible
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009")
        assert upgrade(db.engine) == head_revision()
    finally:
        db.close()
